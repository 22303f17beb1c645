#!/usr/bin/env python3
"""Replicated partitions (issue 12): a leadership is handed back only to
an engine that answers. Three engines replicate three partitions (each
led by the engine listing it first), with the default engine heartbeat
(1 s, so a peer is known down only after 5 s of silence) and election
timeout (1 s). e1 is killed: the engine elected to lead partition 0 in
its place must not hand the leadership back to e1, which it still counts
up but has not heard from since before the election (failover_bench.py
found it did: the partition was then served a second later, when the
handover to the dead engine timed out). Then e1 is started again and
gets partition 0 back, once it answers."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import srtest  # noqa: E402


def wait_led(cls, part, names, timeout):
    """Wait until one of engines `names` serves `part`; its name."""
    deadline = time.time() + timeout
    while True:
        got = srtest.leaders(cls).get(part)
        if got and got[0] in names:
            return got[0]
        if time.time() > deadline:
            srtest.fail("partition %d not served by %s within %d s (now %s)"
                        % (part, names, timeout, got))
        time.sleep(0.05)


def main():
    c = srtest.Cluster()
    try:
        info = ["--log-level", "info"]  # the handovers are logged so
        es = c.replicated(["e1", "e2", "e3"], extra=info, heartbeat_ms=1000)
        cls = {n: srtest.Client(e.client_ep) for n, e in es.items()}
        srtest.wait_leaders(cls, 3)
        logged = {n: os.path.getsize(es[n].log_path) for n in ("e2", "e3")}
        c.kill(es["e1"])
        del cls["e1"]
        killed = time.time()
        new = wait_led(cls, 0, ["e2", "e3"], 10)
        took = time.time() - killed
        time.sleep(1.0)  # a handover, were it asked, is under way
        for n in ("e2", "e3"):  # what they logged since the kill
            with open(es[n].log_path, errors="replace") as f:
                f.seek(logged[n])
                since = f.read()
            if "partition 0: handing the leadership to e1" in since:
                srtest.fail("%s handed partition 0 to e1, killed: %s"
                            % (n, since))
        srtest.check("partition 0 after the kill",
                     srtest.leaders(cls)[0][0], new)
        es["e1"] = c.engine("e1", cluster=c.cluster_path, extra=info,
                            heartbeat_ms=1000)
        cls["e1"] = srtest.Client(es["e1"].client_ep)
        back = wait_led(cls, 0, ["e1"], 30)
        print("handoff: partition 0 served by %s %.1f s after e1 was "
              "killed, not handed to it; back to %s once restarted"
              % (new, took, back))
        for cl in cls.values():
            cl.close()
        return 0
    finally:
        c.stop()


if __name__ == "__main__":
    sys.exit(main())
