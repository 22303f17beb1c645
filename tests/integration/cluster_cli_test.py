#!/usr/bin/env python3
"""`sirocco cluster up|status|down` as a person uses them: usage errors
exit 2 saying what is wrong; a second `up` on a running folder is
refused; `status` tells running from stopped; `down` stops exactly what
`up` started; `up` on a stopped folder starts the same cluster again,
with its executions, and refuses another layout. With `--gateway` it
also starts an HTTP gateway on that address, recorded like the other
processes, shown by `status`, stopped by `down` and started again by
the next `up`."""
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import srtest  # noqa: E402
from gwtest import free_port  # noqa: E402
import srlocal  # noqa: E402

BUILD = os.environ.get("SR_BUILD_DIR", "build")
SIROCCO = os.path.join(BUILD, "bin", "sirocco")

WF = """
version: '2.0'
hello:
  tasks:
    t:
      action: std.echo output=hi
"""


def run(*args):
    return subprocess.run([SIROCCO] + list(args), capture_output=True,
                          text=True, timeout=60)


def expect(args, code, text):
    out = run(*args)
    if out.returncode != code or text not in out.stdout + out.stderr:
        srtest.fail("sirocco %s: exit %d, want %d with %r:\n%s%s"
                    % (" ".join(args), out.returncode, code, text,
                       out.stdout, out.stderr))
    return out


