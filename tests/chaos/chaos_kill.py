#!/usr/bin/python3
"""Chaos run: kill -9 of engines (and workers) of a `sirocco cluster up`
cluster under a steady stream of executions, each killed process started
again after 1-3 s with the command line cluster.json records. At the end:
every execution ended SUCCESS, every action ran (a custom action appends
its key to a file; tasks carry `retry`), exactly once when only engines
were killed, and the invariant of issue 18 holds: no engine still counts
an action on a worker (each action it believed RUNNING there was running,
or was found lost within the expiry time), so nothing is stuck.

A worker killed while an action runs loses that run: the engine fails it
as lost and the task's retry runs it again, so with --worker-kills an
action may run twice (at least once, as docs/engine.md says); only those
that ran while a worker died may.

Not part of CI's default run (minutes long). From the project root:

    /usr/bin/python3 tests/chaos/chaos_kill.py --engine-kills 50

With --replicas 3 the cluster's partitions are replicated (each on all
three engines): a killed engine's partitions move to the others within
seconds instead of waiting for its restart. The run then also measures
failover times: a Probe (failover_probe.py) keeps one start of a
workflow without actions in flight per partition, sent to its leader,
one every --probe-interval s (default 0.2), and for each engine kill and
each partition the engine led, the summary gives the time from the last
commit of the partition before the kill to the first after it (the
failover time; it includes up to one probe interval before the kill),
and from the kill to that first commit, as p50 / p99 / max. The probes'
executions are checked as the others are (every one SUCCESS, none lost).

Options: --engine-kills N (default 50), --worker-kills N (default 0),
--minutes M (kill for M minutes instead of a number of kills; the kinds
are then drawn at random in the proportion of --engine-kills to
--worker-kills), --rate R executions started per second (default 10)
while at most --backlog N actions (default 150) wait to run, --seed S.
Prints one line per kill and a summary: executions started, SUCCESS, lost
(their start was answered, and no engine knows them at the end) or ended
otherwise, actions run twice; exit 0 when every check passed. At the end
the run waits as long as executions keep ending; none ending for 60 s is
a failure that names the open actions. A 10-minute replicated run with
engine and worker kills:

    /usr/bin/python3 tests/chaos/chaos_kill.py --replicas 3 --minutes 10 \
        --engine-kills 3 --worker-kills 1
"""
import argparse
import collections
import os
import random
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import srtest  # noqa: E402
import srlocal  # noqa: E402
import failover_probe as fp  # noqa: E402

PARTITIONS = 6
WF = """
version: '2.0'
chaos:
  input: [n, log]
  output:
    keys: <% [$.a, $.b, $.c] %>
  tasks:
    a:
      action: test.tally key=<% 'a-' + str($.n) %> log=<% $.log %>
      retry: {count: 3, delay: 0}
      publish: {a: <% task().result.key %>}
      on-success: [b, c]
    b:
      action: test.tally key=<% 'b-' + str($.n) %> log=<% $.log %>
      retry: {count: 3, delay: 0}
      publish: {b: <% task().result.key %>}
    c:
      action: test.tally key=<% 'c-' + str($.n) %> log=<% $.log %>
      retry: {count: 3, delay: 0}
      publish: {c: <% task().result.key %>}
"""


def lines(path):
    if not os.path.exists(path):
        return 0
    with open(path) as f:
        return sum(1 for _ in f)


def is_lost(body):
    return isinstance(body, srtest.ProtoError) and body.code == "ENOTFOUND"


def wait_progress(cls, ids, stall_s):
    """Wait while executions keep ending; fail when none ended for
    `stall_s` seconds (something is stuck), naming the open actions.
    An execution no engine knows (ENOTFOUND) is lost: it counts as ended,
    the caller reports it."""
    left, since = None, time.time()
    while True:
        got = cls.get_all(ids)
        rest = [i for i, b in got.items() if not is_lost(b) and
                (isinstance(b, srtest.ProtoError) or
                 b["state"] not in srtest.FINAL)]
        if not rest:
            return got
        if left is None or len(rest) < left:
            left, since = len(rest), time.time()
        elif time.time() - since > stall_s:
            srtest.fail("%d of %d executions have not ended and none ended "
                        "for %d s; %s" % (len(rest), len(ids), stall_s,
                                          cls.describe_actions(rest[:5])))
        time.sleep(1)


