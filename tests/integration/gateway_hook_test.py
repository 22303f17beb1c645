#!/usr/bin/env python3
"""Webhooks through a real gateway and engine: a body signed with the
hook's secret (X-Hub-Signature-256, as GitHub sends it) starts the hook's
workflow with the body as input; a wrong, missing or malformed signature
gets 401, a delivery id seen before gets 401, an unknown hook 404, and
none of them starts anything."""
import hashlib
import hmac
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gwtest import GatewayCluster  # noqa: E402
from srtest import check, fail  # noqa: E402

SECRET = "s3cret-for-tests"
WF = """
version: '2.0'
on_push:
  input:
    - ref
    - commits: []
  output:
    ref: <% $.ref %>
  tasks:
    say:
      action: std.echo output=<% $.ref %>
"""


def sign(body, secret=SECRET):
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def count(g):
    return len(g.client.call("EX_LIST"))


def send(g, body, signature, delivery=None, hook="github"):
    headers = {"Content-Type": "application/json"}
    if signature is not None:
        headers["X-Hub-Signature-256"] = signature
    if delivery:
        headers["X-GitHub-Delivery"] = delivery
    return g.http("POST", "/v1/hooks/" + hook, body, headers)


def main():
    with GatewayCluster(hooks=["github:on_push:" + SECRET]) as g:
        g.client.create(WF)
        body = json.dumps({"ref": "refs/heads/main", "commits": [1]}).encode()

        status, _, ex = send(g, body, sign(body), delivery="d-1")
        check("signed status", status, 201)
        check("workflow", ex["workflow_name"], "on_push")
        done = g.wait_state(ex["id"], ("SUCCESS", "ERROR"))
        check("started with the body as input", done["input"],
              {"ref": "refs/heads/main", "commits": [1]})
        check("and ran", done["output"], {"ref": "refs/heads/main"})
        check("described", done["description"], "hook github delivery d-1")
        started = count(g)

        refusals = [
            ("replayed delivery", body, sign(body), "d-1", 401),
            ("wrong secret", body, sign(body, "another-secret"), "d-2", 401),
            ("changed body", body + b" ", sign(body), "d-3", 401),
            ("missing signature", body, None, "d-4", 401),
            ("not sha256=", body, sign(body)[7:], "d-5", 401),
            ("short hex", body, sign(body)[:-2], "d-6", 401),
            ("sha1", body, "sha1=" + hashlib.sha1(body).hexdigest(), "d-7",
             401),
        ]
        for what, b, sig, delivery, want in refusals:
            status, _, err = send(g, b, sig, delivery)
            check(what, status, want)
            check(what + " fault", err["code"], "EAUTH")
        status, _, _ = send(g, body, sign(body), hook="nope")
        check("unknown hook", status, 404)
        signed_list = b"[1, 2]"
        status, _, err = send(g, signed_list, sign(signed_list), "d-8")
        check("signed non-object", status, 400)
        signed_bad = b"{\"ref\": "
        status, _, err = send(g, signed_bad, sign(signed_bad), "d-9")
        check("signed bad JSON", status, 400)
        check("nothing started by refusals", count(g), started)

        # A delivery refused for its body may come again, fixed; a new
        # delivery id starts again; no id at all is not replay-checked.
        for delivery in ("d-8", "d-10", None, None):
            status, _, ex = send(g, body, sign(body), delivery)
            check("delivery %s" % delivery, status, 201)
        check("four more", count(g), started + 4)
        g.alive()
    # An unknown workflow: 404 from the engine, and the id is free again.
    with GatewayCluster(hooks=["gone:missing_wf:" + SECRET],
                        worker=False) as g:
        body = b'{"ref": "r"}'
        status, _, err = send(g, body, sign(body), "x-1", hook="gone")
        check("missing workflow", status, 404)
        g.client.create(WF.replace("on_push", "missing_wf"))
        status, _, _ = send(g, body, sign(body), "x-1", hook="gone")
        check("the same delivery once the workflow exists", status, 201)
    print("gateway hooks: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
