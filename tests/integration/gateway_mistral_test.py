#!/usr/bin/env python3
"""python-mistralclient's `mistral` command, unchanged, against a real
gateway and engine (authentication off, --os-mistral-url): workflow
validate (a good file, a bad one with the engine's LINE:COL; neither
stored), create (a bad file refused with the same message), list, get
and update; execution create, get, update to PAUSED
and back to RUNNING; task list; the delegate's action execution listed
and completed with action-execution-update; the execution then succeeds
with that output; execution-delete of a running execution is refused,
with --force it goes, and the finished one is deleted: the list is
empty and a get fails. Results are read from `-f json` and checked.
Fails when the mistral command is not installed (deploy/setup.sh
installs python3-mistralclient)."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gwtest import GatewayCluster  # noqa: E402
from srtest import check, fail  # noqa: E402

MISTRAL = shutil.which("mistral")
if not MISTRAL:
    print("FAIL: the mistral command is missing: install "
          "python3-mistralclient (deploy/setup.sh)", file=sys.stderr)
    sys.exit(1)

WF = """---
version: '2.0'
greet:
  description: Greets, then waits for an outside system.
  tags: [demo]
  input:
    - name
    - greeting: hello
  output:
    said: <% $.said %>
    answer: <% $.answer %>
  tasks:
    say:
      action: std.echo output="<% $.greeting %> <% $.name %>"
      publish:
        said: <% task().result %>
      on-success: ask
    ask:
      action: std.async_noop
      publish:
        answer: <% task().result %>
"""

BAD = """---
version: '2.0'
bad:
  tasks:
    a:
      on-success: nope
