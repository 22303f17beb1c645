#!/usr/bin/env python3
"""A client and a worker that know only one engine's endpoint reach every
partition of a 3-engine cluster from `sirocco cluster up --workers 0`:
sirocco-workerd given e1's worker endpoint alone joins e2 and e3 from
e1's heartbeats (HEARTBEAT.peers), and `sirocco execution start/get`,
`sirocco task list` and `sirocco execution delete` given e1's client
endpoint alone start an execution in each of the 6 partitions, read them
and delete them, the engine forwarding what belongs to its peers. Also
`sirocco cluster status`: every partition served, then e3's unavailable
(exit 1) after e3 is killed."""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import srtest  # noqa: E402
import srlocal  # noqa: E402

PARTITIONS = 6

WF = """
version: '2.0'
twice:
  input: [x]
  output: {y: <% $.y %>}
  tasks:
    double:
      action: std.echo output=<% $.x * 2 %>
      publish: {y: <% task().result %>}
"""


def sirocco(lc, *args):
    out = lc.run(*args)
    if out.returncode != 0:
        srtest.fail("sirocco %s exited %d: %s"
                    % (" ".join(args), out.returncode, out.stderr))
    return out.stdout


def main():
    # One copy of each partition: an engine down leaves its own unserved.
    lc = srlocal.LocalCluster(engines=3, workers=0, partitions=PARTITIONS,
                              extra=["--heartbeat-ms", "200", "--replicas",
                                     "1"])
    cls = None
    try:
        # One copy each (no Raft): cluster status shows the owner leading
        # alone, in its epoch.
        out = lc.run("cluster", "status", "--data", lc.dir, "--json")
        st = json.loads(out.stdout)
        srtest.check("partitions without replicas",
                     [(x["id"], x["leader"] == x["owner"],
                       x["term"] == x["epoch"] >= 1,
                       x["replicas"] == [x["owner"]], x["commit"], x["lag"])
                      for x in st["partitions"]],
                     [(p, True, True, True, None, {})
                      for p in range(PARTITIONS)])
        e1 = lc.engine("e1")
        log = open(os.path.join(lc.dir, "logs", "solo.log"), "ab")
        build = os.environ.get("SR_BUILD_DIR", "build")
        solo = subprocess.Popen(
            [os.path.join(build, "bin", "sirocco-workerd"), "--name", "solo",
             "--engine", e1["worker"], "--heartbeat-ms", "200",
             "--log-level", "info"],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        lc.restarted.append(solo)  # stopped with the cluster
        cls = srlocal.Clients(lc)
        deadline = time.time() + 10
        while True:
            seen = {n: any(w["name"] == "solo"
                           for w in c.call("STATUS")["workers"])
                    for n, c in cls.by_name.items()}
            if all(seen.values()):
                break
            if solo.poll() is not None or time.time() > deadline:
                srtest.fail("the worker given e1 alone is seen by %s" % seen)
            time.sleep(0.05)
        wf = os.path.join(lc.dir, "twice.yaml")
        with open(wf, "w") as f:
            f.write(WF)
        only = e1["client"]
        sirocco(lc, "workflow", "create", wf, "--cluster", only)
        time.sleep(0.3)  # the definition reaches the peers
        ids = []
        for p in range(PARTITIONS):
            ex = json.loads(sirocco(
                lc, "execution", "start", "twice", "--input",
                json.dumps({"x": p}), "--partition", str(p), "--json",
                "--cluster", only))
            srtest.check("partition", srlocal.partition_of(ex["id"]), p)
            ids.append(ex["id"])
        for p, i in enumerate(ids):
            deadline = time.time() + 20
            while True:
                ex = json.loads(sirocco(lc, "execution", "get", i, "--json",
                                        "--cluster", only))
                if ex["state"] in srtest.FINAL or time.time() > deadline:
                    break
                time.sleep(0.05)
            srtest.check("state in partition %d" % p, ex["state"], "SUCCESS")
            srtest.check("output in partition %d" % p, ex["output"],
                         {"y": 2 * p})
            tasks = json.loads(sirocco(lc, "task", "list", i, "--json",
                                       "--cluster", only))
            srtest.check("tasks in partition %d" % p,
                         [t["name"] for t in tasks], ["double"])
        # Deleted through e1 alone: e1 forwards each to its owner.
        for p, i in enumerate(ids):
            out = json.loads(sirocco(lc, "execution", "delete", i, "--json",
                                     "--cluster", only))
            srtest.check("deleted in partition %d" % p, out,
                         {"id": i, "state": "DELETED"})
            gone = lc.run("execution", "get", i, "--cluster", only)
            srtest.check("gone from partition %d" % p, gone.returncode, 1)
            if "not found" not in gone.stderr:
                srtest.fail("get after delete: %s" % gone.stderr)
        # cluster status: all served; e3 killed: its partitions not.
        st = json.loads(sirocco(lc, "cluster", "status", "--data", lc.dir,
                                "--json"))
        srtest.check("partitions served",
                     [x["state"] for x in st["partitions"]],
                     ["serving"] * PARTITIONS)
        lc.kill("e3")
        out = lc.run("cluster", "status", "--data", lc.dir, "--json")
        srtest.check("status exit with e3 down", out.returncode, 1)
        st = json.loads(out.stdout)
        srtest.check("partition states with e3 down",
                     [(x["owner"], x["state"]) for x in st["partitions"]],
                     [("e1", "serving")] * 2 + [("e2", "serving")] * 2 +
                     [("e3", "unavailable")] * 2)
        srtest.check("e3 process", [(x["name"], x["state"], x["answers"])
                                    for x in st["processes"]][2],
                     ("e3", "stopped", "no"))
        print("one endpoint: a worker and a client given e1 alone reached "
              "all 6 partitions; cluster status saw e3 go")
        return 0
    finally:
        if cls:
            cls.close()
        lc.stop()


if __name__ == "__main__":
    sys.exit(main())
