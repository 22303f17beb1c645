#!/usr/bin/env python3
"""`sirocco execution delete` against real engine and worker processes: a
finished execution with a sub-workflow goes (the list no longer shows it
nor its sub-workflow, reads and task list say not found); a sub-workflow
execution is refused naming its root; a running one is refused (exit 1,
the engine's message) and stays; with --force it is cancelled and goes,
and the worker's late result for its action is acknowledged without
complaint; deleting twice is not found; the engine keeps serving."""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import srtest  # noqa: E402

WF = """
version: '2.0'
child:
  tasks:
    say: {action: std.echo output=hi}
parent:
  tasks:
    call: {workflow: child, on-success: done}
    done: {action: std.echo output=ok}
holder:
  tasks:
    hold: {action: std.sleep seconds=2}
"""


def sirocco(c, ep, *args, code=0):
    p = subprocess.run([os.path.join(c.bin, "sirocco")] + list(args) +
                       ["--cluster", ep],
                       capture_output=True, text=True, timeout=60)
    if p.returncode != code:
        srtest.fail("sirocco %s: exit %d, want %d: %s %s"
                    % (" ".join(args), p.returncode, code, p.stdout,
                       p.stderr))
    return p


def listed(c, ep):
    p = sirocco(c, ep, "execution", "list", "--json")
    return [e["id"] for e in json.loads(p.stdout)]


def main():
    c = srtest.Cluster()
    try:
        e = c.engine()
        c.worker("w1", [e], slots=2)
        cl = srtest.Client(e.client_ep)
        c.wait_workers(cl, 1)
        ep = e.client_ep
        path = os.path.join(c.dir, "wf.yaml")
        with open(path, "w") as f:
            f.write(WF)
        sirocco(c, ep, "workflow", "create", path)

        # A finished execution with a sub-workflow.
        a = cl.start("parent")["id"]
        b = cl.start("parent")["id"]
        cl.wait([a, b], timeout=15)
        # Lists show top-level executions only; the sub-workflows are found
        # through their actions.
        subs = {}
        for act in cl.call("ACTION_LIST"):
            if act["task_name"] == "say":
                subs[act["execution_id"]] = act["id"]
        srtest.check("two sub-workflow executions", len(subs), 2)
        by_parent = {cl.get(x)["parent_id"]: x for x in subs}
        srtest.check("their parents", sorted(by_parent), sorted([a, b]))
        sub_a, sub_b = by_parent[a], by_parent[b]
        p = sirocco(c, ep, "execution", "delete", a, "--json")
        srtest.check("reply", json.loads(p.stdout),
                     {"id": a, "state": "DELETED"})
        left = listed(c, ep)
        srtest.check("the list after delete", left, [b])
        p = sirocco(c, ep, "execution", "get", sub_a, code=1)
        if "not found" not in p.stderr:
            srtest.fail("get of a deleted sub-workflow: %s" % p.stderr)
        p = sirocco(c, ep, "action", "complete", subs[sub_a], "--result", "1",
                    code=1)
        if "not found" not in p.stderr:
            srtest.fail("complete of a deleted action: %s" % p.stderr)
        left_actions = [x["execution_id"] for x in cl.call("ACTION_LIST")]
        if a in left_actions or sub_a in left_actions:
            srtest.fail("actions left after delete: %r" % left_actions)
        p = sirocco(c, ep, "execution", "get", a, code=1)
        if "not found" not in p.stderr:
            srtest.fail("get of a deleted execution: %s" % p.stderr)
        sirocco(c, ep, "task", "list", a, code=1)
        p = sirocco(c, ep, "execution", "delete", a, code=1)
        if "not found (ENOTFOUND" not in p.stderr:
            srtest.fail("deleting twice: %s" % p.stderr)

        # A sub-workflow execution: delete its root instead.
        p = sirocco(c, ep, "execution", "delete", sub_b, "--force", code=1)
        if "delete its root execution %s instead" % b not in p.stderr:
            srtest.fail("sub-workflow refusal: %s" % p.stderr)
        srtest.check("sub-workflow kept", cl.get(sub_b)["state"], "SUCCESS")

        # A running one: refused, then forced.
        h = cl.start("holder")["id"]
        deadline = time.time() + 10
        while not any(w["used"] for w in cl.call("STATUS")["workers"]):
            if time.time() > deadline:
                srtest.fail("the sleep never started")
            time.sleep(0.05)
        p = sirocco(c, ep, "execution", "delete", h, code=1)
        for want in ("is RUNNING", "force cancels it first", "ESTATE"):
            if want not in p.stderr:
                srtest.fail("running refusal lacks %r: %s" % (want, p.stderr))
        srtest.check("still running", cl.get(h)["state"], "RUNNING")
        p = sirocco(c, ep, "execution", "delete", h, "--force")
        srtest.check("forced", p.stdout, "deleted execution %s\n" % h)
        if h in listed(c, ep):
            srtest.fail("a forced delete left the execution listed")
        # The worker's sleep ends; its result is acknowledged and ignored.
        deadline = time.time() + 10
        while any(w["used"] for w in cl.call("STATUS")["workers"]):
            if time.time() > deadline:
                srtest.fail("the worker never gave its slot back")
            time.sleep(0.05)
        n = cl.start("parent")["id"]
        srtest.check("still serving", cl.wait([n], timeout=15)[n]["state"],
                     "SUCCESS")
        log = c.log(e)
        if "refused" in log or "ERROR" in log:
            srtest.fail("the engine complained: %s" % log)
        print("cli delete: finished, sub-workflow refused, running refused "
              "then forced, late result acknowledged")
        return 0
    finally:
        c.stop()


if __name__ == "__main__":
    sys.exit(main())
