// Partitions of an engine node: each in its own folder DATA/p<N>, its
// ownership epoch bumped when the node opens it, its earliest timer kept
// at hand, and what a restart must pick up again (offered and running
// actions, kept as orphans with those the worker sessions give back). And
// the cluster map, for requests about the partitions of other engines.
// Owns the stores and the orphans; its operations go to the batch.
// Thread rule: the engine loop's thread.
#include "eng_part.h"

#include <dirent.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eng_clock.h"
#include "sr_log.h"
#include "store_read.h"

// One partition held: a copy of it, served by this engine or not.
typedef struct {
    uint16_t number;
    store_part_t *store; // owned
    uint64_t epoch;
    int64_t next_timer; // due time of the earliest timer, 0 = none
    bool is_created;    // created empty at this start (its folder held none)
    bool serving;
} eng_part_t;

// A partition's leader as last heard of (replicated partitions).
#define S_NO_LEADER (-2)

struct eng_parts {
    const eng_config_t *cfg; // borrowed, complete
    eng_batch_t *batch;      // borrowed: where timers and orphans go
    eng_part_t *parts;       // owned; cfg->npartitions (at least 1): copies
    size_t nparts;           // opened so far
    size_t *serving;         // owned: indexes in parts of those served, in
                             // order; the index space of the interface
    size_t nserving;
    bool replicated;
    uint64_t *heard_term;  // owned, replicated: per partition number, the
                           // term a peer said it serves it in (peers'
                           // heartbeats: partitions without a copy here)
    int16_t *leader;       // owned, replicated: per partition number, the index
                           // in cfg->peers of its leader, -1 this engine,
                           // S_NO_LEADER unknown
    eng_orphan_t *orphans; // owned
    size_t norphans, caporphans;
};

static sr_err_t
s_mkdir(const char *path, sr_error_t *err)
{
    if (mkdir(path, 0700) && errno != EEXIST)
        return sr_error_set(err, SR_EIO, "cannot create folder %s: %s", path,
                            strerror(errno));
    return SR_OK;
}

// Say at start whether each partition was found or made: a data folder
// lost or replaced shows as a partition created empty.
static void
s_log_open(const eng_part_t *p, const char *dir)
{
    store_counts_t count = {0};
    sr_error_t e;
    if (p->is_created) {
        sr_info("partition %u: created empty in %s (epoch %llu, format %d)",
                p->number, dir, (unsigned long long)p->epoch,
                store_part_format(p->store));
        return;
    }
    if (store_part_counts(p->store, &count, &e))
        sr_warn("partition %u: cannot count its executions: %s", p->number,
                e.msg);
    sr_info("partition %u: opened %s (epoch %llu, format %d, %zu "
            "executions)",
            p->number, dir, (unsigned long long)p->epoch,
            store_part_format(p->store), count.execs);
}

// The copy of partition `number`, served or not.
static eng_part_t *
s_copy(const eng_parts_t *self, uint16_t number)
{
    for (size_t k = 0; k < self->nparts; k++)
        if (self->parts[k].number == number)
            return &self->parts[k];
    return NULL;
}

// The partition held at interface index i (served).
static eng_part_t *
s_at(const eng_parts_t *self, size_t i)
{
    return &self->parts[self->serving[i]];
}

// The served partition `number` and its interface index.
static eng_part_t *
s_find(const eng_parts_t *self, uint16_t number, size_t *index)
{
    for (size_t i = 0; i < self->nserving; i++)
        if (s_at(self, i)->number == number) {
            if (index)
                *index = i;
            return s_at(self, i);
        }
    return NULL;
}

static sr_err_t s_next_timer(eng_part_t *part, sr_error_t *err);

// Open (or create) copy `number` in DATA/p<N> as parts[nparts] (room
// made by the caller).
static sr_err_t
s_open_copy(eng_parts_t *self, uint16_t number, sr_error_t *err)
{
    // A replicated copy is made durable by its Raft log (eng_repl.h).
    store_opts_t opts = {
        .durability = self->replicated && self->cfg->durability == STORE_SYNC
                          ? STORE_REPLICA
                          : self->cfg->durability};
    eng_part_t *p = &self->parts[self->nparts];
    memset(p, 0, sizeof *p);
    p->number = number;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/p%u", self->cfg->data_dir, number);
    sr_err_t rc = s_mkdir(dir, err);
    if (!rc)
        rc = store_part_open(dir, number, &opts, &p->store, err);
    // A single copy is served from the start, in a new epoch; a
    // replicated one when this engine leads it, in the Raft term.
    if (!rc && !self->replicated)
        rc = store_part_bump_epoch(p->store, err);
    if (!rc) {
        p->epoch = store_part_epoch(p->store);
        p->is_created = store_part_is_new(p->store);
        rc = s_next_timer(p, err);
    }
    if (rc) {
        store_part_close(&p->store);
        return rc;
    }
    size_t i = self->nparts++;
    if (!self->replicated) {
        p->serving = true;
        self->serving[self->nserving++] = i;
    }
    s_log_open(p, dir);
    return SR_OK;
}

