#!/usr/bin/env python3
"""The two load generators of issue 15 kept from rotting: on a cluster
made by `sirocco cluster up --engines 1 --workers 1`, a tiny run of
tests/bench/loadgen.py (linear3 with a window, linear3 at window 1,
fanout10) and of `sirocco bench --cluster`, each of which must end every
execution SUCCESS and report, from the engine's STATUS, the CPU time and
the messages per task. Not a benchmark: the figures are only checked to
be there and to make sense (messages both ways on the worker socket,
none between engines)."""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import srtest  # noqa: E402
import srlocal  # noqa: E402

SOURCE = os.environ.get("SR_SOURCE_DIR", ".")
LOADGEN = os.path.join(SOURCE, "tests", "bench", "loadgen.py")


def report(what, args):
    out = subprocess.run(args, capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        srtest.fail("%s: exit %d:\n%s%s" % (what, out.returncode, out.stdout,
                                            out.stderr))
    try:
        return json.loads(out.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        srtest.fail("%s: not one JSON object:\n%s" % (what, out.stdout))


def check_figures(what, r, executions, engines=1):
    srtest.check(what + ": executions", r["executions"], executions)
    srtest.check(what + ": failed", r["failed"], 0)
    srtest.check(what + ": engines", r["settings"]["engines"], engines)
    srtest.check(what + ": workers", r["settings"]["workers"], 1)
    if not r["tasks_per_s"] > 0 or not r["executions_per_s"] > 0:
        srtest.fail("%s: no throughput: %r" % (what, r))
    lat = r["latency_ms"]
    if not 0 < lat["p50"] <= lat["p99"]:
        srtest.fail("%s: latency p50 %r, p99 %r" % (what, lat["p50"],
                                                     lat["p99"]))
    for key in ("cpu_us_per_task", "messages_per_task", "engine_rss_mb"):
        if not r.get(key, 0) > 0:
            srtest.fail("%s: %s missing or not positive: %r" % (what, key, r))
    w = r["messages"]["worker"]
    if not (w["received"] > 0 and w["sent"] > 0):
        srtest.fail("%s: worker messages per task: %r" % (what, w))
    srtest.check(what + ": peer messages (one engine)",
                 r["messages"]["peers"], {"received": 0, "sent": 0})


def main():
    lc = srlocal.LocalCluster(engines=1, workers=1)
    try:
        cluster = lc.cluster_file
        py = [sys.executable, LOADGEN, "--cluster", cluster, "--json"]
        r = report("loadgen", py + ["--executions", "20", "--window", "5"])
        check_figures("loadgen", r, 20)
        r = report("loadgen window 1", py + ["--executions", "5",
                                             "--window", "1"])
        check_figures("loadgen window 1", r, 5)
        # Its folder works as well as its file.
        r = report("loadgen fanout10",
                   [sys.executable, LOADGEN, "--cluster", lc.dir, "--json",
                    "--workflow", "fanout10", "--executions", "5"])
        check_figures("loadgen fanout10", r, 5)
        r = report("sirocco bench", [lc.sirocco, "bench", "--cluster",
                                     cluster, "--executions", "20",
                                     "--window", "5", "--json"])
        check_figures("sirocco bench", r, 20)
        srtest.check("bench: mode", r["settings"]["mode"], "cluster")
        print("loadgen and bench --cluster: 20 + 5 + 5 and 20 executions, "
              "CPU and messages per task reported")
        return 0
    finally:
        lc.stop()


if __name__ == "__main__":
    sys.exit(main())
