#!/usr/bin/env python3
"""1 engine + 2 workers (real processes): 500 executions of a 3-task linear
workflow and 100 of a fan-out of 10 parallel tasks with a join all end
SUCCESS with the right outputs, and both workers took part."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import srtest  # noqa: E402


def read(name):
    src = os.environ.get("SR_SOURCE_DIR", ".")
    with open(os.path.join(src, "deploy", "examples", name)) as f:
        return f.read()


def main():
    c = srtest.Cluster()
    try:
        e = c.engine()
        c.worker("w1", [e], slots=8)
        c.worker("w2", [e], slots=8)
        cl = srtest.Client(e.client_ep)
        c.wait_workers(cl, 2)
        cl.create(read("linear3.yaml"))
        cl.create(read("fanout10.yaml"))
        lin = [cl.start("linear3", input={"n": i})["id"] for i in range(500)]
        fan = [cl.start("fanout10")["id"] for _ in range(100)]
        done = cl.wait(lin + fan, timeout=120)
        for i, ex in enumerate(lin):
            st = done[ex]
            srtest.check("linear3 #%d state" % i, st["state"], "SUCCESS")
            srtest.check("linear3 #%d output" % i, st["output"],
                         {"result": (i + 1) * 2 + 100})
        for ex in fan:
            st = done[ex]
            srtest.check("fanout10 state", st["state"], "SUCCESS")
            srtest.check("fanout10 output", st["output"], {"total": 45})
            tasks = cl.call("TASK_LIST", execution_id=srtest.uid(ex))
            srtest.check("fanout10 task count", len(tasks), 12)
        print("load: 600 executions SUCCESS")
        return 0
    finally:
        c.stop()


if __name__ == "__main__":
    sys.exit(main())
