#!/usr/bin/env python3
"""Two engines of one cluster file (e1: partitions 0-1, e2: 2-3) behind a
gateway, and e2 killed (issue 18): GET /v2/executions lists e1's
executions at once, with "sirocco_missing" naming e2 and partitions 2 and
3; GET /v2/tasks does the same; a get of an execution of e2's is a 503
that says what is down (it said "within 0 ms"); e1's are still served."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import srtest  # noqa: E402
from gwtest import Gateway  # noqa: E402
from srtest import check, fail  # noqa: E402

WF = """
version: '2.0'
inline:
  tasks:
    only:
      action: std.noop
"""
ENGINE_TIMEOUT_MS = 1000


def main():
    c = srtest.Cluster()
    try:
        path = c.cluster_file(2, 2)
        e1, e2 = (c.engine("e%d" % i, cluster=path) for i in (1, 2))
        cl = srtest.Client(e1.client_ep)
        cl.create(WF)
        time.sleep(0.5)  # the definition reaches e2
        c.worker("w1", [e1, e2])
        ids = [cl.start("inline", partition=p)["id"] for p in range(4)]
        cl.wait(ids, timeout=20)
        g = Gateway(c, e1.client_ep + "," + e2.client_ep,
                    ["--engine-timeout-ms", str(ENGINE_TIMEOUT_MS)])
        whole = g.expect("GET", "/v2/executions", 200)
        check("the whole list", sorted(x["id"] for x in whole["executions"]),
              sorted(ids))
        if "sirocco_missing" in whole:
            fail("a whole list says something is missing: %r"
                 % whole["sirocco_missing"])
        c.kill(e2)
        # The gateway's connections notice the engine is gone (a request
        # sent into a connection as it dies waits for its answer until
        # engine-timeout-ms).
        time.sleep(0.5)
        t0 = time.time()
        got = g.expect("GET", "/v2/executions", 200)
        took = time.time() - t0
        check("the live engine's executions",
              sorted(x["id"] for x in got["executions"]), sorted(ids[:2]))
        missing = got.get("sirocco_missing") or fail("no sirocco_missing")
        check("missing partitions", missing["partitions"], [2, 3])
        check("missing engines", [m["endpoint"] for m in missing["engines"]],
              [e2.client_ep])
        if took > ENGINE_TIMEOUT_MS / 1000.0 / 2:
            fail("the partial list took %.1f s: it waited for the engine "
                 "that is down" % took)
        tasks = g.expect("GET", "/v2/tasks", 200)
        check("tasks of the live engine's executions",
              sorted(t["workflow_execution_id"] for t in tasks["tasks"]),
              sorted(ids[:2]))
        check("tasks: missing partitions",
              tasks["sirocco_missing"]["partitions"], [2, 3])

        status, _, body = g.http("GET", "/v2/executions/" + ids[2])
        check("a get of an execution of the engine that is down", status, 503)
        text = body["faultstring"]
        if "within 0 ms" in text or (
                "partition 2" not in text and e2.client_ep not in text):
            fail("the 503 does not say what is down: %r" % text)
        check("an execution of the live engine",
              g.expect("GET", "/v2/executions/" + ids[0], 200)["id"], ids[0])
        g.close()
    finally:
        c.stop()
    print("gateway with an engine down: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
