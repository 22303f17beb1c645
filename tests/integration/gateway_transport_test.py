#!/usr/bin/env python3
"""The gateway's HTTP transport with clients that hold on to it, and no
engine at all (its cluster endpoint has none, so that every call to an
engine waits engine-timeout-ms and gets 503): requests waiting for an
engine hold up no other client; connections that drip their headers are
closed at header-timeout-ms while others are served; requests the gateway
cannot take are refused at once, with a JSON error; a second gateway on
the same address fails at its start (issue 18)."""
import json
import os
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import srtest  # noqa: E402
from gwtest import Gateway, request  # noqa: E402
from srtest import check, fail  # noqa: E402

ENGINE_TIMEOUT_MS = 3000
HEADER_TIMEOUT_MS = 1000
DRIPPERS = 20


def waiting_requests_hold_up_no_one(g):
    """More requests wait for the (absent) engine than the gateway once
    had serving threads (4); a request it answers itself must not wait
    behind them."""
    answers = []

    def wait_for_engine():
        answers.append(g.http("GET", "/v2/executions", timeout=20)[0])

    waiting = [threading.Thread(target=wait_for_engine) for _ in range(8)]
    for t in waiting:
        t.start()
    time.sleep(0.3)  # all eight are in, each waiting for 3 s
    t0 = time.time()
    status = g.http("GET", "/nope", timeout=10)[0]
    took = time.time() - t0
    for t in waiting:
        t.join(20)
    check("the probe's status", status, 404)
    if took > 1.0:
        fail("a request the gateway answers itself waited %.1f s behind "
             "requests waiting for an engine" % took)
    check("the waiting requests", answers, [503] * 8)


def dripping_headers_are_cut_at_the_deadline(g):
    """Clients that send a header byte every 0.2 s (never idle for
    conn-timeout-s) are closed once header-timeout-ms has passed, and
    others are served meanwhile."""
    socks = []
    for _ in range(DRIPPERS):
        s = socket.create_connection(("127.0.0.1", g.port), timeout=5)
        s.sendall(b"GET /nope HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        s.setblocking(False)
        socks.append(s)
    t0 = time.time()
    closed = {}  # socket index -> seconds after the start
    probed = None
    while len(closed) < DRIPPERS and time.time() - t0 < 10:
        for i, s in enumerate(socks):
            if i in closed:
                continue
            try:
                if s.recv(100) == b"":
                    closed[i] = time.time() - t0
                    continue
            except BlockingIOError:
                pass
            except OSError:  # reset
                closed[i] = time.time() - t0
                continue
            try:
                s.send(b"a")
            except OSError:
                closed[i] = time.time() - t0
        if probed is None and time.time() - t0 > 0.4:
            t1 = time.time()
            probed = (g.http("GET", "/nope", timeout=5)[0], time.time() - t1)
        time.sleep(0.2)
    for s in socks:
        s.close()
    check("the probe among the drippers", probed[0], 404)
    if probed[1] > 1.0:
        fail("the probe among the drippers took %.1f s" % probed[1])
    if len(closed) < DRIPPERS:
        fail("%d of %d dripping connections still open after 10 s "
             "(header-timeout-ms %d)"
             % (DRIPPERS - len(closed), DRIPPERS, HEADER_TIMEOUT_MS))
    first, last = min(closed.values()), max(closed.values())
    if first < 0.5 or last > HEADER_TIMEOUT_MS / 1000.0 + 1.5:
        fail("dripping connections closed after %.1f to %.1f s, want about "
             "%.1f s" % (first, last, HEADER_TIMEOUT_MS / 1000.0))


def query(n):
    return "/v2/workflows?" + "&".join("a%d=1" % i for i in range(n))


def refusals_come_at_once(g):
    """Each gets its JSON error at once (these were held until
    conn-timeout-s without an answer, ../shared/repro/noanswer.py)."""
    json_h = "Content-Type: application/json"
    cases = [
        (request("GET", query(300)), 400, "300 query parameters"),
        (request("GET", query(500)), 400, "500 query parameters"),
        (request("GET", "/v2/workflows?" + "&" * 3000), 400,
         "3000 empty query parameters"),
        (request("GET", "/v2/" + "x" * 40000), 414, "a 40 kB target"),
        (request("POST", "/v2/executions", b"xx",
                 [json_h, "Transfer-Encoding: gzip"], length=False), 501,
         "Transfer-Encoding: gzip"),
        (request("POST", "/v2/executions",
                 b"ffffffffffffffff\r\nabc\r\n0\r\n\r\n",
                 [json_h, "Transfer-Encoding: chunked"], length=False), 411,
         "a chunk size of ffffffffffffffff"),
        (request("POST", "/v2/executions", b"3\r\nabc\r\n0\r\n\r\n",
                 [json_h, "Transfer-Encoding: chunked"]), 400,
         "Transfer-Encoding and Content-Length"),
        (request("GET", "/nope", headers=["X-Big: " + "y" * 40000]), 431,
         "40 kB of headers"),
    ]
    for data, want, what in cases:
        t0 = time.time()
        status, text = g.raw(data, timeout=5)
        took = time.time() - t0
        check(what, status, want)
        if took > 1.0:
            fail("%s: answered after %.1f s" % (what, took))
        try:
            fault = json.loads(text)
        except ValueError:
            fail("%s: the error is not JSON: %r" % (what, text[:200]))
        if not fault.get("faultstring"):
            fail("%s: no faultstring: %r" % (what, fault))


def a_second_gateway_on_the_address_fails_to_start(g):
    """No SO_REUSEPORT: the second exits at once, saying why, and the
    first keeps the address."""
    second = g.cluster.spawn(g.args, "second-gateway")
    try:
        code = second.wait(timeout=10)
    except subprocess.TimeoutExpired:
        second.kill()
        second.wait()
        fail("a second gateway on 127.0.0.1:%d is still running after 10 s"
             % g.port)
    if code == 0:
        fail("the second gateway exited with 0")
    log = g.cluster.log(second)
    if "Address already in use" not in log or str(g.port) not in log:
        fail("the second gateway does not say why: %r" % log)
    for _ in range(20):  # every connection still reaches the first
        check("the first gateway's answer", g.http("GET", "/nope")[0], 404)


def main():
    cluster = srtest.Cluster()
    try:
        g = Gateway(cluster, extra=[
            "--engine-timeout-ms", str(ENGINE_TIMEOUT_MS),
            "--header-timeout-ms", str(HEADER_TIMEOUT_MS),
            "--max-connections", str(DRIPPERS + 4)])
        waiting_requests_hold_up_no_one(g)
        dripping_headers_are_cut_at_the_deadline(g)
        refusals_come_at_once(g)
        a_second_gateway_on_the_address_fails_to_start(g)
        g.close()
    finally:
        cluster.stop()
    print("gateway transport: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
