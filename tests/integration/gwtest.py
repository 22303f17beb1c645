"""Helpers for the gateway's integration tests: one engine (srtest), a
fake worker in a thread, and sirocco-gateway on a free loopback TCP port,
with small HTTP helpers (http.client, so every byte sent is the test's).

    with GatewayCluster(hooks=[...], extra=[...]) as g:
        status, headers, body = g.http("GET", "/healthz")

Processes are killed by PID only; every wait is bounded.
"""
import http.client
import json
import os
import signal
import socket
import subprocess
import time

import srtest
from fake_worker import FakeWorker
from srtest import fail


def free_port():
    """A TCP port free on 127.0.0.1 right now (bind port 0, read it)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class GatewayCluster:
    def __init__(self, hooks=(), extra=(), worker=True):
        self.cluster = srtest.Cluster()
        self.port = free_port()
        self.base = "http://127.0.0.1:%d" % self.port
        self.engine = self.cluster.engine(
            extra=["--callback-url", self.base + "/v1/callbacks/"])
        self.client = srtest.Client(self.engine.client_ep)
        self.worker = FakeWorker(self.engine.worker_ep) if worker else None
        args = [os.path.join(self.cluster.bin, "sirocco-gateway"),
                "--cluster", self.engine.client_ep,
                "--listen", "127.0.0.1:%d" % self.port,
                "--log-level", "warn"] + list(extra)
        for h in hooks:
            args += ["--hook", h]
        self.gateway = self.cluster.spawn(args, "gateway")
        self.wait_ready()
        if worker:
            self.cluster.wait_workers(self.client, 1)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        """Stop everything; the gateway must exit cleanly on SIGTERM (under
        the sanitizers, a leak or an error makes its exit status non-zero)."""
        if self.worker:
            self.worker.stop()
        self.client.close()
        problem = None
        if self.gateway.poll() is None:
            self.gateway.send_signal(signal.SIGTERM)
            try:
                code = self.gateway.wait(timeout=20)
            except subprocess.TimeoutExpired:
                code = "no exit within 20 s"
            if code != 0:
                problem = "the gateway stopped with %s: %s" % (
                    code, self.cluster.log(self.gateway))
        self.cluster.stop()
        if problem:
            fail(problem)

    def wait_ready(self, timeout=10.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.gateway.poll() is not None:
                fail("the gateway exited with %s: %s"
                     % (self.gateway.returncode, self.cluster.log(self.gateway)))
            try:
                if self.http("GET", "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        fail("the gateway did not answer /healthz within %.0f s" % timeout)

    def alive(self):
        """The gateway still runs and answers."""
        if self.gateway.poll() is not None:
            fail("the gateway died (%s): %s"
                 % (self.gateway.returncode, self.cluster.log(self.gateway)))
        status, _, body = self.http("GET", "/healthz")
        srtest.check("/healthz after the barrage", status, 200)

    def http(self, method, path, body=None, headers=None, timeout=20):
        """(status, headers dict with lower-case names, parsed JSON or text)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                          timeout=timeout)
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            data = r.read()
            hdrs = {k.lower(): v for k, v in r.getheaders()}
        finally:
            conn.close()
        ctype = hdrs.get("content-type", "")
        if data and ctype.startswith("application/json"):
            return r.status, hdrs, json.loads(data)
        return r.status, hdrs, data.decode(errors="replace")

    def expect(self, method, path, status, body=None, headers=None):
        """Send; fail unless the answer has `status`. Returns the body."""
        got, _, data = self.http(method, path, body, headers)
        if got != status:
            fail("%s %s: status %d, want %d: %s"
                 % (method, path, got, status, data))
        return data

    def wait_state(self, ex_id, states, timeout=10.0):
        """Poll the engine until execution `ex_id` is in one of `states`."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            ex = self.client.get(ex_id)
            if ex["state"] in states:
                return ex
            time.sleep(0.02)
        fail("execution %s not %s within %.0f s (it is %s)"
             % (ex_id, "/".join(states), timeout, self.client.get(ex_id)))