sr_err_t
eng_parts_open(const eng_config_t *cfg, eng_batch_t *batch, eng_parts_t **out,
               sr_error_t *err)
{
    eng_parts_t *self = calloc(1, sizeof *self);
    size_t n = cfg->npartitions ? cfg->npartitions : 1;
    if (self) {
        self->cfg = cfg;
        self->batch = batch;
        self->replicated = cfg->replicas > 1;
        // Replicated, copies come and go with the cluster map.
        size_t room = self->replicated ? ENG_MAX_PARTITIONS : n;
        self->parts = calloc(room, sizeof *self->parts);
        self->serving = calloc(room, sizeof *self->serving);
        if (self->replicated &&
            (self->leader = malloc(65536 * sizeof(int16_t))) &&
            (self->heard_term = calloc(65536, sizeof(uint64_t))))
            for (size_t k = 0; k < 65536; k++)
                self->leader[k] = S_NO_LEADER;
    }
    if (!self || !self->parts || !self->serving ||
        (self->replicated && (!self->leader || !self->heard_term))) {
        eng_parts_close(&self);
        return sr_error_set(err, SR_ENOMEM, "out of memory");
    }
    sr_err_t rc = s_mkdir(cfg->data_dir, err);
    for (size_t i = 0; !rc && i < n; i++) {
        uint16_t number = cfg->npartitions ? cfg->partitions[i] : 0;
        if (s_copy(self, number)) // among those opened before
            rc = sr_error_set(err, SR_EINVAL, "partition %u listed twice",
                              number);
        else
            rc = s_open_copy(self, number, err);
    }
    if (rc) {
        eng_parts_close(&self);
        return rc;
    }
    *out = self;
    return SR_OK;
}

void
eng_parts_close(eng_parts_t **self_p)
{
    eng_parts_t *self = *self_p;
    if (!self)
        return;
    for (size_t i = 0; i < self->nparts; i++)
        store_part_close(&self->parts[i].store);
    free(self->parts);
    free(self->serving);
    free(self->leader);
    free(self->heard_term);
    free(self->orphans);
    free(self);
    *self_p = NULL;
}

size_t
eng_parts_count(const eng_parts_t *self)
{
    return self->nserving;
}

size_t
eng_parts_capacity(const eng_parts_t *self)
{
    return self->nparts;
}

bool
eng_parts_find(const eng_parts_t *self, uint16_t number, size_t *index)
{
    return s_find(self, number, index) != NULL;
}

uint16_t
eng_parts_number(const eng_parts_t *self, size_t i)
{
    return s_at(self, i)->number;
}

uint64_t
eng_parts_epoch(const eng_parts_t *self, size_t i)
{
    return s_at(self, i)->epoch;
}

bool
eng_parts_is_created(const eng_parts_t *self, size_t i)
{
    return s_at(self, i)->is_created;
}

store_part_t *
eng_parts_store(const eng_parts_t *self, size_t i)
{
    return s_at(self, i)->store;
}

store_part_t *
eng_parts_catalog(const eng_parts_t *self)
{
    return self->nserving ? s_at(self, 0)->store : self->parts[0].store;
}

// --- copies (replicated partitions) ---------------------------------------

bool
eng_parts_replicated(const eng_parts_t *self)
{
    return self->replicated;
}

uint16_t
eng_parts_copy_number(const eng_parts_t *self, size_t k)
{
    return self->parts[k].number;
}

store_part_t *
eng_parts_copy_store(const eng_parts_t *self, size_t k)
{
    return self->parts[k].store;
}

bool
eng_parts_copy_serving(const eng_parts_t *self, size_t k)
{
    return self->parts[k].serving;
}

