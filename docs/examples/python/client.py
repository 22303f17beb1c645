#!/usr/bin/env python3
"""A Sirocco client in Python, written from docs/protocol.md ("The client
protocol"): it stores a workflow that calls the `py.add` action of
worker.py, starts an execution, watches it through SUBSCRIBE events to its
end, and prints the output.

    client.py --cluster sirocco-cluster/cluster.json [--a 1 --b 2 --c 3]
    client.py --cluster tcp://127.0.0.1:7100[,tcp://...]

The execution is started on the first engine given (any engine takes a
new execution). Its id carries its partition (the first two bytes), and
the STATUS of an engine tells which engine owns each partition, so the
client subscribes at the owner. Exit 0 when the execution ends SUCCESS,
1 when it ends otherwise or does not end within --timeout seconds.

Needs python3-zmq and python3-msgpack (Debian packages).
"""
import argparse
import itertools
import json
import sys
import time
import uuid

import msgpack
import zmq

VERSION = [1, 0]
FINAL = ("SUCCESS", "ERROR", "CANCELLED")
HEARTBEAT_S = 1.0  # a subscribed client heartbeats after this silence

WORKFLOW = """
version: '2.0'
py_sum:
  description: a + b + c, by two calls of py.add
  input: [a, b, c]
  output:
    total: <% $.total %>
  tasks:
    first:
      action: py.add a=<% $.a %> b=<% $.b %>
      publish: {partial: <% task().result %>}
      on-success: second
    second:
      action: py.add a=<% $.partial %> b=<% $.c %>
      publish: {total: <% task().result %>}
"""


class EngineError(Exception):
    pass


class Connection:
    """A DEALER on one engine's client endpoint."""

    def __init__(self, ctx, endpoint):
        self.endpoint = endpoint
        self.sock = ctx.socket(zmq.DEALER)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.connect(endpoint)
        self.req_ids = itertools.count(1)
        self.events = []  # EVENTs received while waiting for a REPLY
        self.sent = time.monotonic()

    def send(self, type_, **fields):
        self.sock.send(msgpack.packb(VERSION + [type_, fields]))
        self.sent = time.monotonic()

    def recv(self, timeout_s):
        if not self.sock.poll(max(int(timeout_s * 1000), 0)):
            return None
        major, minor, type_, f = msgpack.unpackb(self.sock.recv())
        return type_, f

    def call(self, type_, timeout_s=10.0, **fields):
        req_id = next(self.req_ids)
        self.send(type_, req_id=req_id, **fields)
        end = time.monotonic() + timeout_s
        while True:
            got = self.recv(end - time.monotonic())
            if got is None:
                raise EngineError("%s: no answer to %s within %.0f s"
                                  % (self.endpoint, type_, timeout_s))
            rtype, f = got
            if rtype == "EVENT":
                self.events.append(f)
            elif rtype in ("REPLY", "ERROR") and f.get("req_id") == req_id:
                if rtype == "ERROR":
                    raise EngineError("%s: %s" % (f["code"], f["message"]))
                return f["body"]

    def close(self):
        self.sock.close()


def client_endpoints(cluster):
    """The engines' client endpoints: from a cluster.json, or a list."""
    if cluster.endswith(".json"):
        with open(cluster) as f:
            return [e["client"] for e in json.load(f)["engines"]]
    return [ep.strip() for ep in cluster.split(",") if ep.strip()]


def owner_of(conn, execution_id):
    """The client endpoint of the engine owning the execution's partition."""
    partition = int.from_bytes(uuid.UUID(execution_id).bytes[:2], "big")
    for engine in conn.call("STATUS").get("cluster") or []:
        if partition in engine["partitions"]:
            return engine["client"]
    return conn.endpoint  # a single engine: it owns everything


def watch(conn, execution_id, timeout_s):
    """Print the events of an execution until it ends; its final state."""
    ex_bytes = uuid.UUID(execution_id).bytes
    conn.call("SUBSCRIBE", execution_id=ex_bytes)
    # It may have ended before the subscription: read it once.
    state = conn.call("EX_GET", execution_id=ex_bytes)["state"]
    end = time.monotonic() + timeout_s
    while state not in FINAL:
        if time.monotonic() > end:
            raise EngineError("not finished after %.0f s" % timeout_s)
        got = conn.events.pop(0) if conn.events else None
        if got is None:
            msg = conn.recv(0.2)
            if msg and msg[0] == "EVENT":
                got = msg[1]
        if got is not None and got["execution_id"] == ex_bytes:
            print("  %-9s %-8s %s" % (got["kind"], got.get("name", ""),
                                      got["state"]))
            if got["kind"] == "execution":
                state = got["state"]
        if time.monotonic() - conn.sent > HEARTBEAT_S:
            conn.send("HEARTBEAT", name="client.py")
    conn.call("UNSUBSCRIBE")
    return state


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cluster", required=True,
                    help="cluster.json, or engine client endpoints")
    ap.add_argument("--a", type=int, default=1)
    ap.add_argument("--b", type=int, default=2)
    ap.add_argument("--c", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=30.0)
    args = ap.parse_args()
    ctx = zmq.Context()
    endpoints = client_endpoints(args.cluster)
    first = Connection(ctx, endpoints[0])
    try:
        for wf in first.call("WF_CREATE", definition=WORKFLOW):
            print("workflow %s version %s" % (wf["name"], wf["version"]))
        ex = first.call("EX_START", workflow="py_sum",
                        input=dict(a=args.a, b=args.b, c=args.c))
        print("execution %s started" % ex["id"])
        owner = owner_of(first, ex["id"])
        conn = first if owner == first.endpoint else Connection(ctx, owner)
        state = watch(conn, ex["id"], args.timeout)
        done = conn.call("EX_GET", execution_id=uuid.UUID(ex["id"]).bytes)
        print("execution %s %s" % (ex["id"], state))
        print(json.dumps(done.get("output"), sort_keys=True))
        return 0 if state == "SUCCESS" else 1
    except EngineError as e:
        print("client.py: %s" % e, file=sys.stderr)
        return 1
    finally:
        ctx.destroy(linger=0)


if __name__ == "__main__":
    sys.exit(main())
