// The YAML config file of sirocco-workerd, read with libyaml's document
// loader: a mapping of the keys of wrk_opts.c's table to scalars (lists
// to sequences of scalars). Every problem is recorded with FILE:LINE:COL
// and the key; reading goes on to find the others. Keys already given by
// flags are skipped. Owns the parser and document while it reads.
// Single-threaded.
#include "wrk_opts.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#define S_FILE_MAX ((long)1 << 20) // a config file is small

typedef struct {
    wrk_opts_t *opts;
    const char *path;
    yaml_document_t *doc;
} s_reader_t;

static const wrk_opt_def_t *
s_find(const char *key, size_t *index)
{
    size_t n;
    const wrk_opt_def_t *defs = wrk_opts_defs(&n);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(defs[i].key, key) == 0) {
            *index = i;
            return &defs[i];
        }
    }
    return NULL;
}

static const char *
s_scalar(const yaml_node_t *node)
{
    return node && node->type == YAML_SCALAR_NODE
               ? (const char *)node->data.scalar.value
               : NULL;
}

// "FILE:LINE:COL: key 'k'" for a node.
static void
s_where(const s_reader_t *r, const yaml_node_t *node, const char *key,
        char *buf, size_t size)
{
    snprintf(buf, size, "%s:%zu:%zu: key '%s'", r->path,
             node->start_mark.line + 1, node->start_mark.column + 1, key);
}

// A plain scalar that YAML reads as null.
static bool
s_is_null(const yaml_node_t *node)
{
    const char *text = s_scalar(node);
    return text && node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
           (!text[0] || strcmp(text, "~") == 0 || strcmp(text, "null") == 0);
}

static void
s_set_list(s_reader_t *r, const wrk_opt_def_t *def, yaml_node_t *value,
           const char *where)
{
    if (value->type == YAML_SCALAR_NODE) {
        wrk_opts_set(r->opts, def, s_scalar(value), where);
        return;
    }
    if (value->type != YAML_SEQUENCE_NODE) {
        wrk_opts_error(r->opts, "%s: expected a list", where);
        return;
    }
    for (yaml_node_item_t *it = value->data.sequence.items.start;
         it < value->data.sequence.items.top; it++) {
        yaml_node_t *item = yaml_document_get_node(r->doc, *it);
        const char *text = s_scalar(item);
        if (!text || !text[0])
            wrk_opts_error(r->opts, "%s: item %d must be a non-empty text",
                           where, (int)(it - value->data.sequence.items.start));
        else
            wrk_opts_set(r->opts, def, text, where);
    }
}

static void
s_read_pair(s_reader_t *r, yaml_node_pair_t *pair, bool *is_seen)
{
    yaml_node_t *knode = yaml_document_get_node(r->doc, pair->key);
    yaml_node_t *value = yaml_document_get_node(r->doc, pair->value);
    const char *key = s_scalar(knode);
    char where[512];
    size_t index = 0;
    const wrk_opt_def_t *def = key ? s_find(key, &index) : NULL;
    if (!def) {
        s_where(r, knode, key ? key : "?", where, sizeof where);
        wrk_opts_error(r->opts, "%s: unknown key (see --help)", where);
        return;
    }
    s_where(r, value, key, where, sizeof where);
    if (is_seen[index]) {
        wrk_opts_error(r->opts, "%s: given twice", where);
        return;
    }
    is_seen[index] = true;
    if (r->opts->is_set[index] || s_is_null(value))
        return; // a flag wins; null keeps the default
    if (def->type == WRK_OPT_LIST)
        s_set_list(r, def, value, where);
    else if (!s_scalar(value))
        wrk_opts_error(r->opts, "%s: expected a single value", where);
    else
        wrk_opts_set(r->opts, def, s_scalar(value), where);
}

static void
s_read_doc(s_reader_t *r)
{
    yaml_node_t *root = yaml_document_get_root_node(r->doc);
    if (!root || s_is_null(root))
        return; // an empty file sets nothing
    if (root->type != YAML_MAPPING_NODE) {
        wrk_opts_error(r->opts, "%s:%zu:%zu: expected a mapping of keys",
                       r->path, root->start_mark.line + 1,
                       root->start_mark.column + 1);
        return;
    }
    size_t n;
    wrk_opts_defs(&n);
    bool *is_seen = calloc(n, sizeof *is_seen);
    if (!is_seen) {
        wrk_opts_error(r->opts, "%s: out of memory", r->path);
        return;
    }
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
         p < root->data.mapping.pairs.top; p++)
        s_read_pair(r, p, is_seen);
    free(is_seen);
}

static FILE *
s_open(wrk_opts_t *opts, const char *path)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f) {
        wrk_opts_error(opts, "%s: cannot open: %s", path, strerror(errno));
        return NULL;
    }
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) ||
        st.st_size > S_FILE_MAX) {
        wrk_opts_error(opts, "%s: not a regular file of at most %ld bytes",
                       path, S_FILE_MAX);
        fclose(f);
        return NULL;
    }
    return f;
}

bool
wrk_opts_load_file(wrk_opts_t *self, const char *path)
{
    size_t before = self->errors.n;
    FILE *f = s_open(self, path);
    if (!f)
        return false;
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser)) {
        wrk_opts_error(self, "%s: out of memory", path);
        fclose(f);
        return false;
    }
    yaml_parser_set_input_file(&parser, f);
    if (!yaml_parser_load(&parser, &doc)) {
        wrk_opts_error(self, "%s:%zu:%zu: %s", path,
                       parser.problem_mark.line + 1,
                       parser.problem_mark.column + 1,
                       parser.problem ? parser.problem : "invalid YAML");
    } else {
        s_reader_t r = {self, path, &doc};
        s_read_doc(&r);
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
    fclose(f);
    return self->errors.n == before;
}