def s_outcome(ids, done, what):
    """(lost, not SUCCESS) of executions `ids`, each printed once."""
    lost = [i for i in ids if is_lost(done[i])]
    bad = [i for i in ids if i not in lost and done[i]["state"] != "SUCCESS"]
    if lost:
        print("chaos: %d %s lost, e.g. %s" % (len(lost), what, lost[0]))
    if bad:
        print("chaos: %d %s not SUCCESS, e.g. %s: %s"
              % (len(bad), what, bad[0], done[bad[0]].get("state_info")))
    return lost, bad


def s_failover(probe, engine_kills):
    """Failover samples ({"gap": [...], "from_kill": [...]}, seconds) of
    every engine kill and partition it led; each partition must have
    been written again within 30 s of the last kill."""
    out = {"gap": [], "from_kill": []}
    if not probe:
        return out
    deadline = time.monotonic() + 30
    for name, led, killed_at, dead_at in engine_kills:
        while True:
            got = probe.samples(name, led, killed_at, dead_at)
            if len(got) == len(led):
                break
            if time.monotonic() > deadline:
                srtest.fail("partitions %s were not written again after "
                            "%s was killed" % (sorted(set(led) - set(got)),
                                               name))
            time.sleep(0.1)
        for p in led:
            if got[p]["gap"] is not None:
                out["gap"].append(got[p]["gap"])
            out["from_kill"].append(got[p]["from_kill"])
    return out


