#!/usr/bin/env python3
"""kill -9 of a worker during a std.sleep: with `retry` the task runs again
on the other worker and the execution succeeds; without retry the task
and the execution fail with a message naming the lost worker."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import srtest  # noqa: E402

WF = """
version: '2.0'
with_retry:
  tasks:
    nap:
      action: std.sleep seconds=1.5
      retry:
        count: 2
        delay: 0
      publish: {ok: true}
without_retry:
  tasks:
    nap:
      action: std.sleep seconds=1.5
"""


def running_on(cl, ex):
    """Wait until the execution's task runs; return the STATUS workers."""
    deadline = time.time() + 10
    while time.time() < deadline:
        busy = [w for w in cl.call("STATUS")["workers"] if w["used"] > 0]
        if busy:
            return busy[0]["name"]
        time.sleep(0.02)
    srtest.fail("the sleep never started on a worker")


def scenario(c, e, cl, wf, victim_name, others):
    ex = cl.start(wf)["id"]
    name = running_on(cl, ex)
    victim = others[name]
    time.sleep(0.2)  # well inside the sleep
    c.kill(victim)
    return ex, name


def main():
    c = srtest.Cluster()
    try:
        e = c.engine(extra=["--expiry-ms", "1000"])
        ws = {"w1": c.worker("w1", [e], slots=1),
              "w2": c.worker("w2", [e], slots=1)}
        cl = srtest.Client(e.client_ep)
        c.wait_workers(cl, 2)
        cl.create(WF)
        ex, lost = scenario(c, e, cl, "with_retry", None, ws)
        st = cl.wait([ex], timeout=30)[ex]
        srtest.check("with retry: state", st["state"], "SUCCESS")
        # The survivor takes the next one; kill it too, without retry.
        survivor = "w2" if lost == "w1" else "w1"
        ws.pop(lost)
        ex, lost2 = scenario(c, e, cl, "without_retry", None, ws)
        srtest.check("second sleep ran on", lost2, survivor)
        st = cl.wait([ex], timeout=30)[ex]
        srtest.check("without retry: state", st["state"], "ERROR")
        if survivor not in (st["state_info"] or ""):
            srtest.fail("state_info does not name the lost worker %s: %r"
                        % (survivor, st["state_info"]))
        print("worker loss: retried on the other worker; failed without "
              "retry naming", survivor)
        return 0
    finally:
        c.stop()


if __name__ == "__main__":
    sys.exit(main())
