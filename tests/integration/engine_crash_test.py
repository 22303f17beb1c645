#!/usr/bin/env python3
"""kill -9 of the engine during a run of 200 executions, then a restart on
the same data: all 200 finish SUCCESS, and every task ran its action
exactly once (a custom action appends its key to a file).

The tasks carry `retry` so that an action whose GO was lost in the crash
(recorded as started, never told to the worker) is run again by the retry
policy, as the protocol says; a retry of an action that had run would show
up as a key written twice."""
import collections
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import srtest  # noqa: E402

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


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    actions = os.path.join(here, "actions")
    c = srtest.Cluster()
    try:
        log = os.path.join(c.dir, "tally.log")
        e = c.engine(durability="sync")
        for name in ("w1", "w2"):
            c.worker(name, [e], slots=4, extra=["--actions-dir", actions])
        cl = srtest.Client(e.client_ep)
        c.wait_workers(cl, 2)
        cl.create(WF)
        ids = [cl.start("crash", input={"n": i, "log": log})["id"]
               for i in range(200)]
        # Let some finish, then crash in the middle of the rest.
        deadline = time.time() + 30
        while time.time() < deadline:
            if os.path.exists(log) and sum(1 for _ in open(log)) >= 120:
                break
            time.sleep(0.01)
        c.kill(e)
        cl.close()
        e = c.engine(durability="sync")  # same name: same data, endpoints
        cl = srtest.Client(e.client_ep)
        done = cl.wait(ids, timeout=90)
        bad = [i for i in ids if done[i]["state"] != "SUCCESS"]
        if bad:
            srtest.fail("%d executions not SUCCESS, e.g. %s: %s"
                        % (len(bad), bad[0], done[bad[0]]["state_info"]))
        counts = collections.Counter(line.strip() for line in open(log))
        twice = [k for k, n in counts.items() if n != 1]
        if twice:
            srtest.fail("actions ran more than once: %s" % twice[:5])
        srtest.check("actions run", len(counts), 400)
        print("engine crash: 200 executions SUCCESS, 400 actions ran once")
        return 0
    finally:
        c.stop()


if __name__ == "__main__":
    sys.exit(main())
