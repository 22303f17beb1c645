#!/usr/bin/env python3
"""Operations endpoints and a cluster that does not answer: /healthz is
200 while every engine answers and 503 (with Retry-After) when one does
not; /metrics counts the gateway's requests by route and status and
carries each engine's STATUS figures; an execution list leaves out a
silent engine and says so; every other call that needs a silent engine
gets 503 with Retry-After, and the gateway keeps serving."""
import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gwtest import GatewayCluster, free_port  # noqa: E402
from srtest import check, fail  # noqa: E402

EX = "00006b04-771a-853a-a30a-40766780fb7d"


def metric(text, name, labels):
    """The value of sample `name{labels}` in Prometheus text, or None."""
    m = re.search(r"^%s\{%s\} (\S+)$" % (re.escape(name), re.escape(labels)),
                  text, re.M)
    return float(m.group(1)) if m else None


def main():
    with GatewayCluster() as g:
        g.expect("GET", "/v2/executions", 200)
        g.expect("GET", "/v2/executions/" + EX, 404)
        g.expect("GET", "/v2/nowhere", 404)
        text = g.expect("GET", "/metrics", 200)
        for name, labels, want in [
                ("sirocco_gateway_requests_total",
                 'route="GET /v2/executions",code="200"', 1),
                ("sirocco_gateway_requests_total",
                 'route="GET /v2/executions/{}",code="404"', 1),
                ("sirocco_gateway_requests_total",
                 'route="unmatched",code="404"', 1),
                ("sirocco_gateway_request_seconds_count",
                 'route="GET /v2/executions"', 1),
                ("sirocco_engine_up",
                 'engine="%s"' % g.engine.client_ep, 1),
                ("sirocco_engine_workers",
                 'engine="%s"' % g.engine.client_ep, 1),
                ("sirocco_engine_worker_slots",
                 'engine="%s"' % g.engine.client_ep, 8)]:
            check("%s{%s}" % (name, labels), metric(text, name, labels), want)
        if "# TYPE sirocco_gateway_request_seconds histogram" not in text:
            fail("no histogram family in /metrics")

    # An engine that is not there: a cluster of one live and one dead.
    dead = "tcp://127.0.0.1:%d" % free_port()
    with GatewayCluster(worker=False, extra=["--engine-timeout-ms", "300"]) as g:
        g.gateway.kill()
        g.gateway.wait()
        g.cluster.procs.remove(g.gateway)
        g.gateway = g.cluster.spawn(
            [os.path.join(g.cluster.bin, "sirocco-gateway"),
             "--cluster", g.engine.client_ep + "," + dead,
             "--listen", "127.0.0.1:%d" % g.port, "--log-level", "error",
             "--engine-timeout-ms", "300", "--retry-after-s", "7"], "gw2")
        status = None
        for _ in range(100):
            try:
                status, headers, body = g.http("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.05)
        check("healthz with a dead engine", status, 503)
        check("Retry-After", headers.get("retry-after"), "7")
        check("degraded", body["status"], "degraded")
        check("which one", [e["up"] for e in body["engines"]], [True, False])
        # A list is made of what the live engines hold, and says which
        # engine is missing (these engines share no cluster file, so
        # neither knows the other's partitions).
        status, headers, body = g.http("GET", "/v2/executions")
        check("a list with a dead engine", status, 200)
        check("what it misses", body.get("sirocco_missing"),
              {"engines": [{"endpoint": dead, "error":
                            "EX_LIST: engine %s is not connected (is it "
                            "running?)" % dead}], "partitions": []})
        for method, path, data in [
                ("GET", "/v2/workflows", None),
                ("POST", "/v1/callbacks/sometoken", "{}")]:
            status, headers, body = g.http(method, path, data)
            check("%s %s" % (method, path), status, 503)
            check("its Retry-After", headers.get("retry-after"), "7")
            check("its code", body["code"], "ETIMEDOUT")
        text = g.expect("GET", "/metrics", 200)
        check("dead engine down", metric(text, "sirocco_engine_up",
                                         'engine="%s"' % dead), 0)
    print("gateway operations: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
