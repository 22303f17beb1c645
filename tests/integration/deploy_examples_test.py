#!/usr/bin/env python3
"""The three-machine example of deploy/examples/three-machines stays
valid: each engine starts from its engined-eN.yaml and the example
cluster.yaml (loopback ipc:// endpoints and a temporary data folder put
over the addresses and paths) and reports the partitions and peers the
file gives it; each worker starts from its workerd-mN.yaml and announces
itself; the gateway starts from gateway.yaml and answers /healthz; the
sirocco CLI reads the cluster file."""
import http.client
import json
import os
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import srtest  # noqa: E402
from gwtest import free_port  # noqa: E402

SRC = os.environ.get("SR_SOURCE_DIR", ".")
EX = os.path.join(SRC, "deploy", "examples", "three-machines")


def stop(c, proc, what):
    proc.send_signal(signal.SIGTERM)
    try:
        code = proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        srtest.fail("%s did not stop within 20 s of SIGTERM" % what)
    srtest.check("%s exit status" % what, code, 0)


def gateway(c, name):
    """The gateway from gateway.yaml, its cluster put on the loopback
    engine: /healthz answers 200 naming the engine."""
    port = free_port()
    g = c.spawn([os.path.join(c.bin, "sirocco-gateway"), "--config",
                 os.path.join(EX, "gateway.yaml"), "--cluster",
                 c.ep(name + "-c"), "--listen", "127.0.0.1:%d" % port],
                "gateway")
    deadline = time.time() + 10
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz")
            r = conn.getresponse()
            body = json.loads(r.read())
            conn.close()
            break
        except OSError:
            if g.poll() is not None or time.time() > deadline:
                srtest.fail("the gateway from gateway.yaml: %s" % c.log(g))
            time.sleep(0.05)
    srtest.check("gateway healthz", (r.status, body["engines"][0]["node"]),
                 (200, name))
    stop(c, g, "gateway")


def main():
    c = srtest.Cluster()
    try:
        cluster = os.path.join(EX, "cluster.yaml")
        for n in (1, 2, 3):
            name = "e%d" % n
            e = c.spawn([os.path.join(c.bin, "sirocco-engined"), "--config",
                         os.path.join(EX, "engined-%s.yaml" % name),
                         "--cluster", cluster, "--client", c.ep(name + "-c"),
                         "--worker", c.ep(name + "-w"), "--data",
                         os.path.join(c.dir, name)], name)
            c.wait_socket(name + "-c", e)
            cl = srtest.Client(c.ep(name + "-c"))
            st = cl.call("STATUS")
            srtest.check("%s name" % name, st["name"], name)
            srtest.check("%s partitions" % name, st["partitions"],
                         list(range(4 * (n - 1), 4 * n)))
            srtest.check("%s cluster map" % name,
                         sorted((m["name"], m["client"])
                                for m in st["cluster"]),
                         [("e%d" % k, "tcp://10.0.0.%d:7100" % k)
                          for k in (1, 2, 3)])
            w = c.spawn([os.path.join(c.bin, "sirocco-workerd"), "--config",
                         os.path.join(EX, "workerd-m%d.yaml" % n),
                         "--engine", c.ep(name + "-w"), "--actions-dir",
                         c.dir], "w%d" % n)
            c.wait_workers(cl, 1)
            srtest.check("worker name", cl.call("STATUS")["workers"][0]["name"],
                         "worker-m%d" % n)
            if n == 1 and os.path.exists(os.path.join(c.bin,
                                                      "sirocco-gateway")):
                gateway(c, name)
            cl.close()
            stop(c, w, "worker-m%d" % n)
            stop(c, e, name)
        out = subprocess.run([os.path.join(c.bin, "sirocco"), "workflow",
                              "list", "--cluster", cluster, "--timeout",
                              "100"], capture_output=True, text=True,
                             timeout=30)
        srtest.check("CLI on the example cluster file (nothing answers)",
                     (out.returncode, "ETIMEDOUT" in out.stderr), (1, True))
        print("deploy examples: 3 engines and 3 workers start from the "
              "three-machine files")
        return 0
    finally:
        c.stop()


if __name__ == "__main__":
    sys.exit(main())