def http_json(port, method, path, body=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(method, path, body=json.dumps(body) if body else None,
                 headers={"Content-Type": "application/json"})
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, json.loads(data) if data else None


def gateway(tmp, wf):
    """`up --gateway`: the REST API runs a workflow; down and up again."""
    data = os.path.join(tmp, "g")
    expect(["cluster", "up", "--data", data, "--gateway", "nowhere"], 2,
           "--gateway nowhere: HOST:PORT")
    port = free_port()
    out = expect(["cluster", "up", "--data", data, "--engines", "1",
                  "--workers", "1", "--log-level", "warn", "--gateway",
                  "127.0.0.1:%d" % port], 0,
                 "http://127.0.0.1:%d" % port)
    cluster = os.path.join(data, "cluster.json")
    with open(cluster) as f:
        rec = json.load(f)
    srtest.check("recorded gateway", rec["gateway"],
                 "http://127.0.0.1:%d" % port)
    gw = [p for p in rec["processes"] if p["role"] == "gateway"]
    srtest.check("gateway process", [(p["name"], p["endpoints"]["http"])
                                     for p in gw],
                 [("g1", "http://127.0.0.1:%d" % port)])
    st = json.loads(expect(["cluster", "status", "--data", data, "--json"],
                           0, "gateway").stdout)
    srtest.check("status of the gateway",
                 [(p["role"], p["state"], p["client"])
                  for p in st["processes"] if p["name"] == "g1"],
                 [("gateway", "running", "http://127.0.0.1:%d" % port)])
    expect(["workflow", "create", wf, "--cluster", cluster], 0, "hello")
    status, ex = http_json(port, "POST", "/v2/executions",
                           {"workflow_name": "hello"})
    srtest.check("start through the gateway", status, 201)
    deadline = time.time() + 20
    while True:
        status, got = http_json(port, "GET", "/v2/executions/" + ex["id"])
        if got["state"] == "SUCCESS":
            break
        if time.time() > deadline:
            srtest.fail("execution through the gateway: %s" % got)
        time.sleep(0.1)
    out = expect(["cluster", "down", "--data", data], 0,
                 "gateway g1 (pid %d) stopped" % gw[0]["pid"])
    if srlocal.is_alive(gw[0]["pid"]):
        srtest.fail("the gateway still runs after down")
    # Up again as it was: the gateway comes back on its address.
    expect(["cluster", "up", "--data", data, "--log-level", "warn"], 0,
           "http://127.0.0.1:%d" % port)
    status, got = http_json(port, "GET", "/v2/executions/" + ex["id"])
    srtest.check("execution after up again", (status, got["state"]),
                 (200, "SUCCESS"))
    expect(["cluster", "down", "--data", data], 0, "gateway g1")
    print("cluster cli: up --gateway, REST start, down, up again")


def main():
    srlocal._subreaper()
    tmp = tempfile.mkdtemp(prefix="sr-cli-")
    data = os.path.join(tmp, "c")
    try:
        expect(["cluster"], 2, "sirocco cluster up")
        expect(["cluster", "bogus"], 2, "unknown command 'bogus'")
        expect(["cluster", "up", "--engines", "0"], 2,
               "--engines '0': expected a number from 1 to 64")
        expect(["cluster", "up", "--durability", "fast", "--data", data], 2,
               "--durability: sync or nosync")
        expect(["cluster", "status", "--data", tmp], 1,
               "start a cluster with `sirocco cluster up`")
        expect(["cluster", "up", "--data", data, "--engines", "2",
                "--workers", "1", "--log-level", "warn"], 0,
               "cluster up in %s: 2 engines, 1 workers, 4 partitions" % data)
        expect(["cluster", "up", "--data", data], 1,
               "a cluster runs in %s" % data)
        st = json.loads(expect(["cluster", "status", "--data", data,
                                "--json"], 0, "serving").stdout)
        srtest.check("process states",
                     [(p["name"], p["state"]) for p in st["processes"]],
                     [("e1", "running"), ("e2", "running"),
                      ("w1", "running")])
        # Two engines: two copies of each partition by default, each led
        # by one and followed by the other.
        srtest.check("partitions with 2 replicas",
                     [(x["id"], x["leader"] == x["owner"], x["term"] >= 1,
                       sorted(x["replicas"]), (x["commit"] or 0) >= 1,
                       len(x["lag"]))
                      for x in st["partitions"]],
                     [(p, True, True, ["e1", "e2"], True, 1)
                      for p in range(4)])
        # A newer map of engines of one's own, sent with `cluster apply`:
        # the same copies under version 1 are taken and settle; the older
        # map is refused by the engines, saying so.
        with open(os.path.join(data, "cluster.yaml")) as f:
            text = f.read()
        newer = os.path.join(tmp, "newer.yaml")
        with open(newer, "w") as f:
            f.write(text.replace("replicas: 2\n", "replicas: 2\nversion: 1\n"))
        expect(["cluster", "apply", newer, "--timeout", "20000"], 0,
               "cluster map version 1 taken by 2 engines")
        with open(newer, "w") as f:
            f.write(text)
        expect(["cluster", "apply", newer], 1,
               "map: version 0 is older than this engine's (1)")
        with open(os.path.join(data, "cluster.yaml")) as f:
            srtest.check("the engines wrote the map over their file",
                         "version: 1" in f.read(), True)
        cluster = os.path.join(data, "cluster.json")
        wf = os.path.join(tmp, "hello.yaml")
        with open(wf, "w") as f:
            f.write(WF)
        expect(["workflow", "create", wf, "--cluster", cluster], 0, "hello")
        ex = json.loads(expect(["execution", "start", "hello", "--watch",
                                "--json", "--cluster", cluster], 0,
                               "SUCCESS").stdout.strip().splitlines()[-1])
        with open(cluster) as f:
            pids = [p["pid"] for p in json.load(f)["processes"]]
        out = expect(["cluster", "down", "--data", data], 0,
                     "worker w1 (pid %d) stopped" % pids[2])
        srtest.check("down lines", len(out.stdout.strip().splitlines()), 3)
        for pid in pids:
            if srlocal.is_alive(pid):
                srtest.fail("pid %d still runs after down" % pid)
        expect(["cluster", "status", "--data", data], 1, "stopped")
        expect(["cluster", "down", "--data", data], 0, "was not running")
        expect(["cluster", "up", "--data", data, "--engines", "3"], 2,
               "holds a cluster of 2 engines and 4 partitions (replicas: 2)")
        expect(["cluster", "up", "--data", data, "--log-level", "warn"], 0,
               "2 engines, 1 workers, 4 partitions")
        got = json.loads(expect(["execution", "get", ex["id"], "--json",
                                 "--cluster", cluster], 0, "SUCCESS").stdout)
        srtest.check("execution kept over down and up", got["state"],
                     "SUCCESS")
        expect(["cluster", "down", "--data", data], 0, "stopped")
        if os.path.exists(os.path.join(BUILD, "bin", "sirocco-gateway")):
            gateway(tmp, wf)
        print("cluster cli: usage errors, refusals, status, down, up again")
        return 0
    finally:
        for d in (data, os.path.join(tmp, "g")):
            if os.path.exists(os.path.join(d, "cluster.json")):
                run("cluster", "down", "--data", d)
        srlocal.reap()
        subprocess.run(["rm", "-rf", tmp])


if __name__ == "__main__":
    sys.exit(main())