sr_err_t
eng_parts_serve(eng_parts_t *self, size_t k, uint64_t epoch, size_t *index,
                sr_error_t *err)
{
    eng_part_t *p = &self->parts[k];
    if (!p->serving) {
        sr_err_t rc = s_next_timer(p, err);
        if (rc)
            return rc;
        // Served in copy order, as without replication.
        size_t at = 0;
        while (at < self->nserving && self->serving[at] < k)
            at++;
        memmove(self->serving + at + 1, self->serving + at,
                (self->nserving - at) * sizeof *self->serving);
        self->serving[at] = k;
        self->nserving++;
        p->serving = true;
    }
    p->epoch = epoch;
    if (self->leader)
        self->leader[p->number] = -1;
    return s_find(self, p->number, index)
               ? SR_OK
               : sr_error_set(err, SR_EINTERNAL, "partition %u lost",
                              p->number);
}

void
eng_parts_unserve(eng_parts_t *self, size_t k)
{
    eng_part_t *p = &self->parts[k];
    if (!p->serving)
        return;
    size_t at = 0;
    while (self->serving[at] != k)
        at++;
    memmove(self->serving + at, self->serving + at + 1,
            (self->nserving - at - 1) * sizeof *self->serving);
    self->nserving--;
    p->serving = false;
    p->next_timer = 0;
    // Its actions are the new leader's to pick up.
    for (size_t i = 0; i < self->norphans;)
        if (sr_id_partition(&self->orphans[i].action_id) == p->number)
            self->orphans[i] = self->orphans[--self->norphans];
        else
            i++;
    if (self->leader && self->leader[p->number] == -1)
        self->leader[p->number] = S_NO_LEADER;
}

static sr_err_t s_remove_folder(const char *dir, sr_error_t *err);

sr_err_t
eng_parts_add_copy(eng_parts_t *self, uint16_t number, size_t *k,
                   sr_error_t *err)
{
    if (!self->replicated || self->nparts == ENG_MAX_PARTITIONS)
        return sr_error_set(err, SR_EINVAL,
                            "partition %u: no room for another copy (%d at "
                            "most)",
                            number, ENG_MAX_PARTITIONS);
    if (s_copy(self, number))
        return sr_error_set(err, SR_EEXIST, "partition %u: a copy is here",
                            number);
    // It starts empty: what a folder left by an earlier copy holds is no
    // state of its group.
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/p%u", self->cfg->data_dir, number);
    sr_err_t rc = s_remove_folder(dir, err);
    if (!rc)
        rc = s_open_copy(self, number, err);
    if (!rc)
        *k = self->nparts - 1;
    return rc;
}

