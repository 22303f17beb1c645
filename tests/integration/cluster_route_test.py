#!/usr/bin/env python3
"""Three engines from one cluster file, a client that knows only e1:
definitions reach every engine, starts on any partition and every request
about an execution are forwarded to the owner, STATUS tells the map, an
engine restarted with empty data fetches the definitions from its peers,
and requests for a stopped engine's partitions fail at once with
EUNAVAIL instead of hanging."""
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import srtest  # noqa: E402

WF = """
version: '2.0'
inline:
  input: [x]
  output: {y: <% $.y %>}
  tasks:
    only:
      publish: {y: <% $.x * 2 %>}
"""


def main():
    c = srtest.Cluster()
    try:
        path = c.cluster_file(3, 2)
        es = [c.engine("e%d" % i, cluster=path) for i in (1, 2, 3)]
        cl = srtest.Client(es[0].client_ep)
        st = cl.call("STATUS")
        srtest.check("cluster map", [(m["name"], m["partitions"])
                                     for m in st["cluster"]],
                     [("e1", [0, 1]), ("e2", [2, 3]), ("e3", [4, 5])])
        cl.create(WF)
        time.sleep(0.5)  # replication to the peers
        direct = srtest.Client(es[2].client_ep)
        srtest.check("replicated definition",
                     direct.call("WF_GET", name="inline")["name"], "inline")
        ids = [cl.start("inline", input={"x": p}, partition=p)["id"]
               for p in range(6)]
        done = cl.wait(ids, timeout=20)
        for p, i in enumerate(ids):
            srtest.check("partition of start %d" % p,
                         int(i[:4], 16), p)
            srtest.check("output %d" % p, done[i]["output"], {"y": p * 2})
        tasks = cl.call("TASK_LIST", execution_id=srtest.uid(ids[5]))
        srtest.check("forwarded task list", [t["name"] for t in tasks],
                     ["only"])
        # e3 loses its data and comes back: it asks a peer for definitions.
        c.kill(es[2])
        import shutil
        shutil.rmtree(os.path.join(c.dir, "e3"))
        es[2] = c.engine("e3", cluster=path)
        direct = srtest.Client(es[2].client_ep)
        deadline = time.time() + 10
        while True:
            try:
                direct.call("WF_GET", name="inline")
                break
            except srtest.ProtoError as e:
                if time.time() > deadline:
                    srtest.fail("e3 did not fetch the definition: %s" % e)
                time.sleep(0.1)
        # e2 stops: its partitions are unavailable, the others still work.
        c.kill(es[1])
        t0 = time.time()
        try:
            cl.get(ids[2])
            srtest.fail("a request for a stopped engine's partition worked")
        except srtest.ProtoError as e:
            srtest.check("code", e.code, "EUNAVAIL")
            if time.time() - t0 > 6:
                srtest.fail("EUNAVAIL took %.1f s" % (time.time() - t0))
        srtest.check("e1 partition still served",
                     cl.get(ids[0])["state"], "SUCCESS")
        fresh = cl.start("inline", input={"x": 7}, partition=4)["id"]
        srtest.check("e3 partition still served",
                     cl.wait([fresh], timeout=10)[fresh]["output"], {"y": 14})
        print("cluster routing: forwarded, replicated, synced, unavailable")
        return 0
    finally:
        c.stop()


if __name__ == "__main__":
    sys.exit(main())
