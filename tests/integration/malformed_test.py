#!/usr/bin/env python3
"""Malformed and oversized messages sent straight to both endpoints of an
engine: each is answered with an ERROR naming the problem (or dropped),
the engine keeps running, and an execution started before the barrage
still finishes with its output. A worker speaking another protocol major
version gets EVERSION and is given no task. Empty names and names over the
protocol's limit get EINVAL naming the field, and names over LMDB's key
size are kept. With --raft, a peer's broken RAFT messages to a
replicated engine instead (raft_barrage)."""
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import srtest  # noqa: E402
from srtest import msgpack, zmq  # noqa: E402

WF = """
version: '2.0'
wait_then_echo:
  tasks:
    nap:
      action: std.sleep seconds=0.5
      on-success: say
    say:
      action: std.echo output="still here"
      publish: {said: <% task().result %>}
"""


def bad_messages():
    rnd = random.Random(7)
    yield b"", "EPROTO"
    yield b"\xc1", "EPROTO"
    yield b"not msgpack at all", "EPROTO"
    yield msgpack.packb([1, 0]), "EPROTO"
    yield msgpack.packb([1, 0, "NO_SUCH", {}]), "EPROTO"
    yield msgpack.packb([9, 0, "STATUS", {"req_id": 1}]), "EVERSION"
    yield msgpack.packb([1, 0, "EX_GET", {"req_id": 2}]), "EPROTO"
    yield msgpack.packb([1, 0, "EX_GET", {"req_id": 3,
                                          "execution_id": "xyz"}]), "EPROTO"
    yield msgpack.packb([1, 0, "EX_START", {"req_id": 4, "workflow": 5}]), \
        "EPROTO"
    yield b"\x94\x01\x00\xa6STATUS\xde\xff\xff", "EPROTO"  # truncated map
    yield msgpack.packb([1, 0, "WF_CREATE",
                         {"req_id": 5, "definition": "x" * (2 << 20)}]), \
        "ETOOBIG"
    # BATCH (1.7): bad items are refused one by one on the worker
    # endpoint, and BATCH itself on the client endpoint
    inner = msgpack.packb([1, 7, "BATCH", {"messages": []}])
    yield msgpack.packb([1, 7, "BATCH", {"messages": [inner]}]), "EPROTO"
    yield msgpack.packb([1, 7, "BATCH", {"messages": [b"\xc1"]}]), "EPROTO"
    yield msgpack.packb([1, 7, "BATCH", {"messages": 5}]), "EPROTO"
    yield msgpack.packb([1, 7, "BATCH", {"messages": [b"x"] * 4097}]), \
        "ETOOBIG"
    nest = 0
    for _ in range(200):
        nest = [nest]
    yield msgpack.packb([1, 0, "EX_START", {"req_id": 6, "workflow": "w",
                                            "input": {"a": nest}}]), "ETOOBIG"
    for _ in range(50):
        n = rnd.randint(1, 64)
        yield bytes(rnd.getrandbits(8) for _ in range(n)), None


LONG = "w" * 600  # over LMDB's 511-byte keys, within the protocol's 1,024


def named(name):
    return ("version: '2.0'\n? %s\n: tasks:\n    t: {action: std.noop}\n"
            % name)


# Requests well formed on the wire whose names the engine must refuse with
# EINVAL naming the field (issue 18, item 9: they answered ESTORE with
# LMDB's MDB_BAD_VALSIZE, or EINTERNAL), then long names it must keep.
BAD_NAMES = [
    ("WF_GET", {"name": ""}, "name"),
    ("WF_DELETE", {"name": ""}, "name"),
    ("EX_START", {"workflow": ""}, "workflow"),
    ("EX_START", {"workflow": "wait_then_echo", "version": ""}, "version"),
    ("WF_GET", {"name": "wait_then_echo", "version": ""}, "version"),
    ("EX_RERUN", {"execution_id": b"\0" * 16, "task": ""}, "task"),
    ("WF_CREATE", {"definition": named("x" * 1100)}, "definition"),
]


def hostile_names(cl):
    for type_, fields, field in BAD_NAMES:
        try:
            cl.call(type_, **fields)
            srtest.fail("%s %r accepted" % (type_, fields))
        except srtest.ProtoError as e:
            srtest.check("%s %s: code (%s)" % (type_, field, e.message),
                         e.code, "EINVAL")
            srtest.check("%s %s: field" % (type_, field), e.field, field)
    got = cl.call("WF_CREATE", definition=named(LONG))
    srtest.check("long name created", [w["name"] for w in got], [LONG])
    srtest.check("long name read", cl.call("WF_GET", name=LONG)["name"],
                 LONG)
    if LONG not in [w["name"] for w in cl.call("WF_LIST")]:
        srtest.fail("a long name is not listed")
    ex = cl.start(LONG)["id"]
    srtest.check("long name run", cl.wait([ex], timeout=30)[ex]["state"],
                 "SUCCESS")
    cl.call("WF_DELETE", name=LONG)
    try:
        cl.call("WF_GET", name=LONG)
        srtest.fail("a deleted long name is still found")
    except srtest.ProtoError as e:
        srtest.check("deleted long name", e.code, "ENOTFOUND")


