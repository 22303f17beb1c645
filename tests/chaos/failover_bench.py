#!/usr/bin/python3
"""Failover benchmark of replicated partitions (issue 12).

`sirocco cluster up --engines 3 --workers 2 --replicas 3` (6 partitions,
each with a copy on every engine, durable commits, the default election
timeout of 1,000 ms), a steady light load, and --kills times (default
20): kill -9 of the engine leading some partition (one chosen at random),
wait until every partition it led is written again, start it again from
cluster.json, wait until it leads its own partitions again (leaders are
balanced back, which C-Raft hands over only to a replica that has caught
up with the log), let the load run 1 s, and kill again.

The load: a Probe (failover_probe.py) keeps one start of a one-action
workflow (std.noop) in flight per partition, sent straight to the
partition's leader (from the engines' STATUS, polled every 50 ms), one
every --interval s (default 0.1: 60 executions/s, 60 actions/s), and
sent again after 20 ms when it fails. A start is answered once its
batch's Raft entry is committed by a majority: every answer is a commit
of the partition.

What is measured, per kill and per partition the killed engine led (a
sample):

* failover time: from the last commit of the partition answered before
  the kill to the first commit answered after it (by another engine).
  That is how long the partition took no write; it includes up to one
  --interval before the kill and up to ~20 ms of probing once the new
  leader serves. Also printed: from the kill to that first commit, and
  from the kill to the first STATUS of a new leader serving the
  partition (`elected`: the election, the new leader's barrier entry,
  and up to 50 ms of polling).
* unavailability from a client's view: from the kill until `sirocco
  execution start probe --partition P --cluster FILE --timeout 5000`,
  run again at once after each failure, first succeeds (the shipped
  client: it learns the leaders from STATUS and asks again after an
  EUNAVAIL); also the failed calls, and the time one such call takes
  while nothing fails (measured before each kill), which the figure
  includes.

Printed: one line per kill, then p50 / p99 / max over all samples of
each figure (nearest rank; with about 40 samples, p99 is the largest but
one). The probes' executions must all end SUCCESS. Not in CI (about
five minutes). From the project root:

    /usr/bin/python3 tests/chaos/failover_bench.py --kills 20 --seed 1
"""
import argparse
import os
import random
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import srtest  # noqa: E402
import srlocal  # noqa: E402
import failover_probe as fp  # noqa: E402

PARTITIONS = 6
WF = """
version: '2.0'
probe:
  input: [n]
  tasks:
    only:
      action: std.noop
"""


def cli_start(lc, part):
    """One `sirocco execution start` in partition `part`: (ok, seconds,
    error text)."""
    t0 = time.monotonic()
    out = lc.run("execution", "start", "probe", "--partition", str(part),
                 "--input", '{"n": -1}', "--cluster", lc.cluster_file,
                 "--timeout", "5000", "--json", timeout=30)
    return (out.returncode == 0, time.monotonic() - t0,
            out.stderr.strip().splitlines()[-1:] or [""])


def client_view(lc, part, killed_at, got):
    """Start in `part` until it works; got[part] = (seconds from the kill
    to the success, failed calls, first error)."""
    failed, first = 0, ""
    deadline = killed_at + 60
    while time.monotonic() < deadline:
        ok, _, err = cli_start(lc, part)
        if ok:
            got[part] = (time.monotonic() - killed_at, failed, first)
            return
        failed += 1
        first = first or err[0]
        time.sleep(0.05)
    got[part] = (None, failed, first)


