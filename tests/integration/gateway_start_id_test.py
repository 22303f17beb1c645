#!/usr/bin/env python3
"""Mistral's POST /v2/executions with an `id`, through a real gateway and
engine (issue 12: a start must be safe to retry). The first POST starts
the execution under that id (201); the same POST again, once it has
finished, answers 201 with the execution as it is now and starts
nothing; eight POSTs of a new id at once make one execution; the id of
an execution of another workflow is 409; a random (version 4) UUID is
400 naming the field `id`. Lists confirm how many executions exist and
the worker how many actions ran."""
import os
import sys
import threading
import uuid

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gwtest import GatewayCluster  # noqa: E402
from srtest import check, fail, new_id  # noqa: E402

WF = """
version: '2.0'
hello:
  input: [name]
  output:
    said: <% $.said %>
  tasks:
    say:
      action: std.echo output="hi <% $.name %>"
      publish:
        said: <% task().result %>
other:
  tasks:
    t:
      action: std.noop
"""


def start(g, ex_id, wf="hello", status=201):
    """POST /v2/executions for `wf` under `ex_id`; the answer's body."""
    return g.expect("POST", "/v2/executions", status,
                    {"workflow_name": wf, "id": ex_id,
                     "input": {"name": "you"}})


def ids_listed(g):
    body = g.expect("GET", "/v2/executions", 200)
    return [e["id"] for e in body["executions"]]


def main():
    with GatewayCluster() as g:
        g.client.create(WF)
        ex_id = new_id(0)  # the test engine holds partition 0
        first = start(g, ex_id)
        check("the execution's id", first["id"], ex_id)
        check("its workflow", first["workflow_name"], "hello")
        g.wait_state(ex_id, ["SUCCESS"])
        again = start(g, ex_id)
        check("the retry answers the same execution", again["id"], ex_id)
        check("as it is now", again["state"], "SUCCESS")
        check("executions after a retry", ids_listed(g), [ex_id])
        check("actions run", len(g.worker.tasks), 1)

        # Retries that arrive together: one execution.
        burst = new_id(0)
        answers, lock = [], threading.Lock()

        def one():
            body = start(g, burst)
            with lock:
                answers.append(body["id"])

        threads = [threading.Thread(target=one) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=30)
        check("eight answers, one id", answers, [burst] * 8)
        g.wait_state(burst, ["SUCCESS"])
        check("executions after the burst", sorted(ids_listed(g)),
              sorted([ex_id, burst]))
        check("actions run", len(g.worker.tasks), 2)

        body = start(g, ex_id, wf="other", status=409)
        if "exists already, of workflow 'hello', not 'other'" not in \
                body.get("faultstring", ""):
            fail("409 does not say why: %s" % body)
        random_id = str(uuid.uuid4())
        body = start(g, random_id, status=400)
        text = body.get("faultstring", "")
        if not text.startswith("id: ") or "not a Sirocco id" not in text:
            fail("400 does not name the id: %s" % body)
        check("executions at the end", len(ids_listed(g)), 2)
    print("ok")


if __name__ == "__main__":
    main()
