#!/usr/bin/env python3
"""The Python examples of docs/examples/python against a real 3-engine
cluster made by `sirocco cluster up` (no built-in workers): worker.py,
given only e1's worker endpoint, joins every engine from the HEARTBEAT
peers; client.py, run once on each engine's client endpoint and once on
cluster.json, starts an execution of its py_sum workflow (two py.add
calls served by worker.py), watches it to the end and prints its output.
"""
import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import srtest  # noqa: E402
import srlocal  # noqa: E402

EXAMPLES = os.path.join(os.environ.get("SR_SOURCE_DIR", "."), "docs",
                        "examples", "python")


def run_client(cluster, a, b, c):
    out = subprocess.run(
        [sys.executable, os.path.join(EXAMPLES, "client.py"), "--cluster",
         cluster, "--a", str(a), "--b", str(b), "--c", str(c),
         "--timeout", "20"],
        capture_output=True, text=True, timeout=60)
    if out.returncode != 0:
        srtest.fail("client.py on %s exited %d:\n%s%s"
                    % (cluster, out.returncode, out.stdout, out.stderr))
    lines = out.stdout.strip().splitlines()
    srtest.check("client.py output on %s" % cluster, json.loads(lines[-1]),
                 {"total": a + b + c})
    srtest.check("final line", lines[-2].split()[-1], "SUCCESS")
    return lines[1].split()[1]  # "execution ID started"


def main():
    # One copy of each partition: each engine owns its range.
    lc = srlocal.LocalCluster(engines=3, workers=0, extra=["--replicas", "1"])
    worker = None
    try:
        log = open(os.path.join(lc.dir, "worker.py.log"), "wb")
        worker = subprocess.Popen(
            [sys.executable, os.path.join(EXAMPLES, "worker.py"), "--name",
             "py-test", "--engine", lc.engine("e1")["worker"]],
            stdout=log, stderr=subprocess.STDOUT)
        # worker.py reaches all three engines from e1's heartbeat.
        deadline = time.time() + 15
        clients = [srtest.Client(e["client"]) for e in lc.engines]
        while True:
            seen = [any(w["name"] == "py-test"
                        for w in cl.call("STATUS")["workers"])
                    for cl in clients]
            if all(seen):
                break
            if worker.poll() is not None or time.time() > deadline:
                srtest.fail("worker.py is seen by engines %s" % seen)
            time.sleep(0.05)
        ids = []
        for i, e in enumerate(lc.engines):
            ids.append(run_client(e["client"], i, 10 * i, 100))
        ids.append(run_client(os.path.join(lc.dir, "cluster.json"), 7, 8, 9))
        parts = sorted(int(i[:4], 16) for i in ids[:3])
        owners = [lc.owner(p)["name"] for p in parts]
        srtest.check("owners of the executions started on each engine",
                     owners, ["e1", "e2", "e3"])
        for cl in clients:
            cl.close()
        worker.send_signal(signal.SIGTERM)
        try:
            srtest.check("worker.py exit", worker.wait(timeout=15), 0)
        except subprocess.TimeoutExpired:
            srtest.fail("worker.py did not stop within 15 s of SIGTERM")
        print("python examples: worker.py joined 3 engines from one, "
              "client.py ran py_sum on each")
        return 0
    finally:
        if worker and worker.poll() is None:
            worker.kill()
            worker.wait()
        lc.stop()


if __name__ == "__main__":
    sys.exit(main())
