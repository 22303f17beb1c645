#!/usr/bin/python3
"""Replicated partitions (issue 12): `sirocco cluster up --engines 3
--replicas 3 --workers 2`; executions of a linear and a parallel-join
workflow whose actions append their key to a log file run while the engine
leading the most partitions is killed with SIGKILL and left down. Every
execution must end SUCCESS and every action must have run exactly once.
Prints, per partition the dead engine led, how long it had no leader (from
the kill to the first STATUS of a new leader serving it).

With `--stop`, the leader is frozen instead (SIGSTOP) for three election
timeouts while the load goes on, then woken (SIGCONT): the others elect
new leaders meanwhile, the woken engine serves none of the partitions it
led when it stopped until it is elected again (it stepped down: its log
says so), and still every execution ends SUCCESS and every action ran
once. Then `sirocco execution list` through the cluster file, with the
dead engine still down (or the woken one serving again), lists every
execution once: the engines that answer serve every partition.

With `--wipe`, first a follower (an engine leading the fewest partitions)
is killed, its data folder deleted, and started again under load: it
rejoins every group empty and catches up from the others (entries, or a
snapshot of the partition); then the leader of the most partitions is
killed and left down, so the wiped engine's copies are needed for a
majority: still every execution ends SUCCESS and every action ran once.

With `--members`, no engine is killed: under the same load, `sirocco
cluster add-engine e4` adds a fourth engine (it is given its share of the
copies, online), then `sirocco cluster remove-engine` takes out the
engine leading the most partitions (its copies move to the others, it is
stopped and its data deleted); each command must succeed while the load
goes on, and still every execution ends SUCCESS and every action ran
once, and the executions are listed whole through the rewritten cluster
file.

Without options, before the kill a delegate execution is started in a
partition the leader leads and `sirocco execution watch` follows it;
after the kill, with the engine down, `sirocco workflow create` stores a
new workflow (whose executions then run in every partition) and `sirocco
action complete --token` ends the delegate: the watch, whose subscription
was on the killed engine, gets the execution's final event (the client
subscribes again where the partition is served now).

Before the load, and at the end, `sirocco cluster status --json` shows for
each partition one leader, the three replicas, a term and a commit index,
and the leader's view of its two followers' lag; at the end an engine
killed and left down lags in every partition (entries were committed
since), and with `--members` the replicas are the three engines left.
Without options a gateway runs too, and its /metrics carries,
before the kill, the sirocco_raft_* families of every engine: elections,
leadership lost, commit latency, snapshots sent, and a follower's lag in
every partition."""
import collections
import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import srtest  # noqa: E402
import srlocal  # noqa: E402
from gwtest import free_port  # noqa: E402

PARTITIONS = 6
# The plain run (the leader killed and left down) starts the 500
# executions; the other modes 240 each, to keep CI's run short.
EXECUTIONS = int(os.environ.get(
    "SR_FAILOVER_EXECUTIONS", "240" if len(sys.argv) > 1 else "500"))
WF = """
version: '2.0'
linear:
  input: [n, log]
  tasks:
    a:
      action: test.tally key=<% 'la-' + str($.n) %> log=<% $.log %>
      on-success: b
    b:
      action: test.tally key=<% 'lb-' + str($.n) %> log=<% $.log %>
      on-success: c
    c:
      action: test.tally key=<% 'lc-' + str($.n) %> log=<% $.log %>
joined:
  input: [n, log]
  tasks:
    a:
      action: test.tally key=<% 'ja-' + str($.n) %> log=<% $.log %>
      on-success: [b, c]
    b:
      action: test.tally key=<% 'jb-' + str($.n) %> log=<% $.log %>
      on-success: d
    c:
      action: test.tally key=<% 'jc-' + str($.n) %> log=<% $.log %>
      on-success: d
    d:
      join: all
      action: test.tally key=<% 'jd-' + str($.n) %> log=<% $.log %>
held:
  input: [note]
  tasks:
    wait:
      action: test.delegate note=<% $.note %>
"""
FRESH = """
version: '2.0'
fresh:
  input: [n, log]
  tasks:
    only:
      action: test.tally key=<% 'f-' + str($.n) %> log=<% $.log %>
"""
KEYS = {"linear": ["la", "lb", "lc"], "joined": ["ja", "jb", "jc", "jd"],
        "fresh": ["f"]}