"""


class Mistral:
    def __init__(self, url):
        self.url = url
        # No OS_* settings from the environment: auth stays off.
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith("OS_")}

    def run(self, *args, ok=True):
        cmd = [MISTRAL, "--os-mistral-url", self.url] + list(args)
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=60,
                           env=self.env)
        if ok and p.returncode != 0:
            fail("%s: exit %d: %s %s" % (" ".join(args), p.returncode,
                                          p.stdout, p.stderr))
        if not ok and p.returncode == 0:
            fail("%s should fail: %s" % (" ".join(args), p.stdout))
        return p

    def json(self, *args):
        return json.loads(self.run(*(list(args) + ["-f", "json"])).stdout)


def by_name(rows, key, value):
    for r in rows:
        if r.get(key) == value:
            return r
    fail("no row with %s=%r in %r" % (key, value, rows))


def main():
    with GatewayCluster() as g, tempfile.TemporaryDirectory() as tmp:
        m = Mistral(g.base + "/v2")
        path = os.path.join(tmp, "greet.yaml")
        with open(path, "w") as f:
            f.write(WF)

        bad = os.path.join(tmp, "bad.yaml")
        with open(bad, "w") as f:
            f.write(BAD)
        good = m.json("workflow-validate", path)
        check("valid", (good["Valid"], good["Error"]), (True, None))
        wrong = m.json("workflow-validate", bad)
        check("invalid", wrong["Valid"], False)
        check("LINE:COL", wrong["Error"][:13], "definition:6:")
        p = m.run("workflow-create", bad, ok=False)
        check("refused with LINE:COL", "definition:6:" in p.stderr, True)
        status, _, body = g.http("POST", "/v2/workflows", BAD)
        check("400 with LINE:COL", (status, body["faultstring"][:13]),
              (400, "definition:6:"))
        check("nothing stored", g.expect("GET", "/v2/workflows", 200),
              {"workflows": []})

        created = m.json("workflow-create", path)
        check("created", [w["Name"] for w in created], ["greet"])
        listed = by_name(m.json("workflow-list"), "Name", "greet")
        check("input", listed["Input"], "name, greeting=hello")
        check("tags", listed["Tags"], "demo")
        check("get by id", m.json("workflow-get", listed["ID"])["Name"],
              "greet")
        m.run("workflow-create", path, ok=False)  # exists: 409
        with open(path, "a") as f:
            f.write("    # a new version\n")
        updated = m.json("workflow-update", path)
        check("updated", [w["Name"] for w in updated], ["greet"])

        ex = m.json("execution-create", "greet", '{"name": "Ada"}',
                    "-d", "from the mistral client")
        ex_id = ex["ID"]
        check("started", ex["State"], "RUNNING")
        check("workflow", ex["Workflow name"], "greet")
        check("description", ex["Description"], "from the mistral client")
        g.worker.wait_task("std.async_noop")
        got = m.json("execution-get", ex_id)
        check("get", (got["ID"], got["State"]), (ex_id, "RUNNING"))

        paused = m.json("execution-update", ex_id, "-s", "PAUSED")
        check("paused", paused["State"], "PAUSED")
        check("engine says paused", g.client.get(ex_id)["state"], "PAUSED")
        resumed = m.json("execution-update", ex_id, "-s", "RUNNING")
        check("resumed", resumed["State"], "RUNNING")

        tasks = m.json("task-list", ex_id)
        check("tasks", sorted((t["Name"], t["State"]) for t in tasks),
              [("ask", "RUNNING"), ("say", "SUCCESS")])
        ask = by_name(tasks, "Name", "ask")
        actions = m.json("action-execution-list", ask["ID"])
        check("one action for ask", len(actions), 1)
        action = actions[0]
        check("delegate", (action["Name"], action["State"],
                           action["Accepted"]),
              ("std.async_noop", "RUNNING", False))

        done = m.json("action-execution-update", action["ID"], "--state",
                      "SUCCESS", "--output", '{"answer": 42}')
        check("completed", (done["State"], done["Accepted"]),
              ("SUCCESS", True))
        final = g.wait_state(ex_id, ("SUCCESS", "ERROR"))
        check("execution output", final["output"],
              {"said": "hello Ada", "answer": {"answer": 42}})
        out = json.loads(m.run("execution-get-output", ex_id).stdout)
        check("execution-get-output", out["answer"], {"answer": 42})
        # Completed once: a second update is refused (409).
        p = m.run("action-execution-update", action["ID"], "--state",
                  "SUCCESS", "--output", "1", ok=False)
        if "not waiting" not in p.stderr + p.stdout:
            fail("second completion message: %s" % p.stderr)

        listed = m.json("execution-list")
        check("execution-list", [e["ID"] for e in listed], [ex_id])

        # execution-delete: a running one needs --force; a finished one goes.
        ex2 = m.json("execution-create", "greet", '{"name": "Bob"}')["ID"]
        g.worker.wait_task("std.async_noop")
        p = m.run("execution-delete", ex2, ok=False)
        said = p.stdout + p.stderr
        if "RUNNING" not in said or "force" not in said:
            fail("execution-delete of a running one: %s" % said)
        check("still there", g.client.get(ex2)["state"], "RUNNING")
        p = m.run("execution-delete", ex2, "--force")
        if "has been accepted" not in p.stdout:
            fail("execution-delete --force: %s %s" % (p.stdout, p.stderr))
        p = m.run("execution-delete", ex_id)
        if "has been accepted" not in p.stdout:
            fail("execution-delete: %s %s" % (p.stdout, p.stderr))
        left = [e["ID"] for e in m.json("execution-list") if e["ID"]]
        check("execution-list after delete", left, [])
        p = m.run("execution-get", ex_id, ok=False)
        if "not found" not in p.stdout + p.stderr:
            fail("execution-get of a deleted one: %s" % (p.stdout + p.stderr))
        p = m.run("execution-delete", ex_id, ok=False)
        if "not found" not in p.stdout + p.stderr:
            fail("execution-delete twice: %s" % (p.stdout + p.stderr))
        check("engines list nothing", g.client.call("EX_LIST"), [])
        m.run("workflow-delete", "greet")
        left = [w for w in m.json("workflow-list") if w["Name"]]
        check("deleted", left, [])
        g.alive()
    print("gateway with the mistral client: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
