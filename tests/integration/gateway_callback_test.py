#!/usr/bin/env python3
"""Delegate callbacks through a real gateway and engine: the delegate's
TASK carries its callback URL; a POST of the result there (with curl, as
an outside system would; urllib when curl is missing) completes the
action and the execution succeeds with that result. The same token again
gets 404 and the execution does not change. A `{"error": ...}` body and
`?status=error` fail the action; malformed and unknown tokens get 404."""
import json
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gwtest import GatewayCluster  # noqa: E402
from srtest import check, fail  # noqa: E402

WF = """
version: '2.0'
delegated:
  output:
    got: <% $.got %>
  tasks:
    first:
      action: std.echo output=ready
      on-success: wait
    wait:
      action: std.async_noop
      publish:
        got: <% task().result %>
"""


def post(url, body, content_type="application/json"):
    """POST `body` to `url`: (status, parsed JSON answer)."""
    if shutil.which("curl"):
        out = subprocess.run(
            ["curl", "-s", "-o", "-", "-w", "\n%{http_code}", "-X", "POST",
             "-H", "Content-Type: " + content_type, "--data-binary", body,
             url], capture_output=True, timeout=30, check=True).stdout
        text, code = out.decode().rsplit("\n", 1)
        return int(code), json.loads(text)
    req = urllib.request.Request(url, data=body.encode(), method="POST",
                                 headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


def start(g):
    ex = g.client.start("delegated")["id"]
    return ex


def main():
    with GatewayCluster() as g:
        g.client.create(WF)

        # Success, then the same token again.
        ex = start(g)
        task = g.worker.wait_task("std.async_noop", 1)
        url = task["context"]["callback_url"]
        if not url.startswith(g.base + "/v1/callbacks/"):
            fail("callback url %r is not the gateway's" % url)
        check("url ends with the token", url.rsplit("/", 1)[1], task["token"])
        status, body = post(url, '{"answer": 42}')
        check("callback status", status, 200)
        check("callback body", body, {"status": "success"})
        done = g.wait_state(ex, ("SUCCESS", "ERROR"))
        check("state after the callback", done["state"], "SUCCESS")
        check("output", done["output"], {"got": {"answer": 42}})
        status, body = post(url, '{"answer": 43}')
        check("reused token status", status, 404)
        check("reused token fault", body["code"], "ENOTFOUND")
        check("execution unchanged", g.client.get(ex), done)

        # Failure by an "error" key in the body.
        ex = start(g)
        task = g.worker.wait_task("std.async_noop", 2)
        status, body = post(task["context"]["callback_url"],
                            '{"error": "disk full"}')
        check("error callback status", status, 200)
        check("error callback body", body, {"status": "error"})
        failed = g.wait_state(ex, ("SUCCESS", "ERROR"))
        check("state after an error", failed["state"], "ERROR")
        if "disk full" not in (failed["state_info"] or ""):
            fail("state_info %r does not carry the error" % failed)

        # Failure by ?status=error: the whole body is the error.
        ex = start(g)
        task = g.worker.wait_task("std.async_noop", 3)
        status, _ = post(task["context"]["callback_url"] + "?status=error",
                         '"it broke"')
        check("status=error status", status, 200)
        failed = g.wait_state(ex, ("SUCCESS", "ERROR"))
        check("state after status=error", failed["state"], "ERROR")
        if "it broke" not in (failed["state_info"] or ""):
            fail("state_info %r does not carry the error" % failed)

        # An unknown status value is refused; the action is still pending.
        ex = start(g)
        task = g.worker.wait_task("std.async_noop", 4)
        url = task["context"]["callback_url"]
        status, body = post(url + "?status=maybe", "{}")
        check("bad status value", status, 400)
        check("still running", g.client.get(ex)["state"], "RUNNING")
        # Malformed and unknown tokens: 404, nothing changes.
        for bad in ("AAAA", "not%20a%20token", "x" * 300, "%FF%FE"):
            status, body = post(g.base + "/v1/callbacks/" + bad, "{}")
            check("token %r" % bad[:20], status, 404 if bad[0] != "%" else 400)
        status, _ = post(g.base + "/v1/callbacks/..%2F..%2Fv2", "{}")
        check("a path trick", status, 400)
        check("still running", g.client.get(ex)["state"], "RUNNING")
        # An empty body completes with null.
        status, _ = post(url, "")
        check("empty body status", status, 200)
        check("empty body outcome", g.wait_state(ex, ("SUCCESS", "ERROR"))
              ["output"], {"got": None})
        g.alive()
    print("gateway callbacks: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
