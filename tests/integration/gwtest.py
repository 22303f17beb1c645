"""Helpers for the gateway's integration tests: sirocco-gateway on a free
loopback TCP port, alone (Gateway) or with one engine (srtest) and a fake
worker in a thread (GatewayCluster), with small HTTP helpers (http.client,
so every byte sent is the test's, and raw bytes on a socket).

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


def request(method, path, body=b"", headers=(), length=True):
    """The bytes of one HTTP/1.1 request that asks to close after it, with
    a Content-Length unless `length` is false."""
    lines = ["%s %s HTTP/1.1" % (method, path), "Host: 127.0.0.1",
             "Connection: close"]
    if length:
        lines.append("Content-Length: %d" % len(body))
    lines += list(headers)
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


class Gateway:
    """sirocco-gateway on a free port of 127.0.0.1, started in `cluster`
    (an srtest.Cluster: its folder, spawn and logs) on the engine
    `endpoints`. Alone (the default endpoint has no engine), every call to
    an engine waits engine-timeout-ms and gets 503: enough for what the
    gateway answers itself."""

    def __init__(self, cluster, endpoints=None, extra=(), name="gateway",
                 ready_status=None, port=None):
        self.cluster = cluster
        self.port = port or free_port()
        self.base = "http://127.0.0.1:%d" % self.port
        if endpoints is None:
            endpoints = "tcp://127.0.0.1:%d" % free_port()  # nobody there
        self.args = [os.path.join(cluster.bin, "sirocco-gateway"),
                     "--cluster", endpoints,
                     "--listen", "127.0.0.1:%d" % self.port,
                     "--log-level", "warn"] + list(extra)
        self.gateway = cluster.spawn(self.args, name)
        self.wait_ready(ready_status)

    def stop_gateway(self):
        """SIGTERM; None when it exited cleanly, else what went wrong
        (under the sanitizers, a leak or an error makes its exit status
        non-zero)."""
        if self.gateway.poll() is not None:
            return None
        self.gateway.send_signal(signal.SIGTERM)
        try:
            code = self.gateway.wait(timeout=20)
        except subprocess.TimeoutExpired:
            code = "no exit within 20 s"
        if code != 0:
            return "the gateway stopped with %s: %s" % (
                code, self.cluster.log(self.gateway))
        return None

    def close(self):
        """Stop the gateway; fail the test unless it exits cleanly."""
        problem = self.stop_gateway()
        if problem:
            fail(problem)

    def wait_ready(self, status=None, timeout=10.0):
        """Until GET /healthz answers `status`; with None, until the
        gateway answers at all (GET /nope, which asks no engine)."""
        path = "/nope" if status is None else "/healthz"
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.gateway.poll() is not None:
                fail("the gateway exited with %s: %s"
                     % (self.gateway.returncode, self.cluster.log(self.gateway)))
            try:
                got = self.http("GET", path, timeout=5)[0]
                if status is None or got == status:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        fail("the gateway did not answer /healthz within %.0f s" % timeout)

    def alive(self, status=200):
        """The gateway still runs and answers."""
        if self.gateway.poll() is not None:
            fail("the gateway died (%s): %s"
                 % (self.gateway.returncode, self.cluster.log(self.gateway)))
        srtest.check("/healthz after the barrage",
                     self.http("GET", "/healthz")[0], status)

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

    def raw(self, data, timeout=5.0, read=True):
        """Send raw bytes; (status or None when closed without one, text
        after the head)."""
        s = socket.create_connection(("127.0.0.1", self.port),
                                     timeout=timeout)
        try:
            s.sendall(data)
            if not read:
                return None, ""
            got = b""
            while b"\r\n\r\n" not in got:
                chunk = s.recv(65536)
                if not chunk:
                    break
                got += chunk
            head, _, rest = got.partition(b"\r\n\r\n")
            if not head.startswith(b"HTTP/1."):
                return None, got.decode(errors="replace")
            return int(head.split()[1]), rest.decode(errors="replace")
        except (ConnectionResetError, BrokenPipeError):
            return None, ""
        finally:
            s.close()

    def expect(self, method, path, status, body=None, headers=None):
        """Send; fail unless the answer has `status`. Returns the body."""
        got, _, data = self.http(method, path, body, headers)
        if got != status:
            fail("%s %s: status %d, want %d: %s"
                 % (method, path, got, status, data))
        return data


class GatewayCluster(Gateway):
    """One engine, a fake worker (unless worker=False) and a gateway."""

    def __init__(self, hooks=(), extra=(), worker=True):
        cluster = srtest.Cluster()
        port = free_port()
        self.engine = cluster.engine(
            extra=["--callback-url", "http://127.0.0.1:%d/v1/callbacks/"
                   % port])
        self.client = srtest.Client(self.engine.client_ep)
        self.worker = FakeWorker(self.engine.worker_ep) if worker else None
        args = list(extra)
        for h in hooks:
            args += ["--hook", h]
        Gateway.__init__(self, cluster, self.engine.client_ep, args,
                         ready_status=200, port=port)
        if worker:
            self.cluster.wait_workers(self.client, 1)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        """Stop everything; the gateway must exit cleanly on SIGTERM."""
        if self.worker:
            self.worker.stop()
        self.client.close()
        problem = self.stop_gateway()
        self.cluster.stop()
        if problem:
            fail(problem)

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