def s_probes(cls, probe):
    """Stop the probe and check its executions: a summary line."""
    if not probe:
        return ""
    probe.stop()
    ids = list(probe.ids)
    got = {}
    for k in range(0, len(ids), 2000):  # not all in flight at once
        got.update(cls.get_all(ids[k:k + 2000]))
    lost, bad = s_outcome(ids, got, "probe executions")
    if lost or bad:
        srtest.fail("probe executions lost: %s; not SUCCESS: %s"
                    % (lost[:5], bad[:5]))
    return "%d started, all SUCCESS, none lost" % len(ids)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--engine-kills", type=int, default=50)
    ap.add_argument("--worker-kills", type=int, default=0)
    ap.add_argument("--rate", type=float, default=10.0)
    ap.add_argument("--backlog", type=int, default=150)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    ap.add_argument("--replicas", type=int, default=1)
    ap.add_argument("--minutes", type=float, default=0)
    ap.add_argument("--probe-interval", type=float, default=0.2)
    args = ap.parse_args()
    if args.engine_kills + args.worker_kills <= 0:
        ap.error("--engine-kills and --worker-kills: at least one kill")
    rnd = random.Random(args.seed)
    print("chaos: seed %d" % args.seed, flush=True)
    lc = srlocal.LocalCluster(
        engines=3, workers=2, partitions=PARTITIONS,
        # --slots 4: each action is a Python process; the default 64 per
        # worker start too many at once for 200 ms heartbeats on 2 cores.
        extra=["--actions-dir",
               os.path.join(HERE, "..", "integration", "actions"),
               "--heartbeat-ms", "200", "--replicas", str(args.replicas),
               "--slots", "4"])
    cls, probe = None, None
    try:
        log = os.path.join(lc.dir, "tally.log")
        cls = srlocal.Clients(lc)
        for c in cls.by_name.values():
            c.create(WF)
            if args.replicas > 1:
                c.create(fp.INLINE_WF)
        if args.replicas > 1:
            probe = fp.probe_of(lc, interval_s=args.probe_interval)
            probe.wait_leaders(lambda m: len(m) == PARTITIONS, 60)
        down = {}       # name -> time it goes up again
        engine_kills = []  # (victim, partitions it led, killed, dead)
        ids = []
        n = 0
        kills = collections.Counter()
        plan = (["engine"] * args.engine_kills +
                ["worker"] * args.worker_kills)
        rnd.shuffle(plan)
        next_kill = time.time() + 2
        t0 = time.time()
        stop_at = t0 + 60 * args.minutes if args.minutes else None

        def more():
            return time.time() < stop_at if stop_at else bool(plan)

        while more() or down:
            now = time.time()
            for name, at in list(down.items()):
                if now >= at:
                    lc.restart(name)
                    del down[name]
            if more() and now >= next_kill and not down:
                kind = plan.pop() if not stop_at else rnd.choices(
                    ["engine", "worker"],
                    [args.engine_kills, args.worker_kills])[0]
                names = [p for p in lc.procs if p.startswith(
                    "e" if kind == "engine" else "w")]
                name = rnd.choice(names)
                led = []
                if probe and kind == "engine":
                    led = sorted(p for p, e in probe.leaders().items()
                                 if e == name)
                killed_at = time.monotonic()
                lc.kill(name)
                if probe and kind == "engine":
                    engine_kills.append((name, led, killed_at,
                                         time.monotonic()))
                kills[kind] += 1
                down[name] = now + rnd.uniform(1.0, 3.0)
                print("%6.1f s: kill -9 %s (%d engine, %d worker kills)"
                      % (now - t0, name, kills["engine"], kills["worker"]),
                      flush=True)
                next_kill = now + rnd.uniform(2.0, 4.0)
            # Start a few executions on partitions whose owner is up, while
            # the workers keep up (each action is a Python process).
            live = [e for e in lc.engines if e["name"] not in down]
            backlog = 3 * len(ids) - lines(log)
            for _ in range(max(1, int(args.rate / 10))
                           if backlog < args.backlog else 0):
                e = rnd.choice(live)
                part = rnd.choice(e["partitions"])
                try:
                    b = cls.by_name[e["name"]].call(
                        "EX_START", timeout_ms=5000, workflow="chaos",
                        input={"n": n, "log": log}, partition=part)
                    ids.append(b["id"])
                    n += 1
                except srtest.ProtoError as err:
                    if err.code != "EUNAVAIL":
                        srtest.fail("EX_START: %s" % err)
            time.sleep(0.1)
        t_end = time.time()
        failover = s_failover(probe, engine_kills)
        done = wait_progress(cls, ids, stall_s=60)
        lost, bad = s_outcome(ids, done, "executions")
        probes = s_probes(cls, probe)
        with open(log) as f:
            counts = collections.Counter(line.strip() for line in f)
        twice = sorted(k for k, c in counts.items() if c != 1)
        if twice and not kills["worker"]:
            srtest.fail("%d actions ran more than once: %s"
                        % (len(twice), twice[:5]))
        want = set("%s-%d" % (t, int(done[i]["input"]["n"]))
                   for i in ids if i not in lost for t in "abc")
        missing = want - set(counts)
        if missing:
            srtest.fail("actions never ran: %s" % sorted(missing)[:5])
        cls.check_no_phantoms()
        print("chaos: %d engine and %d worker kills over %.0f s; "
              "executions: %d started, %d SUCCESS, %d lost, %d ended "
              "otherwise (the last ended %.1f s after the last restart); "
              "%d actions ran, %d of them twice (a worker died under them); "
              "no action left counted on a worker"
              % (kills["engine"], kills["worker"], t_end - t0, len(ids),
                 len(ids) - len(lost) - len(bad), len(lost), len(bad),
                 time.time() - t_end, len(want), len(twice)))
        if probe:
            print("chaos: probe executions: %s" % probes)
            print("chaos: failover time (last commit before the kill -> "
                  "first after), per engine kill and partition it led: %s"
                  % fp.summary(failover["gap"]))
            print("chaos: kill -> first commit: %s"
                  % fp.summary(failover["from_kill"]))
        if lost or bad:
            srtest.fail("executions lost: %s; ended otherwise than "
                        "SUCCESS: %s" % (lost[:5], bad[:5]))
        return 0
    finally:
        if probe:
            probe.close()
        if cls:
            cls.close()
        lc.stop()


if __name__ == "__main__":
    sys.exit(main())
