"""A small worker written against docs/protocol.md, run in a thread of a
test: it offers std.echo, std.noop, std.fail and the delegate
std.async_noop (answered `pending`, completed later through COMPLETE),
and records every TASK it gets (action id, token, context) so tests can
find a delegate's callback URL.

Used by the gateway tests; needs pyzmq and msgpack (srtest fails
without them).
"""
import threading
import time
import uuid

from srtest import fail, msgpack, zmq

VERSION = [1, 0]
HEARTBEAT_S = 0.1


def _pack(type_, **fields):
    return msgpack.packb(VERSION + [type_, fields], use_bin_type=True)


class FakeWorker:
    """One DEALER to one engine's worker endpoint, served by a thread."""

    def __init__(self, endpoint, name="fake-1", slots=8):
        self.endpoint = endpoint
        self.name = name
        self.slots = slots
        self.tasks = []  # TASK fields, in arrival order
        self.lock = threading.Lock()
        self.stopping = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def stop(self):
        self.stopping = True
        self.thread.join(timeout=5)

    def _run(self):
        sock = zmq.Context.instance().socket(zmq.DEALER)
        sock.setsockopt(zmq.LINGER, 0)
        sock.connect(self.endpoint)
        sock.send(_pack("READY", worker=self.name, slots=self.slots,
                        actions=["std.*"]))
        last = 0.0
        try:
            while not self.stopping:
                if time.time() - last > HEARTBEAT_S:
                    sock.send(_pack("HEARTBEAT", name=self.name))
                    last = time.time()
                if not sock.poll(20):
                    continue
                _, _, type_, f = msgpack.unpackb(sock.recv(), raw=False)
                if type_ == "TASK":
                    with self.lock:
                        self.tasks.append(f)
                    sock.send(_pack("CONFIRM", action_id=f["action_id"],
                                    attempt=f["attempt"], epoch=f["epoch"]))
                elif type_ == "GO":
                    sock.send(self._result(f))
        finally:
            sock.send(_pack("BYE", worker=self.name))
            sock.close()

    def _task(self, action_id):
        with self.lock:
            for t in self.tasks:
                if t["action_id"] == action_id:
                    return t
        return None

    def _result(self, go):
        t = self._task(go["action_id"])
        fields = dict(action_id=t["action_id"], attempt=t["attempt"],
                      epoch=t["epoch"])
        action = t["action"]
        if action == "std.async_noop":
            return _pack("RESULT", status="pending", **fields)
        if action == "std.fail":
            return _pack("RESULT", status="error", error="std.fail failed",
                         **fields)
        output = t["input"].get("output") if action == "std.echo" else None
        return _pack("RESULT", status="success", output=output, **fields)

    def wait_task(self, action, count=1, timeout=10.0):
        """The `count`-th TASK of `action` (waiting for it)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                got = [t for t in self.tasks if t["action"] == action]
            if len(got) >= count:
                return got[count - 1]
            time.sleep(0.02)
        fail("the worker got no %d-th TASK of %s within %.0f s"
             % (count, action, timeout))


def action_id_text(task):
    return str(uuid.UUID(bytes=task["action_id"]))