def wait_samples(probe, victim, led, killed_at, dead_at, timeout_s=30):
    deadline = time.monotonic() + timeout_s
    while True:
        got = probe.samples(victim, led, killed_at, dead_at)
        if len(got) == len(led):
            return got
        if time.monotonic() > deadline:
            srtest.fail("partitions %s of %s had no commit %d s after the "
                        "kill; leaders now %s"
                        % (sorted(set(led) - set(got)), victim, timeout_s,
                           probe.leaders()))
        time.sleep(0.05)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--interval", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    ap.add_argument("--heartbeat-ms", type=int, default=0,
                    help="of engines and workers (default: cluster up's)")
    args = ap.parse_args()
    rnd = random.Random(args.seed)
    print("failover bench: seed %d, %d kills, a probe every %.2f s per "
          "partition" % (args.seed, args.kills, args.interval), flush=True)
    extra = ["--replicas", "3"]
    if args.heartbeat_ms:
        extra += ["--heartbeat-ms", str(args.heartbeat_ms)]
    lc = srlocal.LocalCluster(engines=3, workers=2, partitions=PARTITIONS,
                              extra=extra)
    cls, probe = None, None
    gaps, from_kill, elected, clients, rebalance = [], [], [], [], []
    failed_calls, call_s = 0, []
    try:
        cls = srlocal.Clients(lc)
        for c in cls.by_name.values():
            c.create(WF)
        want = fp.preferred(lc)
        probe = fp.probe_of(lc, interval_s=args.interval)
        probe.wait_leaders(want, 60)
        time.sleep(2)  # the load runs
        for i in range(args.kills):
            ok, took, err = cli_start(lc, 0)
            if not ok:
                srtest.fail("execution start before kill %d: %s"
                            % (i + 1, err[0]))
            call_s.append(took)
            leaders = probe.leaders()
            victim = leaders[rnd.choice(sorted(leaders))]
            led = sorted(p for p, e in leaders.items() if e == victim)
            killed_at = time.monotonic()
            lc.kill(victim)
            dead_at = time.monotonic()
            got = {}
            threads = [threading.Thread(target=client_view,
                                        args=(lc, p, killed_at, got))
                       for p in led]
            for t in threads:
                t.start()
            s = wait_samples(probe, victim, led, killed_at, dead_at)
            for t in threads:
                t.join()
            lc.restart(victim)
            restarted = time.monotonic()
            probe.wait_leaders(want, 90)
            back = time.monotonic() - restarted
            rebalance.append(back)
            line = []
            for p in led:
                if s[p]["gap"] is None:
                    srtest.fail("kill %d: partition %d had no commit before "
                                "it" % (i + 1, p))
                gaps.append(s[p]["gap"])
                from_kill.append(s[p]["from_kill"])
                if s[p]["elected"] is not None:
                    elected.append(s[p]["elected"])
                cv, nfail, first = got[p]
                if cv is None:
                    srtest.fail("kill %d: `execution start --partition %d` "
                                "failed for 60 s: %s" % (i + 1, p, first))
                clients.append(cv)
                failed_calls += nfail
                line.append("p%d gap %.2f s (kill->commit %.2f, elected "
                            "%s), client %.2f s after %d failed" % (
                                p, s[p]["gap"], s[p]["from_kill"],
                                "%.2f" % s[p]["elected"]
                                if s[p]["elected"] is not None else "-",
                                cv, nfail))
            print("kill %2d: %s leading %s; %s; leaders back %.1f s after "
                  "the restart" % (i + 1, victim, led, "; ".join(line),
                                   back), flush=True)
            time.sleep(1)
        probe.stop()
        ids = list(probe.ids)
        done = cls.wait_final(ids, timeout=120)
        bad = [i for i in ids if done[i]["state"] != "SUCCESS"]
        if bad:
            srtest.fail("%d of %d probe executions not SUCCESS, e.g. %s: %s"
                        % (len(bad), len(ids), bad[0],
                           done[bad[0]].get("state_info")))
        print("failover bench: %d kills, %d samples (kill, partition the "
              "killed engine led); %d probe executions, all SUCCESS"
              % (args.kills, len(gaps), len(ids)))
        print("  failover time (last commit before -> first after): %s"
              % fp.summary(gaps))
        print("  kill -> first commit:                              %s"
              % fp.summary(from_kill))
        print("  kill -> new leader serving (STATUS):               %s"
              % fp.summary(elected))
        print("  client's view (kill -> `execution start` works):   %s; "
              "%d calls failed meanwhile; one call takes %.2f s (p50) "
              "when nothing fails" % (fp.summary(clients), failed_calls,
                                      fp.percentile(call_s, 50)))
        print("  restart -> leaders balanced back:                  %s"
              % fp.summary(rebalance))
        return 0
    finally:
        if probe:
            probe.close()
        if cls:
            cls.close()
        lc.stop()


if __name__ == "__main__":
    sys.exit(main())
