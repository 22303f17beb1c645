#!/usr/bin/env python3
"""The sirocco CLI against real engine and worker processes: delegate
actions completed with `sirocco action complete` (by action id and by
token, success and error), a delegate that times out, and `sirocco
execution pause / resume / cancel` on running executions."""
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import srtest  # noqa: E402

WF = """
version: '2.0'
delegated:
  input: [note]
  output: {got: <% $.got %>}
  tasks:
    wait:
      action: test.delegate note=<% $.note %>
      publish: {got: <% task().result %>}
      publish-on-error: {got: failed}
slow_delegate:
  input: [note]
  tasks:
    wait:
      action: test.delegate note=<% $.note %>
      timeout: 1
steps:
  tasks:
    one: {action: std.sleep seconds=2, on-success: two}
    two: {action: std.sleep seconds=2, on-success: three}
    three: {action: std.echo output=done, publish: {said: <% task().result %>}}
"""


def sirocco(c, ep, *args, ok=True):
    p = subprocess.run([os.path.join(c.bin, "sirocco")] + list(args) +
                       ["--cluster", ep, "--json"],
                       capture_output=True, text=True, timeout=60)
    if ok and p.returncode != 0:
        srtest.fail("sirocco %s: exit %d: %s" % (" ".join(args), p.returncode,
                                                 p.stderr))
    return p


def noted(path, count, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if os.path.exists(path):
            lines = open(path).read().splitlines()
            if len(lines) >= count:
                return [json.loads(x) for x in lines]
        time.sleep(0.05)
    srtest.fail("the delegate did not run (%s)" % path)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    c = srtest.Cluster()
    try:
        e = c.engine()
        c.worker("w1", [e], slots=4,
                 extra=["--actions-dir", os.path.join(here, "actions")])
        cl = srtest.Client(e.client_ep)
        c.wait_workers(cl, 1)
        ep = e.client_ep
        sirocco(c, ep, "workflow", "create", write(c, "wf.yaml", WF))
        note = os.path.join(c.dir, "note")
        # By action id, success.
        a = cl.start("delegated", input={"note": note})["id"]
        first = noted(note, 1)[0]
        srtest.check("still running", cl.get(a)["state"], "RUNNING")
        sirocco(c, ep, "action", "complete", first["action_id"],
                "--result", '{"answer": 42}')
        st = cl.wait([a], timeout=15)[a]
        srtest.check("completed by id", (st["state"], st["output"]),
                     ("SUCCESS", {"got": {"answer": 42}}))
        # By token, error.
        b = cl.start("delegated", input={"note": note})["id"]
        second = noted(note, 2)[1]
        sirocco(c, ep, "action", "complete", second["token"], "--token",
                "--error", "the outside system said no")
        st = cl.wait([b], timeout=15)[b]
        srtest.check("completed with an error", st["state"], "ERROR")
        if "the outside system said no" not in (st["state_info"] or ""):
            srtest.fail("state_info lacks the error: %r" % st["state_info"])
        # The same token again: refused, nothing changes.
        p = sirocco(c, ep, "action", "complete", second["token"], "--token",
                    "--result", "1", ok=False)
        srtest.check("second use of a token", p.returncode, 1)
        srtest.check("unchanged", cl.get(b)["state"], "ERROR")
        # A delegate nobody completes times out.
        t = cl.start("slow_delegate", input={"note": note})["id"]
        st = cl.wait([t], timeout=15)[t]
        srtest.check("timed out", st["state"], "ERROR")
        if "timed out" not in (st["state_info"] or ""):
            srtest.fail("no timeout in state_info: %r" % st["state_info"])
        # pause / resume / cancel from the CLI.
        s = cl.start("steps")["id"]
        time.sleep(0.2)
        out = json.loads(sirocco(c, ep, "execution", "pause", s).stdout)
        srtest.check("paused", out["state"], "PAUSED")
        time.sleep(2.5)  # the running sleep ends; nothing new starts
        srtest.check("still paused", cl.get(s)["state"], "PAUSED")
        sirocco(c, ep, "execution", "resume", s)
        st = cl.wait([s], timeout=15)[s]
        srtest.check("resumed to the end", st["state"], "SUCCESS")
        k = cl.start("steps")["id"]
        time.sleep(0.2)
        out = json.loads(sirocco(c, ep, "execution", "cancel", k,
                                 "--reason", "no longer needed").stdout)
        srtest.check("cancelled", out["state"], "CANCELLED")
        srtest.check("cancel reason", cl.get(k)["state_info"],
                     "no longer needed")
        print("cli control: delegates completed and timed out; pause, "
              "resume, cancel")
        return 0
    finally:
        c.stop()


def write(c, name, text):
    path = os.path.join(c.dir, name)
    with open(path, "w") as f:
        f.write(text)
    return path


if __name__ == "__main__":
    sys.exit(main())
