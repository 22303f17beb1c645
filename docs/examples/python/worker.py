#!/usr/bin/env python3
"""A Sirocco worker in Python that offers its own actions, `py.add` and
`py.upper`, written from docs/protocol.md ("The worker protocol").

    worker.py --engine tcp://127.0.0.1:7101 [--engine ...] [--name N]
    worker.py --cluster sirocco-cluster/cluster.json

It connects one DEALER socket to the worker endpoint of each engine it is
given, and to every other engine of the cluster as soon as an engine's
HEARTBEAT names it (field `peers`), so one endpoint is enough. With each
engine it follows the protocol: READY, then for each TASK a CONFIRM, and
on GO it runs the action and sends the RESULT, again and again until the
ACK comes; HALT drops the task. It sends a HEARTBEAT after a second of
silence, starts a new session (a new socket and READY) with an engine it
has not heard from for five seconds, and answers an ESTATE error with
READY. SIGTERM or Ctrl-C stop it cleanly: CREDIT 0, the last ACKs, BYE.

Needs python3-zmq and python3-msgpack (Debian packages).
"""
import argparse
import json
import os
import signal
import socket
import sys
import time

import msgpack
import zmq

VERSION = [1, 0]
HEARTBEAT_S = 1.0  # send HEARTBEAT after this much silence (--heartbeat-ms)
EXPIRY_S = 5.0     # an engine silent this long is lost: 5 heartbeats
RESEND_S = 2.0     # a RESULT without ACK is sent again after this
STOP_GRACE_S = 5.0  # at stop, the longest wait for the last ACKs


# --- the actions this worker offers ------------------------------------

def py_add(a, b):
    return a + b


def py_upper(text):
    return str(text).upper()


ACTIONS = {"py.add": py_add, "py.upper": py_upper}


def run_action(name, params):
    """Run one action; returns the RESULT fields."""
    try:
        return dict(status="success", output=ACTIONS[name](**params))
    except KeyError:
        return dict(status="error", error="no action named %s here" % name)
    except Exception as e:  # the action's own failure is its result
        return dict(status="error", error="%s: %s" % (type(e).__name__, e))


# --- the protocol ------------------------------------------------------

def pack(type_, **fields):
    return msgpack.packb(VERSION + [type_, fields])


class Engine:
    """One engine: a DEALER socket and our session with it."""

    def __init__(self, ctx, endpoint, hello):
        self.ctx, self.endpoint, self.hello = ctx, endpoint, hello
        self.sock = None
        self.tasks = {}    # action_id -> TASK fields, waiting for GO/HALT
        self.unacked = {}  # action_id -> (RESULT frame, last sent)
        self.advertised = None  # the endpoint the engine gives for itself
        self.new_session()

    def new_session(self):
        if self.sock is not None:
            self.sock.close(linger=0)
        self.sock = self.ctx.socket(zmq.DEALER)
        self.sock.setsockopt(zmq.LINGER, 0)
        self.sock.connect(self.endpoint)
        self.heard = time.monotonic()
        self.ready()

    def ready(self):
        """READY, then what the engine may lack: the CONFIRMs it has not
        answered and the RESULTs it has not acknowledged."""
        self.ready_at = time.monotonic()
        self.send(pack("READY", **self.hello))
        for t in self.tasks.values():
            self.send(pack("CONFIRM", action_id=t["action_id"],
                           attempt=t["attempt"], epoch=t["epoch"]))
        for frame, _ in list(self.unacked.values()):
            self.send(frame)

    def send(self, frame):
        self.sock.send(frame)
        self.sent = time.monotonic()

    def on_message(self, type_, f, worker):
        self.heard = time.monotonic()
        if type_ == "TASK":
            self.tasks[f["action_id"]] = f
            self.send(pack("CONFIRM", action_id=f["action_id"],
                           attempt=f["attempt"], epoch=f["epoch"]))
        elif type_ == "GO":
            t = self.tasks.pop(f["action_id"], None)
            if t is None:
                return
            out = run_action(t["action"], t["input"])
            frame = pack("RESULT", action_id=t["action_id"],
                         attempt=t["attempt"], epoch=t["epoch"], **out)
            self.unacked[t["action_id"]] = (frame, time.monotonic())
            self.send(frame)
        elif type_ == "HALT":
            self.tasks.pop(f["action_id"], None)
        elif type_ == "ACK":
            self.unacked.pop(f["action_id"], None)
        elif type_ == "HEARTBEAT":
            peers = f.get("peers") or []
            if peers:
                self.advertised = peers[0]  # the sender's own, first
            worker.join(peers)
        elif type_ == "ERROR":
            print("engine %s: %s %s" % (self.endpoint, f.get("code"),
                                        f.get("message")), file=sys.stderr)
            # The engine lost our session (it restarted): a new one, but
            # not for each error answering what we sent before it.
            if (f.get("code") == "ESTATE"
                    and time.monotonic() - self.ready_at > HEARTBEAT_S):
                self.ready()

    def tick(self):
        now = time.monotonic()
        if now - self.heard > EXPIRY_S:
            print("engine %s silent; new session" % self.endpoint,
                  file=sys.stderr)
            self.new_session()
            return
        for action_id, (frame, sent) in list(self.unacked.items()):
            if now - sent > RESEND_S:
                self.unacked[action_id] = (frame, now)
                self.send(frame)
        if now - self.sent > HEARTBEAT_S:
            self.send(pack("HEARTBEAT", name=self.hello["worker"]))


