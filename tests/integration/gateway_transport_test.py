#!/usr/bin/env python3
"""The gateway's HTTP transport with clients that hold on to it, and no
engine at all (its cluster endpoint has none, so that every call to an
engine waits engine-timeout-ms and gets 503): requests waiting for an
engine hold up no other client (issue 18)."""
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import srtest  # noqa: E402
from gwtest import Gateway  # noqa: E402
from srtest import check, fail  # noqa: E402

ENGINE_TIMEOUT_MS = 3000


def waiting_requests_hold_up_no_one(g):
    """More requests wait for the (absent) engine than the gateway once
    had serving threads (4); a request it answers itself must not wait
    behind them."""
    answers = []

    def wait_for_engine():
        answers.append(g.http("GET", "/v2/executions", timeout=20)[0])

    waiting = [threading.Thread(target=wait_for_engine) for _ in range(8)]
    for t in waiting:
        t.start()
    time.sleep(0.3)  # all eight are in, each waiting for 3 s
    t0 = time.time()
    status = g.http("GET", "/nope", timeout=10)[0]
    took = time.time() - t0
    for t in waiting:
        t.join(20)
    check("the probe's status", status, 404)
    if took > 1.0:
        fail("a request the gateway answers itself waited %.1f s behind "
             "requests waiting for an engine" % took)
    check("the waiting requests", answers, [503] * 8)


def main():
    cluster = srtest.Cluster()
    try:
        g = Gateway(cluster, extra=["--engine-timeout-ms",
                                    str(ENGINE_TIMEOUT_MS)])
        waiting_requests_hold_up_no_one(g)
        problem = g.stop_gateway()
        if problem:
            fail(problem)
    finally:
        cluster.stop()
    print("gateway transport: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