def try_call(c, type_, timeout_ms, **fields):
    """A request that may go unanswered (an engine stopped, or busy):
    its body, None after `timeout_ms`, or ProtoError."""
    c.req += 1
    req = c.req
    c.sock.send(srtest.pack(type_, req_id=req, **fields))
    deadline = time.time() + timeout_ms / 1000.0
    while True:
        left = int((deadline - time.time()) * 1000)
        got = c.recv(left) if left > 0 else None
        if got is None:
            return None
        t, f = got
        if f.get("req_id") != req:
            continue
        if t == "ERROR":
            raise srtest.ProtoError(f)
        return f["body"]


class Leaders:
    """Which engine serves each partition, from the engines' STATUS."""

    def __init__(self, lc, clients):
        self.lc, self.clients, self.down = lc, clients, set()
        self.hook = None  # called first at each read (engines joining)

    def read(self):
        if self.hook:
            self.hook()
        out = {}
        for name, c in self.clients.items():
            if name in self.down:
                continue
            try:
                st = try_call(c, "STATUS", 2000)
            except srtest.ProtoError:
                continue
            if st is None:
                print("%s: no answer to STATUS within 2 s" % name,
                      flush=True)
                continue
            for p in st.get("partitions", []):
                out[p] = name
        return out

    def wait_all(self, timeout):
        deadline = time.time() + timeout
        while True:
            got = self.read()
            if len(got) == PARTITIONS:
                return got
            if time.time() > deadline:
                srtest.fail("partitions without a leader after %d s: %s"
                            % (timeout, sorted(set(range(PARTITIONS)) -
                                               set(got))))
            time.sleep(0.05)


def call_leader(leaders, part, type_, **fields):
    """A request about `part` to its leader, asked again while there is
    none (an election) or it moves."""
    deadline = time.time() + 30
    while True:
        owner = leaders.read().get(part)
        if owner:
            try:
                got = try_call(leaders.clients[owner], type_, 5000, **fields)
                if got is not None:
                    return got
            except srtest.ProtoError as e:
                if e.code not in ("EUNAVAIL", "ETIMEDOUT"):
                    raise
        if time.time() > deadline:
            srtest.fail("%s on partition %d: no leader took it in 30 s"
                        % (type_, part))
        time.sleep(0.1)


def s_gaps(leaders, lost, victim, killed_at):
    """How long each partition of the dead engine had no leader: from the
    kill to the first STATUS of another engine serving it."""
    gaps = {}
    while len(gaps) < len(lost) and time.time() - killed_at < 30:
        now = leaders.read()
        for p in lost:
            if p not in gaps and now.get(p) and now[p] != victim:
                gaps[p] = time.time() - killed_at
        time.sleep(0.02)
    if len(gaps) < len(lost):
        srtest.fail("partitions %s of %s got no new leader in 30 s"
                    % (sorted(set(lost) - set(gaps)), victim))
    return gaps


def s_stepped_down(lc, leaders, victim):
    """The woken engine says it no longer leads what it led, within 5 s."""
    deadline = time.time() + 5
    while "no longer leading" not in lc.log_tail(victim, 20000):
        if time.time() > deadline:
            srtest.fail("%s woken: it did not step down within 5 s: %s"
                        % (victim, lc.log_tail(victim)))
        time.sleep(0.05)
    return time.time()