def barrage(endpoint, expect_errors):
    sock = zmq.Context.instance().socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 0)
    sock.connect(endpoint)
    for data, code in bad_messages():
        sock.send(data)
        if code and expect_errors:
            if not sock.poll(5000):
                srtest.fail("no ERROR for %r on %s" % (data[:40], endpoint))
            t, f = srtest.unpack(sock.recv())
            srtest.check("answer to %r" % data[:30], t, "ERROR")
            srtest.check("code for %r" % data[:30], f["code"], code)
    sock.send_multipart([b"two", b"frames"])
    time.sleep(0.2)
    while sock.poll(0):
        sock.recv()
    sock.close()


def peak_rss_mb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    srtest.fail("no VmHWM for pid %d" % pid)


def huge_frames(e, endpoints, n=4, mb=64):
    """Frames far over the payload limit are refused at the socket
    (ZMQ_MAXMSGSIZE): the engine's peak memory does not grow by one of
    them, and it keeps answering."""
    before = peak_rss_mb(e.pid)
    frame = b"\x94" + b"x" * (mb << 20)
    socks = []
    for i in range(n):
        sock = zmq.Context.instance().socket(zmq.DEALER)
        sock.setsockopt(zmq.LINGER, 0)
        sock.connect(endpoints[i % len(endpoints)])
        sock.send(frame, copy=False)
        socks.append(sock)
    time.sleep(1.5)
    for sock in socks:
        sock.close()
    grew = peak_rss_mb(e.pid) - before
    if grew >= mb // 2:
        srtest.fail("%d frames of %d MB grew the engine's peak RSS by %d MB"
                    % (n, mb, grew))
    return grew


INLINE = """
version: '2.0'
inline:
  tasks:
    only:
      publish: {done: true}
"""


def raft_messages(rnd):
    """RAFT messages a peer might send broken (docs/protocol.md, "The
    engines' Raft messages"): fields of the wrong type or missing,
    pieces out of their range, payloads that are not C-Raft messages,
    and messages whose terms are long past. Yields (fields, expect an
    ERROR answer: the message is not one; RAFT is otherwise never
    answered)."""
    pk = msgpack.packb
    base = {"partition": 0, "from": 3, "seq": 1, "part": 0, "parts": 1}

    def raft(payload, **over):
        return dict(base, payload=payload, **over)
    vote = pk([1, 3, 5, 3, 10, 4, 0, 0])  # RequestVote, term 5
    yield {k: v for k, v in raft(vote).items() if k != "payload"}, True
    yield raft(vote, partition="zero"), True
    yield raft(vote, seq=[1]), True
    yield raft("a text, not a binary"), False
    yield raft(vote, **{"from": 2}), False  # not the link's engine
    yield raft(vote, partition=99), False   # no copy of it here
    yield raft(vote, parts=0), True
    yield raft(vote, part=1), False
    yield raft(vote, part=-1), True
    yield raft(vote, parts=300), False
    yield raft(vote, part=5, parts=9), False  # a piece without the first
    yield raft(b""), False
    yield raft(vote[:4]), False              # cut short
    yield raft(vote + b"\x00"), False        # a byte after the array
    yield raft(pk([2, 3, 5, 3, 10, 4, 0, 0])), False  # version 2
    yield raft(pk([1, 9, 5])), False         # no such type
    yield raft(pk([1, 3, "5", 3, 10, 4, 0, 0])), False
    yield raft(pk([1, 3, -5, 3, 10, 4, 0, 0])), False
    yield raft(pk([1, 3, 5, 3, 10, 4, 2, 0])), False  # a flag of 2
    yield raft(b"\x97\x01\x01\x05\x01\x01\x01\xdd\x7f\xff\xff\xff"), \
        False  # AppendEntries of 2^31 entries, none there
    yield raft(pk([1, 1, 0, 0, 0, 0, [[0, 4, b"x"]]])), False  # entry type
    yield raft(pk([1, 5, 0, 1, 1, [[1, "e1", 1], [1, "e1", 1]], 1,
                   b""])), False  # InstallSnapshot: a server twice
    yield raft(pk([1, 5, 0, 1, 1, [[0, "e1", 9]], 1, b""])), False
    yield raft(bytes(rnd.getrandbits(8) for _ in range(300))), False
    # Well formed, of term 0: long past, C-Raft answers or ignores them.
    yield raft(pk([1, 1, 0, 0, 0, 0, [[0, 1, b"not a write set"]]])), False
    yield raft(pk([1, 2, 0, 0, 1 << 40])), False
    yield raft(pk([1, 4, 0, 1, 1])), False
    yield raft(pk([1, 6, 0, 1 << 40, 1 << 40])), False
    yield raft(pk([1, 5, 0, 1 << 40, 1, [[3, "e3", 1]], 1,
                   b"not a partition"])), False
    # Pieces: the second of another message, then a whole one put back
    # together from two pieces that is no C-Raft message.
    yield raft(vote[:3], seq=7, parts=2), False
    yield raft(vote[3:], seq=8, part=1, parts=2), False
    yield raft(b"\xc1" * 10, seq=9, parts=2), False
    yield raft(b"\xc1" * 10, seq=9, part=1, parts=2), False
    # Over the payload limit (1 MiB).
    yield raft(b"\x00" * (2 << 20)), True


