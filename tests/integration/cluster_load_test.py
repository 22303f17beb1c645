#!/usr/bin/env python3
"""3 engines and 2 workers from `sirocco cluster up` (6 partitions): 500
executions of a 3-task linear workflow and 100 of a fan-out of 10
parallel tasks joined by a `join: all` task, every start sent to e1 with
an explicit partition (so two thirds are forwarded to their owner). All
end SUCCESS with the right outputs, each in the partition asked for, and
every partition holds some."""
import collections
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import srtest  # noqa: E402
import srlocal  # noqa: E402

LINEAR, FANOUT = 500, 100
PARTITIONS = 6

BRANCH = """
    p{i}:
      action: std.echo output=<% $.n * {i} %>
      publish: {{v{i}: <% task().result %>}}
      on-success: total"""

WF = """
version: '2.0'
linear3:
  input: [n]
  output: {r: <% $.c %>}
  tasks:
    a:
      action: std.echo output=<% $.n + 1 %>
      publish: {a: <% task().result %>}
      on-success: b
    b:
      action: std.echo output=<% $.a * 2 %>
      publish: {b: <% task().result %>}
      on-success: c
    c:
      action: std.echo output=<% $.b + 3 %>
      publish: {c: <% task().result %>}
fanout10:
  input: [n]
  output: {total: <% $.total %>}
  tasks:
    fan:
      action: std.noop
      on-success: [p0, p1, p2, p3, p4, p5, p6, p7, p8, p9]""" + "".join(
    BRANCH.format(i=i) for i in range(10)) + """
    total:
      join: all
      action: std.echo output=<% """ + " + ".join(
    "$.v%d" % i for i in range(10)) + """ %>
      publish: {total: <% task().result %>}
"""

def main():
    t0 = time.time()
    lc = srlocal.LocalCluster(engines=3, workers=2, partitions=PARTITIONS)
    cls = None
    try:
        cls = srlocal.Clients(lc)
        e1 = cls.by_name["e1"]
        e1.create(WF)
        time.sleep(0.3)  # let the definitions reach the peers
        starts = [dict(workflow="linear3", input={"n": i},
                       partition=i % PARTITIONS) for i in range(LINEAR)]
        starts += [dict(workflow="fanout10", input={"n": i},
                        partition=i % PARTITIONS) for i in range(FANOUT)]
        bodies = e1.call_many("EX_START", starts)
        for s, b in zip(starts, bodies):
            if isinstance(b, srtest.ProtoError):
                srtest.fail("start in partition %d: %s" % (s["partition"], b))
            srtest.check("partition of a start sent to e1",
                         srlocal.partition_of(b["id"]), s["partition"])
        ids = [b["id"] for b in bodies]
        t1 = time.time()
        done = cls.wait_final(ids, timeout=90)
        t2 = time.time()
        per_part = collections.Counter()
        for s, i in zip(starts, ids):
            ex = done[i]
            if ex["state"] != "SUCCESS":
                srtest.fail("%s %s ended %s: %s" % (s["workflow"], i,
                                                    ex["state"],
                                                    ex["state_info"]))
            n = s["input"]["n"]
            want = ({"r": (n + 1) * 2 + 3} if s["workflow"] == "linear3"
                    else {"total": n * 45})
            srtest.check("output of %s n=%d" % (s["workflow"], n),
                         ex["output"], want)
            per_part[srlocal.partition_of(i)] += 1
        srtest.check("partitions used", sorted(per_part),
                     list(range(PARTITIONS)))
        tasks = cls.of(ids[-1]).call("TASK_LIST",
                                     execution_id=srtest.uid(ids[-1]))
        srtest.check("tasks of a fan-out", len(tasks), 12)
        print("cluster load: %d linear3 + %d fanout10 SUCCESS over %d "
              "partitions; started in %.1f s, ended %.1f s later "
              "(%.1f s in all)" % (LINEAR, FANOUT, PARTITIONS, t1 - t0,
                                   t2 - t1, time.time() - t0))
        return 0
    finally:
        if cls:
            cls.close()
        lc.stop()


if __name__ == "__main__":
    sys.exit(main())