def s_raft_status(lc, down=None, timeout=10):
    """`cluster status --json`, asked until each partition has one leader
    (not `down`) with the three replicas, a term, a commit index and its
    two followers' lag (`down`'s at least 1); the partitions then."""
    names = [e["name"] for e in lc.engines]
    deadline = time.time() + timeout
    while True:
        out = lc.run("cluster", "status", "--data", lc.dir, "--json")
        why = None
        if out.returncode not in (0, 1):
            why = "exit %d: %s" % (out.returncode, out.stderr)
        for x in json.loads(out.stdout)["partitions"] if not why else []:
            followers = sorted(set(names) - {x["leader"]})
            if (x["leader"] not in names or x["leader"] == down or
                    x["replicas"] != names or (x["term"] or 0) < 1 or
                    (x["commit"] or 0) < 1 or
                    sorted(x["lag"] or {}) != followers or
                    (down and x["lag"][down] < 1)):
                why = "partition %d: %s" % (x["id"], x)
                break
        if not why:
            return json.loads(out.stdout)["partitions"]
        if time.time() > deadline:
            srtest.fail("cluster status after %d s: %s" % (timeout, why))
        time.sleep(0.2)


def s_metrics(port, lc):
    """The gateway's /metrics, every engine up: the sirocco_raft_* samples
    of each, and a follower's lag in every partition."""
    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port,
                                timeout=30) as r:
        text = r.read().decode()
    eps = sorted(e["client"] for e in lc.engines)
    total = {}
    for family in ["sirocco_raft_elections_total",
                   "sirocco_raft_leader_changes_total",
                   "sirocco_raft_commit_latency_seconds_count",
                   "sirocco_raft_snapshots_sent_total"]:
        got = {ep: float(v) for ep, v in re.findall(
            r'^%s\{engine="([^"]+)"\} (\S+)$' % family, text, re.M)}
        if sorted(got) != eps:
            srtest.fail("/metrics %s of %s, not %s" % (family, sorted(got),
                                                       eps))
        total[family] = sum(got.values())
    if total["sirocco_raft_elections_total"] < PARTITIONS or \
            total["sirocco_raft_commit_latency_seconds_count"] < 1:
        srtest.fail("/metrics: %s" % total)
    lag = re.findall(r'^sirocco_raft_follower_lag_entries\{engine="[^"]+",'
                     r'partition="(\d+)",follower="e\d"\} \d+$', text, re.M)
    if sorted(set(int(p) for p in lag)) != list(range(PARTITIONS)):
        srtest.fail("/metrics: followers' lag of partitions %s" % lag)
    return total


