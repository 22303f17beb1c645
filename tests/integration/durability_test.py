#!/usr/bin/env python3
"""Durability: nothing is acknowledged before it is on disk. The engine
runs under tests/integration/syncspy.c (LD_PRELOAD), which checks at every
ACK, GO, REPLY, EVENT and TASK the engine sends that no byte written to
its partition's files is still unsynced. With `--durability sync` (the
default) 20 executions of a three-task workflow must pass every check;
the same run with `--durability nosync` must be caught, which shows the
spy sees what it claims to."""
import os
import signal
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import srtest  # noqa: E402

WF = """
version: '2.0'
three:
  tasks:
    a:
      action: std.echo output=1
      on-success: b
    b:
      action: std.echo output=2
      on-success: c
    c:
      action: std.echo output=3
"""


def run(durability):
    c = srtest.Cluster()
    build = os.environ.get("SR_BUILD_DIR", "build")
    spy = os.path.join(build, "tests", "libsr_syncspy.so")
    report = os.path.join(c.dir, "syncspy.txt")
    saved = dict(os.environ)
    try:
        os.environ["LD_PRELOAD"] = os.path.abspath(spy)
        os.environ["SR_SYNCSPY_DIR"] = os.path.join(c.dir, "e1")
        os.environ["SR_SYNCSPY_REPORT"] = report
        # An ASan engine accepts a preloaded library that is not ASan's.
        os.environ["ASAN_OPTIONS"] = (os.environ.get("ASAN_OPTIONS", "") +
                                      ":verify_asan_link_order=0")
        e = c.engine(durability=durability)
        os.environ.clear()
        os.environ.update(saved)
        c.worker("w1", [e])
        cl = srtest.Client(e.client_ep)
        c.wait_workers(cl, 1)
        cl.create(WF)
        ids = [cl.start("three")["id"] for _ in range(20)]
        done = cl.wait(ids, timeout=60)
        for i in ids:
            srtest.check("state", done[i]["state"], "SUCCESS")
        cl.close()
        e.send_signal(signal.SIGTERM)
        e.wait(timeout=20)
        with open(report) as f:
            fields = dict(kv.split("=") for kv in f.read().split())
        return fields
    finally:
        os.environ.clear()
        os.environ.update(saved)
        c.stop()


def main():
    sync = run("sync")
    print("sync: %s" % sync)
    if int(sync["checked"]) < 100 or int(sync["writes"]) == 0:
        srtest.fail("the spy saw too little: %s" % sync)
    if int(sync["violations"]):
        srtest.fail("%s answers left before their batch was synced (the "
                    "first a %s)" % (sync["violations"], sync["first"]))
    nosync = run("nosync")
    print("nosync: %s" % nosync)
    if not int(nosync["violations"]):
        srtest.fail("the spy did not see the unsynced answers of "
                    "--durability nosync: %s" % nosync)
    print("durability: %s answers checked, each after its batch was synced"
          % sync["checked"])
    return 0


if __name__ == "__main__":
    sys.exit(main())
