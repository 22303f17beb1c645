#!/usr/bin/python3
"""Benchmark (not a test): engine memory while executions wait.

Starts sirocco-engined and sirocco-workerd as processes (build/bin), then
N executions whose only task is a delegate (std.async_noop) that nobody
completes, in steps, and prints the engine process's resident memory
(RssAnon: heap; RssFile: LMDB's mapped pages) after each step, plus the
LMDB data size.

    /usr/bin/python3 tests/bench/waiting_memory.py [TOTAL] [STEP] [sync|nosync]
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "integration"))
import srtest  # noqa: E402


def status(pid):
    out = {}
    for line in open("/proc/%d/status" % pid):
        k, _, v = line.partition(":")
        if k in ("RssAnon", "RssFile", "VmRSS"):
            out[k] = int(v.split()[0]) / 1024.0
    return out


def main():
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 100000
    step = int(sys.argv[2]) if len(sys.argv) > 2 else 25000
    durability = sys.argv[3] if len(sys.argv) > 3 else "sync"
    c = srtest.Cluster()
    try:
        e = c.engine(durability=durability)
        c.worker("w1", [e], slots=64)
        cl = srtest.Client(e.client_ep)
        c.wait_workers(cl, 1)
        cl.create("version: '2.0'\nwait:\n  tasks:\n"
                  "    hold: {action: std.async_noop}\n")
        print("command: %s" % " ".join(sys.argv))
        print("machine: %d CPUs, load %s" % (os.cpu_count(),
                                             os.getloadavg()[0]))
        print("%10s %10s %10s %10s %10s" % ("waiting", "anon_MB", "file_MB",
                                            "rss_MB", "data_MB"))
        s = status(e.pid)
        print("%10d %10.1f %10.1f %10.1f" % (0, s["RssAnon"], s["RssFile"],
                                             s["VmRSS"]))
        n = 0
        while n < total:
            for i in range(step):
                cl.sock.send(srtest.pack("EX_START", req_id=10 ** 7 + n,
                                         workflow="wait"))
                n += 1
                if i % 500 == 499:  # stay a little ahead of the engine
                    while cl.sock.poll(0):
                        cl.sock.recv()
                    time.sleep(0.02)
            deadline = time.time() + 120
            while time.time() < deadline:  # all delegates pending
                while cl.sock.poll(0):
                    cl.sock.recv()
                st = cl.call("STATUS")
                if st["queued"] == 0 and all(w["used"] == 0
                                             for w in st["workers"]):
                    break
                time.sleep(0.2)
            time.sleep(1)
            s = status(e.pid)
            size = subprocess.run(["du", "-sm", os.path.join(c.dir, "e1")],
                                  capture_output=True, text=True).stdout
            print("%10d %10.1f %10.1f %10.1f %10s" % (
                n, s["RssAnon"], s["RssFile"], s["VmRSS"], size.split()[0]),
                flush=True)
        return 0
    finally:
        c.stop()


if __name__ == "__main__":
    sys.exit(main())
