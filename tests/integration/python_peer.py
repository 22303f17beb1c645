#!/usr/bin/env python3
"""A worker written the way docs/protocol.md tells Python programmers to.

Run by python_peer_test.c, which plays the engine on a ROUTER socket:
    python_peer.py ENDPOINT
Exits 0 when every exchange went as the protocol says, 1 (with a message)
otherwise, pyzmq or msgpack missing included.
"""
import sys
import uuid

try:
    import msgpack
    import zmq
except ImportError as e:
    print("python_peer: FAIL: needs pyzmq and msgpack:", e, file=sys.stderr)
    sys.exit(1)

WAIT_MS = 10000
VERSION = [1, 0]


def pack(type_, **fields):
    return msgpack.packb(VERSION + [type_, fields])


def expect(sock, want):
    if not sock.poll(WAIT_MS):
        sys.exit(f"python_peer: no {want} within {WAIT_MS} ms")
    major, minor, type_, fields = msgpack.unpackb(sock.recv())
    if major != VERSION[0] or type_ != want:  # any minor of major 1
        sys.exit(f"python_peer: expected {want}, got {type_} {fields}")
    return fields


def check(what, got, want):
    if got != want:
        sys.exit(f"python_peer: {what}: expected {want!r}, got {got!r}")


def main():
    sock = zmq.Context().socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 1000)
    sock.connect(sys.argv[1])
    sock.send(pack("READY", worker="py-1", slots=2, actions=["py.*"]))

    task = expect(sock, "TASK")
    check("action_id type", type(task["action_id"]), bytes)
    check("action", task["action"], "py.add")
    # Ids may also travel as text.
    text_id = str(uuid.UUID(bytes=task["action_id"]))
    sock.send(pack("CONFIRM", action_id=text_id, attempt=task["attempt"],
                   epoch=task["epoch"]))
    go = expect(sock, "GO")
    check("GO action_id", go["action_id"], task["action_id"])
    total = task["input"]["a"] + task["input"]["b"]
    sock.send(pack("RESULT", action_id=task["action_id"],
                   attempt=task["attempt"], epoch=task["epoch"],
                   status="success", output={"sum": total, "note": None}))
    expect(sock, "ACK")

    # A bad field gets an ERROR naming it.
    sock.send(pack("CREDIT", slots="many"))
    err = expect(sock, "ERROR")
    check("ERROR code", err["code"], "EPROTO")
    check("ERROR field", err["field"], "slots")
    # Another major version gets EVERSION, with our req_id echoed.
    sock.send(msgpack.packb([2, 0, "STATUS", {"req_id": 12}]))
    err = expect(sock, "ERROR")
    check("ERROR code", err["code"], "EVERSION")
    check("ERROR req_id", err["req_id"], 12)
    check("ERROR message", err["message"].rsplit(".", 1)[0],
          "peer speaks protocol 2.0, this node speaks 1")

    sock.send(pack("BYE", worker="py-1"))
    sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