class Worker:
    def __init__(self, endpoints, name, slots):
        self.ctx = zmq.Context()
        self.hello = dict(worker=name, slots=slots, actions=sorted(ACTIONS),
                          pid=os.getpid(), host=socket.gethostname())
        self.engines = []
        self.join(endpoints)

    def join(self, endpoints):
        """Connect to every endpoint not connected yet."""
        for ep in endpoints:
            if not any(ep in (e.endpoint, e.advertised) for e in self.engines):
                self.engines.append(Engine(self.ctx, ep, self.hello))
                print("joined engine %s" % ep, file=sys.stderr)

    def poll_once(self, timeout_ms):
        poller = zmq.Poller()
        for e in self.engines:
            poller.register(e.sock, zmq.POLLIN)
        ready = dict(poller.poll(timeout_ms))
        for e in list(self.engines):
            while e.sock in ready and e.sock.poll(0):
                frame = e.sock.recv()
                try:
                    major, minor, type_, f = msgpack.unpackb(frame)
                except Exception as err:
                    print("bad message from %s: %s" % (e.endpoint, err),
                          file=sys.stderr)
                    continue
                e.on_message(type_, f, self)
        for e in self.engines:
            e.tick()

    def stop(self):
        """CREDIT 0, wait a little for the last ACKs, BYE."""
        for e in self.engines:
            e.send(pack("CREDIT", slots=0))
        end = time.monotonic() + STOP_GRACE_S
        while any(e.unacked for e in self.engines) and time.monotonic() < end:
            self.poll_once(100)
        for e in self.engines:
            e.send(pack("BYE", worker=self.hello["worker"]))
            e.sock.close(linger=1000)
        self.ctx.term()


def endpoints_of(path):
    """Every engine's worker endpoint from a cluster.json."""
    with open(path) as f:
        return [e["worker"] for e in json.load(f)["engines"]]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--engine", action="append", default=[],
                    help="an engine's worker endpoint (repeatable)")
    ap.add_argument("--cluster", help="cluster.json of `sirocco cluster up`")
    ap.add_argument("--name", default="py-%s-%d" % (socket.gethostname(),
                                                   os.getpid()))
    ap.add_argument("--slots", type=int, default=4)
    ap.add_argument("--heartbeat-ms", type=int, default=1000,
                    help="as the engines' (they drop a worker silent for "
                         "5 of their heartbeats)")
    args = ap.parse_args()
    global HEARTBEAT_S, EXPIRY_S
    HEARTBEAT_S = args.heartbeat_ms / 1000.0
    EXPIRY_S = 5 * HEARTBEAT_S
    endpoints = list(args.engine)
    if args.cluster:
        endpoints += endpoints_of(args.cluster)
    if not endpoints:
        ap.error("give --engine ENDPOINT or --cluster cluster.json")
    stopping = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopping.append(True))
    worker = Worker(endpoints, args.name, args.slots)
    print("worker %s offers %s" % (args.name, ", ".join(sorted(ACTIONS))),
          file=sys.stderr)
    while not stopping:
        worker.poll_once(200)
    worker.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