class Watch:
    """`sirocco execution watch ID --json` through the cluster file, its
    output lines read as they come."""

    def __init__(self, lc, eid):
        self.eid = eid
        self.proc = subprocess.Popen(
            [lc.sirocco, "execution", "watch", eid, "--cluster",
             lc.cluster_file, "--json", "--timeout", "120000"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines = queue.Queue()
        self.seen = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def event(self, state, timeout):
        """True once an `execution` event of `state` was printed."""
        deadline = time.time() + timeout
        while True:
            if any(x.get("kind") == "execution" and x.get("state") == state
                   for x in self.seen):
                return True
            left = deadline - time.time()
            try:
                line = self.lines.get(timeout=left) if left > 0 else None
            except queue.Empty:
                line = None
            if line is None:
                return False
            self.seen.append(json.loads(line))

    def subscribed(self, leaders, part):
        """Pause and resume the execution until the watch prints its
        PAUSED event: then it is subscribed."""
        for _ in range(20):
            call_leader(leaders, part, "EX_PAUSE",
                        execution_id=srtest.uid(self.eid))
            seen = self.event("PAUSED", 1.0)
            call_leader(leaders, part, "EX_RESUME",
                        execution_id=srtest.uid(self.eid))
            if seen:
                return
        srtest.fail("the watch of %s printed no event: %s"
                    % (self.eid, self.seen))

    def finish(self):
        """Its final event SUCCESS, then its exit: 0."""
        got = self.event("SUCCESS", 60)
        try:
            _, err = self.proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.communicate()
            srtest.fail("the watch of %s did not end: %s" % (self.eid,
                                                              self.seen))
        if not got or self.proc.returncode != 0:
            srtest.fail("the watch of %s (exit %d) printed no final event: "
                        "%s %s" % (self.eid, self.proc.returncode, self.seen,
                                   err))
        print("watch of %s: %s" % (self.eid, ", ".join(
            "%s %s" % (x["kind"], x["state"]) for x in self.seen
            if "kind" in x)), flush=True)


def s_noted(path, timeout=15):
    """The delegate's note: its action id and token."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if os.path.exists(path):
            with open(path) as f:
                lines = f.read().splitlines()
            if lines:
                return json.loads(lines[0])
        time.sleep(0.05)
    srtest.fail("the delegate did not run (%s)" % path)


def s_with_engine_down(lc, leaders, log, ids, victim):
    """With `victim` down: a new workflow stored through the cluster file
    and started in every partition."""
    path = os.path.join(lc.dir, "fresh.yaml")
    with open(path, "w") as f:
        f.write(FRESH)
    out = lc.run("workflow", "create", path, "--cluster", lc.cluster_file,
                 "--timeout", "10000")
    if out.returncode != 0:
        srtest.fail("workflow create with %s down failed (%d): %s"
                    % (victim, out.returncode, out.stderr))
    for part in range(PARTITIONS):
        eid = srtest.new_id(part)
        n = 10000 + part
        call_leader(leaders, part, "EX_START", workflow="fresh",
                    id=srtest.uid(eid), input={"n": n, "log": log})
        ids[eid] = ("fresh", n)


class Change:
    """A `sirocco cluster` membership command run in the background while
    the load goes on."""

    def __init__(self, lc, *args):
        self.lc, self.args = lc, args
        self.started = time.time()
        self.proc = subprocess.Popen(
            [lc.sirocco, "cluster"] + list(args) + ["--data", lc.dir,
                                                    "--timeout", "90000"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.took = None

    def done(self):
        """True once it ended (failing the test if it failed)."""
        if self.proc.poll() is None:
            return False
        out, err = self.proc.communicate()
        if self.proc.returncode != 0:
            srtest.fail("cluster %s failed (%d): %s%s"
                        % (" ".join(self.args), self.proc.returncode, out,
                           err))
        if self.took is None:
            self.took = time.time() - self.started
            print("cluster %s: %s(%.1f s)" % (" ".join(self.args),
                                               out.strip() + " ", self.took),
                  flush=True)
        return True

    def wait(self):
        while not self.done():
            time.sleep(0.05)


def s_forwarded(lc, clients, ids):
    """An engine without a copy of a partition forwards a request about
    it to its leader (learnt from the peers' heartbeats): EX_GET of
    executions of each partition at an engine that lacks it."""
    done = set()
    deadline = time.time() + 10
    for i in ids:
        part = srlocal.partition_of(i)
        other = next((e["name"] for e in lc.engines
                      if part not in e["partitions"]
                      and e["name"] in clients), None)
        if other is None or part in done:
            continue
        while True:
            try:
                b = try_call(clients[other], "EX_GET", 5000,
                             execution_id=srtest.uid(i))
                if b is not None and b["id"] == i:
                    break
            except srtest.ProtoError as e:
                if e.code != "EUNAVAIL" or time.time() > deadline:
                    raise
            if time.time() > deadline:
                srtest.fail("EX_GET of %s at %s (no copy of partition %d) "
                            "unanswered" % (i, other, part))
            time.sleep(0.1)
        done.add(part)
    if not done:
        srtest.fail("no engine lacks a copy of any partition")
    return len(done)


def main():
    stop = "--stop" in sys.argv[1:]
    wipe = "--wipe" in sys.argv[1:]
    members = "--members" in sys.argv[1:]
    port = free_port() if not (stop or wipe or members) else None
    follow = not (stop or wipe or members)
    lc = srlocal.LocalCluster(
        engines=3, workers=2, partitions=PARTITIONS,
        # --slots 4: each action is a Python process; the default 64 per
        # worker start too many at once for 200 ms heartbeats on 2 cores.
        extra=["--replicas", "3", "--actions-dir",
               os.path.join(HERE, "actions"), "--heartbeat-ms", "200",
               "--slots", "4"] +
        (["--gateway", "127.0.0.1:%d" % port] if port else []))
    clients = {}
    try:
        clients = {e["name"]: srtest.Client(e["client"]) for e in lc.engines}
        leaders = Leaders(lc, clients)
        start = leaders.wait_all(30)
        s_raft_status(lc)
        log = os.path.join(lc.dir, "tally.log")
        for c in clients.values():  # every engine: the catalog everywhere
            c.create(WF)
        # The engine leading the most partitions.
        count = collections.Counter(start.values())
        victim = count.most_common(1)[0][0]
        ids = {}
        killed_at = None
        lost, gaps = [], {}
        if wipe:  # the kill comes later, after the follower's wipe
            victim = count.most_common()[0][0]
            follower = next(e["name"] for e in lc.engines
                            if e["name"] != victim)
        adding = removing = None
        others = []  # executions not counted in the tally log
        for n in range(EXECUTIONS):
            wf = "linear" if n % 2 else "joined"
            part = n % PARTITIONS
            if members and n == EXECUTIONS // 6:
                adding = Change(lc, "add-engine", "e4")

                # Once e4 is in, it may lead partitions (the one it lists
                # first is handed to it): the test asks it too from then on.
                def s_join():
                    if "e4" not in clients and adding.done():
                        lc.load()
                        clients["e4"] = srtest.Client(
                            lc.engine("e4")["client"])
                leaders.hook = s_join
            if members and n == EXECUTIONS // 2:
                adding.wait()
                leaders.read()  # e4 joins the clients
                print("requests forwarded by an engine without a copy, for "
                      "%d partitions" % s_forwarded(lc, clients, ids),
                      flush=True)
                victim = collections.Counter(
                    leaders.read().values()).most_common(1)[0][0]
                removing = Change(lc, "remove-engine", victim)
            if removing and removing.done() and victim in clients:
                leaders.down.add(victim)
                clients.pop(victim).close()
            if wipe and n == EXECUTIONS // 6:
                lc.kill(follower)
                shutil.rmtree(os.path.join(lc.dir, follower))
                lc.restart(follower)
            if n == EXECUTIONS // 3 and not members:
                if port:
                    print("metrics before the kill: %s" % s_metrics(port, lc))
                lost = [p for p, e in leaders.read().items() if e == victim]
                if follow:  # a delegate in its partition, watched
                    held = srtest.new_id(lost[0])
                    note = os.path.join(lc.dir, "held.note")
                    call_leader(leaders, lost[0], "EX_START", workflow="held",
                                id=srtest.uid(held), input={"note": note})
                    token = s_noted(note)["token"]
                    watch = Watch(lc, held)
                    watch.subscribed(leaders, lost[0])
                if stop:
                    os.kill(lc.procs[victim]["pid"], signal.SIGSTOP)
                else:
                    lc.kill(victim)
                killed_at = time.time()
                leaders.down.add(victim)
                gaps = s_gaps(leaders, lost, victim, killed_at)
                if follow:
                    s_with_engine_down(lc, leaders, log, ids, victim)
                    out = lc.run("action", "complete", token, "--token",
                                 "--result", '"done"', "--cluster",
                                 lc.cluster_file, "--timeout", "10000")
                    if out.returncode != 0:
                        srtest.fail("action complete with %s down failed "
                                    "(%d): %s" % (victim, out.returncode,
                                                  out.stderr))
                    watch.finish()
                    others.append(held)
            if stop and n == EXECUTIONS // 2:
                # Frozen for three election timeouts, then woken.
                time.sleep(max(0.0, killed_at + 3.0 - time.time()))
                os.kill(lc.procs[victim]["pid"], signal.SIGCONT)
                leaders.down.discard(victim)
                s_stepped_down(lc, leaders, victim)
            # Under the test's own id: a start asked again (its leader
            # moved, or its answer was late) makes no second execution.
            eid = srtest.new_id(part)
            b = call_leader(leaders, part, "EX_START", workflow=wf,
                            id=srtest.uid(eid), input={"n": n, "log": log})
            if b["id"] != eid:
                srtest.fail("EX_START under %s answered %s" % (eid, b["id"]))
            ids[eid] = (wf, n)
        if removing:
            removing.wait()
            leaders.down.add(victim)
            if victim in clients:
                clients.pop(victim).close()
            lc.load()
            if any(e["name"] == victim for e in lc.engines):
                srtest.fail("%s still in cluster.json" % victim)
        # Every execution ends SUCCESS.
        deadline = time.time() + 180
        rest = dict(ids)
        while rest:
            for i in list(rest):
                b = call_leader(leaders, srlocal.partition_of(i), "EX_GET",
                                execution_id=srtest.uid(i))
                if b["state"] in srtest.FINAL:
                    if b["state"] != "SUCCESS":
                        srtest.fail("execution %s ended %s: %s"
                                    % (i, b["state"], b.get("state_info")))
                    del rest[i]
            if rest and time.time() > deadline:
                srtest.fail("%d executions not ended after 180 s, e.g. %s"
                            % (len(rest), next(iter(rest))))
            time.sleep(0.2)
        # Every action ran exactly once.
        with open(log) as f:
            ran = collections.Counter(line.strip() for line in f)
        want = {"%s-%d" % (k, n) for wf, n in ids.values() for k in KEYS[wf]}
        twice = sorted(k for k, c in ran.items() if c > 1)
        missing = sorted(want - set(ran))
        if twice or missing:
            srtest.fail("actions run twice: %s; never: %s"
                        % (twice[:5], missing[:5]))
        # The list from every engine, one down: whole, without duplicates.
        out = lc.run("execution", "list", "--cluster", lc.cluster_file,
                     "--json", "--limit", str(len(ids) + len(others) + 1),
                     "--timeout", "10000")
        if out.returncode != 0:
            srtest.fail("execution list with %s down failed (%d): %s"
                        % (victim, out.returncode, out.stderr))
        listed = [e["id"] for e in json.loads(out.stdout)]
        if sorted(listed) != sorted(list(ids) + others):
            srtest.fail("execution list with %s down: %d items for %d "
                        "executions (%d distinct)" % (victim, len(listed),
                                                      len(ids),
                                                      len(set(listed))))
        # The leaders' view: an engine killed and left down misses
        # entries everywhere; one removed is no longer a replica.
        if members:
            lc.load()
        down = victim if not (stop or members) else None
        parts = s_raft_status(lc, down)
        print("cluster status: %s" % ", ".join(
            "partition %d led by %s term %d commit %d lag %s"
            % (x["id"], x["leader"], x["term"], x["commit"], x["lag"])
            for x in parts))
        if members:
            print("membership under load: e4 added in %.1f s, %s removed in "
                  "%.1f s; %d executions SUCCESS, %d actions each ran once"
                  % (adding.took, victim, removing.took, len(ids),
                     len(want)))
            return 0
        if follow:
            print("with %s down: a new workflow created and run in every "
                  "partition, a delegate completed by token, its watch "
                  "got the final event" % victim)
        print("replicated failover: %s (leading %d of %d partitions) %s "
              "after %d of %d starts; %d executions SUCCESS, %d actions "
              "each ran once; no leader for %s"
              % (victim, len(lost), PARTITIONS,
                 "frozen for 3 s, woken and stepped down" if stop
                 else ("killed after %s was wiped and restarted" % follower
                       if wipe else "killed"), EXECUTIONS // 3, EXECUTIONS,
                 len(ids), len(want),
                 ", ".join("partition %d %.2f s" % (p, gaps[p])
                           for p in sorted(gaps))))
        return 0
    finally:
        for c in clients.values():
            c.close()
        lc.stop()


if __name__ == "__main__":
    sys.exit(main())