def raft_barrage():
    """Issue 12: a peer's broken RAFT messages to a replicated engine.
    Engines e1 and e2 of three replicate every partition; this process
    plays e3 (its link's routing id, "peer:e3"). The engine answers the
    messages that are not RAFT messages with an ERROR, refuses the others
    logging the first refusal only, does not crash, keeps its leaders in
    their terms, and runs an execution in each partition to SUCCESS."""
    c = srtest.Cluster()
    try:
        es = c.replicated(["e1", "e2"], extra=["--election-ms", "2000"])
        cls = {n: srtest.Client(e.client_ep) for n, e in es.items()}
        before = srtest.wait_leaders(cls, 3)
        cls["e1"].create(INLINE)
        sock = zmq.Context.instance().socket(zmq.DEALER)
        sock.setsockopt(zmq.LINGER, 0)
        sock.setsockopt(zmq.ROUTING_ID, b"peer:e3")
        sock.connect(es["e1"].client_ep)
        rnd = random.Random(12)
        sent = 0
        for fields, answered in raft_messages(rnd):
            sock.send(msgpack.packb([1, 0, "RAFT", fields]))
            sent += 1
            if sock.poll(300 if answered else 50):
                t, f = srtest.unpack(sock.recv())
                if not answered:
                    srtest.fail("RAFT %r answered %s %s"
                                % (sorted(fields), t, f))
                srtest.check("answer to RAFT %r" % sorted(fields), t,
                             "ERROR")
            elif answered:
                srtest.fail("no ERROR for RAFT %r" % sorted(fields))
        while sock.poll(200):
            sock.recv()
        sock.close()
        ids = [cls["e1"].start("inline", partition=p)["id"]
               for p in range(3)]
        done = cls["e1"].wait(ids, timeout=30)
        for i in ids:
            srtest.check("execution %s" % i, done[i]["state"], "SUCCESS")
        for n, e in es.items():
            if e.poll() is not None:
                srtest.fail("%s exited: %s" % (n, c.log(e)))
        after = srtest.leaders(cls)
        srtest.check("leaders and terms", after, before)
        with open(es["e1"].log_path, errors="replace") as f:
            refused = f.read().count("a RAFT message from e3 refused")
        srtest.check("refusals logged", refused, 1)
        print("malformed RAFT: %d messages as e3, refusal logged once, "
              "leaders and terms unchanged, executions SUCCESS" % sent)
        for cl in cls.values():
            cl.close()
        return 0
    finally:
        c.stop()


def main():
    if "--raft" in sys.argv[1:]:
        return raft_barrage()
    c = srtest.Cluster()
    try:
        e = c.engine()
        c.worker("w1", [e], slots=2)
        cl = srtest.Client(e.client_ep)
        c.wait_workers(cl, 1)
        cl.create(WF)
        ex = cl.start("wait_then_echo")["id"]
        barrage(e.client_ep, True)
        barrage(e.worker_ep, False)
        grew = huge_frames(e, [e.client_ep, e.worker_ep])
        print("huge frames: peak RSS grew by %d MB" % grew)
        hostile_names(cl)
        # A worker of protocol 2.x is refused with EVERSION, no task.
        sock = zmq.Context.instance().socket(zmq.DEALER)
        sock.setsockopt(zmq.LINGER, 0)
        sock.connect(e.worker_ep)
        sock.send(msgpack.packb([2, 0, "READY", {"worker": "future",
                                                 "slots": 8}]))
        if not sock.poll(5000):
            srtest.fail("no answer to a READY of protocol 2.0")
        t, f = srtest.unpack(sock.recv())
        srtest.check("answer to READY 2.0", (t, f["code"]),
                     ("ERROR", "EVERSION"))
        if "2.0" not in f["message"] or "speaks 1." not in f["message"]:
            srtest.fail("EVERSION message names both versions: %r"
                        % f["message"])
        ex2 = cl.start("wait_then_echo")["id"]
        done = cl.wait([ex, ex2], timeout=30)
        for i in (ex, ex2):
            srtest.check("state", done[i]["state"], "SUCCESS")
        if sock.poll(200):
            t, f = srtest.unpack(sock.recv())
            if t == "TASK":
                srtest.fail("a 2.0 worker was given a TASK")
        sock.close()
        if e.poll() is not None:
            srtest.fail("the engine exited: " + c.log(e))
        names = [w["name"] for w in cl.call("STATUS")["workers"]]
        srtest.check("workers", names, ["w1"])
        print("malformed: every bad message answered, engine alive")
        return 0
    finally:
        c.stop()


if __name__ == "__main__":
    sys.exit(main())
