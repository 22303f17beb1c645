#!/usr/bin/env python3
"""kill -9 of one of 3 engines (e2) during a run of 300 executions on a
cluster from `sirocco cluster up`, then a restart with the command line
recorded in cluster.json: every execution of e1's and e3's partitions
ends while e2 is down, every start and read of e2's partitions fails at
once with EUNAVAIL meanwhile, then all 300 end SUCCESS and every action
ran exactly once (a custom action appends its key to a file).

The tasks carry `retry` so that an action whose GO was lost in the crash
(recorded as started, never told to the worker) runs again, as the
protocol says; a retry of an action that had run would show up as a key
written twice. Each action is a Python process (tests/integration/
actions/test.tally): 600 of them keep this test near half a minute on 2
cores."""
import collections
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import srtest  # noqa: E402
import srlocal  # noqa: E402

N = 300
PARTITIONS = 6

WF = """
version: '2.0'
crash:
  input: [n, log]
  output:
    keys: <% [$.a, $.b] %>
  tasks:
    a:
      action: test.tally key=<% 'a-' + str($.n) %> log=<% $.log %>
      retry: {count: 1, delay: 0}
      publish: {a: <% task().result.key %>}
      on-success: b
    b:
      action: test.tally key=<% 'b-' + str($.n) %> log=<% $.log %>
      retry: {count: 1, delay: 0}
      publish: {b: <% task().result.key %>}
"""


def lines(path):
    if not os.path.exists(path):
        return 0
    with open(path) as f:
        return sum(1 for _ in f)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    lc = srlocal.LocalCluster(
        engines=3, workers=2, partitions=PARTITIONS,
        extra=["--actions-dir", os.path.join(here, "actions"),
               "--heartbeat-ms", "200",
               # One copy each: what a restart brings back (the replicated
               # crash tests are replicated_failover's and chaos_kill's).
               "--replicas", "1",
               # Each action is a Python process: 4 at once per worker, not
               # the default 64 (128 processes starting at once on 2 cores
               # starve the 200 ms heartbeats, and workers are found lost).
               "--slots", "4"])
    cls = None
    try:
        log = os.path.join(lc.dir, "tally.log")
        cls = srlocal.Clients(lc)
        e1 = cls.by_name["e1"]
        e1.create(WF)
        time.sleep(0.3)  # the definition reaches the peers
        bodies = e1.call_many(
            "EX_START", [dict(workflow="crash", input={"n": i, "log": log},
                              partition=i % PARTITIONS) for i in range(N)])
        bad = [b for b in bodies if isinstance(b, srtest.ProtoError)]
        if bad:
            srtest.fail("start: %s" % bad[0])
        ids = [b["id"] for b in bodies]
        on_e2 = [i for i in ids
                 if lc.owner(srlocal.partition_of(i))["name"] == "e2"]
        others = [i for i in ids if i not in set(on_e2)]
        # Crash e2 with about a quarter of the actions done.
        deadline = time.time() + 60
        while lines(log) < N // 2:
            if time.time() > deadline:
                srtest.fail("only %d actions ran in 60 s" % lines(log))
            time.sleep(0.01)
        lc.kill("e2")
        t_kill = time.time()
        before = cls.get_all(others)
        left = sum(1 for b in before.values()
                   if b["state"] not in srtest.FINAL)
        # e2's partitions: a clear error at once, from e1 (forwarding).
        for probe in (lambda: e1.get(on_e2[0]),
                      lambda: e1.start("crash", input={"n": -1, "log": log},
                                       partition=2)):
            t0 = time.time()
            try:
                probe()
                srtest.fail("a request for e2's partitions worked")
            except srtest.ProtoError as e:
                srtest.check("error for e2's partitions", e.code, "EUNAVAIL")
            if time.time() - t0 > 6:
                srtest.fail("EUNAVAIL took %.1f s" % (time.time() - t0))
        # Meanwhile e1's and e3's executions all end.
        cls.wait_final(others, timeout=90, names=("e1", "e3"))
        t_others = time.time() - t_kill
        lc.restart("e2")
        done = cls.wait_final(ids, timeout=120)
        not_ok = [i for i in ids if done[i]["state"] != "SUCCESS"]
        if not_ok:
            srtest.fail("%d executions not SUCCESS, e.g. %s: %s"
                        % (len(not_ok), not_ok[0],
                           done[not_ok[0]]["state_info"]))
        for n, i in enumerate(ids):
            srtest.check("output of %d" % n, done[i]["output"],
                         {"keys": ["a-%d" % n, "b-%d" % n]})
        with open(log) as f:
            counts = collections.Counter(line.strip() for line in f)
        twice = [k for k, c in counts.items() if c != 1]
        if twice:
            srtest.fail("actions ran more than once: %s" % twice[:5])
        srtest.check("actions run", len(counts), 2 * N)
        cls.check_no_phantoms()
        print("cluster crash: e2 killed with %d of %d executions of e1/e3 "
              "unfinished, all ended %.1f s later while e2 was down; after "
              "its restart %d executions SUCCESS, %d actions ran once"
              % (left, len(others), t_others, N, 2 * N))
        return 0
    finally:
        if cls:
            cls.close()
        lc.stop()


if __name__ == "__main__":
    sys.exit(main())