// Delete folder `dir` and the files it holds (a store's: no subfolder).
static sr_err_t
s_remove_folder(const char *dir, sr_error_t *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT
                   ? SR_OK
                   : sr_error_set(err, SR_EIO, "cannot read folder %s: %s", dir,
                                  strerror(errno));
    sr_err_t rc = SR_OK;
    struct dirent *e;
    char path[4400];
    while (!rc && (e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            if (unlink(path) && errno != ENOENT)
                rc = sr_error_set(err, SR_EIO, "cannot delete %s: %s", path,
                                  strerror(errno));
        }
    closedir(d);
    if (!rc && rmdir(dir) && errno != ENOENT)
        rc = sr_error_set(err, SR_EIO, "cannot delete folder %s: %s", dir,
                          strerror(errno));
    return rc;
}

sr_err_t
eng_parts_drop_copy(eng_parts_t *self, size_t k, sr_error_t *err)
{
    eng_part_t *p = &self->parts[k];
    if (p->serving)
        return sr_error_set(err, SR_ESTATE,
                            "partition %u: served, so not dropped", p->number);
    uint16_t number = p->number;
    store_part_close(&p->store);
    memmove(self->parts + k, self->parts + k + 1,
            (self->nparts - k - 1) * sizeof *self->parts);
    self->nparts--;
    for (size_t i = 0; i < self->nserving; i++)
        if (self->serving[i] > k)
            self->serving[i]--;
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/p%u", self->cfg->data_dir, number);
    sr_info("partition %u: copy dropped (another engine holds it now)", number);
    return s_remove_folder(dir, err);
}

void
eng_parts_set_leader(eng_parts_t *self, uint16_t partition, int peer)
{
    if (self->leader && !(peer == -1 && !s_find(self, partition, NULL)))
        self->leader[partition] = (int16_t)(peer < -1 ? S_NO_LEADER : peer);
}

void
eng_parts_heard_serving(eng_parts_t *self, uint16_t partition, int peer,
                        uint64_t term)
{
    if (!self->leader || s_copy(self, partition) ||
        term < self->heard_term[partition])
        return;
    self->heard_term[partition] = term;
    self->leader[partition] = (int16_t)peer;
}

int
eng_parts_owner(const eng_parts_t *self, uint16_t partition)
{
    if (self->leader)
        return self->leader[partition] >= 0 ? self->leader[partition] : -1;
    for (size_t i = 0; i < self->cfg->npeers; i++)
        for (size_t k = 0; k < self->cfg->peers[i].npartitions; k++)
            if (self->cfg->peers[i].partitions[k] == partition)
                return (int)i;
    return -1;
}

sr_err_t
eng_parts_not_here(const eng_parts_t *self, uint16_t partition, sr_error_t *err)
{
    int owner = eng_parts_owner(self, partition);
    if (owner < 0 && self->replicated)
        return sr_error_set(err, SR_EUNAVAIL,
                            "partition %u has no leader that this engine "
                            "(%s) knows of now; try again",
                            partition, self->cfg->name);
    if (owner < 0)
        return sr_error_set(err, SR_EUNAVAIL,
                            "partition %u is not on this engine (%s) and no "
                            "engine of its cluster owns it",
                            partition, self->cfg->name);
    return sr_error_set(err, SR_EUNAVAIL,
                        "partition %u is on engine %s (%s), not on this "
                        "engine (%s)",
                        partition, self->cfg->peers[owner].name,
                        self->cfg->peers[owner].client, self->cfg->name);
}

int64_t
eng_parts_next_timer(const eng_parts_t *self)
{
    int64_t next = 0;
    for (size_t i = 0; i < self->nserving; i++)
        if (s_at(self, i)->next_timer &&
            (!next || s_at(self, i)->next_timer < next))
            next = s_at(self, i)->next_timer;
    return next;
}

void
eng_parts_timer_armed(eng_parts_t *self, size_t i, int64_t due_ms)
{
    eng_part_t *part = s_at(self, i);
    if (!part->next_timer || due_ms < part->next_timer)
        part->next_timer = due_ms;
}

static sr_err_t
s_next_timer(eng_part_t *part, sr_error_t *err)
{
    store_txn_t *txn = NULL;
    sr_err_t rc = store_txn_begin(part->store, false, &txn, err);
    if (rc)
        return rc;
    core_timer_t first;
    rc = store_timer_first(txn, &first, err);
    store_txn_abort(&txn);
    part->next_timer = rc ? 0 : first.due_ms;
    return rc == SR_ENOTFOUND ? SR_OK : rc;
}

sr_err_t
eng_parts_read_timer(eng_parts_t *self, size_t i, sr_error_t *err)
{
    return s_next_timer(s_at(self, i), err);
}

// Timers due, each queued as a TIMER event (at most `max`).
typedef struct {
    eng_batch_t *batch;
    size_t pi;
    size_t max, count;
} s_timers_t;

static sr_err_t
s_due_visit(void *arg, const core_timer_t *timer)
{
    s_timers_t *t = arg;
    if (t->count >= t->max)
        return SR_EEXIST;
    eng_op_t *op = eng_batch_add(t->batch);
    if (!op)
        return SR_ENOMEM;
    op->kind = ENG_OP_EVENT;
    op->req_id = -1;
    op->part = t->pi;
    op->timer = *timer;
    op->ev.kind = CORE_EV_TIMER;
    t->count++;
    return SR_OK;
}

sr_err_t
eng_parts_due_timers(eng_parts_t *self, size_t pi, int64_t now, size_t max,
                     sr_error_t *err)
{
    eng_part_t *part = s_at(self, pi);
    if (!part->next_timer || part->next_timer > now)
        return SR_OK;
    store_txn_t *txn = NULL;
    sr_err_t rc = store_txn_begin(part->store, false, &txn, err);
    if (rc)
        return rc;
    s_timers_t t = {self->batch, pi, max, 0};
    rc = store_timers_due(txn, now, s_due_visit, &t, err);
    store_txn_abort(&txn);
    part->next_timer = 0; // refreshed after the batch commits
    return rc == SR_EEXIST ? SR_OK : rc;
}

// --- recovery ------------------------------------------------------------

typedef struct {
    eng_parts_t *self;
    eng_part_t *part;
} s_recover_t;

sr_err_t
eng_parts_orphan_add(eng_parts_t *self, eng_orphan_t orphan)
{
    if (self->norphans == self->caporphans) {
        size_t c = self->caporphans ? self->caporphans * 2 : 16;
        eng_orphan_t *o = realloc(self->orphans, c * sizeof *o);
        if (!o)
            return SR_ENOMEM;
        self->orphans = o;
        self->caporphans = c;
    }
    self->orphans[self->norphans++] = orphan;
    return SR_OK;
}

// An open action: offered again when it waits for a worker (through the
// core: a new attempt, whose TASK carries a new token), watched as an
// orphan when it was running: its worker may come back and resend the
// result within the expiry time.
static sr_err_t
s_recover_visit(void *arg, core_action_t **action_p)
{
    s_recover_t *rv = arg;
    const core_action_t *a = *action_p;
    if (a->state == CORE_A_SCHEDULED)
        return eng_parts_orphan_add(rv->self,
                                    (eng_orphan_t){.action_id = a->id,
                                                   .due = eng_now_ms(),
                                                   .kind = CORE_EV_REOFFER,
                                                   .attempt = a->attempt,
                                                   .worker = "(offered before "
                                                             "a restart)"});
    return eng_parts_orphan_add(
        rv->self, (eng_orphan_t){.action_id = a->id,
                                 .due = eng_now_ms() + rv->self->cfg->expiry_ms,
                                 .kind = CORE_EV_WORKER_LOST,
                                 .why = "not connected again after the engine "
                                        "restarted"});
}

sr_err_t
eng_parts_recover(eng_parts_t *self, size_t pi, sr_error_t *err)
{
    s_recover_t rv = {self, s_at(self, pi)};
    store_txn_t *txn = NULL;
    sr_err_t rc = store_txn_begin(rv.part->store, false, &txn, err);
    if (rc)
        return rc;
    rc = store_open_actions(txn, s_recover_visit, &rv, err);
    store_txn_abort(&txn);
    if (!rc && self->norphans)
        sr_info("partition %u: %zu actions offered or running at restart",
                rv.part->number, self->norphans);
    return rc;
}

// Is the worker that confirmed running action `id` (before a restart)
// connected again? Then it still runs it (a long action) and reports to
// us: it keeps the action, watched like any other.
static bool
s_adopted(eng_parts_t *self, size_t pi, const sr_id_t *id,
          eng_parts_adopt_fn *adopt, void *arg)
{
    sr_error_t err;
    store_txn_t *txn = NULL;
    if (store_txn_begin(s_at(self, pi)->store, false, &txn, &err))
        return false;
    core_action_t *a = NULL;
    bool adopted = !store_action_get(txn, id, &a, &err) &&
                   a->state == CORE_A_RUNNING &&
                   adopt(arg, a->worker, id, a->attempt);
    core_action_destroy(&a);
    store_txn_abort(&txn);
    return adopted;
}

sr_err_t
eng_parts_orphans_due(eng_parts_t *self, int64_t now, eng_parts_adopt_fn *adopt,
                      void *arg)
{
    for (size_t i = 0; i < self->norphans;) {
        if (self->orphans[i].due > now) {
            i++;
            continue;
        }
        const eng_orphan_t *o = &self->orphans[i];
        sr_id_t id = o->action_id;
        size_t pi = 0;
        if (s_find(self, sr_id_partition(&id), &pi) &&
            !(o->kind == CORE_EV_WORKER_LOST &&
              s_adopted(self, pi, &id, adopt, arg))) {
            eng_op_t *op = eng_batch_add(self->batch);
            if (!op)
                return SR_ENOMEM;
            op->kind = ENG_OP_EVENT;
            op->req_id = -1;
            op->part = pi;
            op->ev.kind = o->kind;
            op->ev.action_id = id;
            op->ev.attempt = o->attempt;
            op->ev.worker = o->worker;
            op->ev.msg = o->why;
        }
        self->orphans[i] = self->orphans[--self->norphans];
    }
    return SR_OK;
}

sr_err_t
eng_parts_token_lookup(const eng_parts_t *self, const char *token, sr_id_t *out,
                       sr_error_t *err)
{
    uint8_t hash[32];
    crypto_hash_sha256(hash, (const unsigned char *)token, strlen(token));
    for (size_t i = 0; i < self->nserving; i++) {
        store_txn_t *txn = NULL;
        sr_err_t rc = store_txn_begin(s_at(self, i)->store, false, &txn, err);
        if (rc)
            return rc;
        rc = store_token_action(txn, hash, out, err);
        store_txn_abort(&txn);
        if (rc != SR_ENOTFOUND)
            return rc;
    }
    return sr_error_set(err, SR_ENOTFOUND, "no pending action for this token");
}
