"""Helpers for the integration tests: real sirocco-engined and
sirocco-workerd processes on ipc:// endpoints in a temporary folder, and a
small protocol client (the wire format of docs/protocol.md).

Processes are started here and killed by their PID only. Every wait is
bounded and fails with a message saying what did not happen.
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid

try:
    import msgpack
    import zmq
except ImportError as e:  # deploy/setup.sh installs both: a failure
    print("FAIL: %s: install python3-msgpack and python3-zmq "
          "(deploy/setup.sh)" % e, file=sys.stderr)
    sys.exit(1)

VERSION = [1, 0]
FINAL = ("SUCCESS", "ERROR", "CANCELLED")


class ProtoError(Exception):
    def __init__(self, fields):
        super().__init__("%s: %s" % (fields.get("code"), fields.get("message")))
        self.code = fields.get("code")
        self.message = fields.get("message")
        self.field = fields.get("field")


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def check(what, got, want):
    if got != want:
        fail("%s: got %r, want %r" % (what, got, want))


def pack(type_, **fields):
    return msgpack.packb(VERSION + [type_, fields], use_bin_type=True)


def unpack(data):
    major, minor, type_, fields = msgpack.unpackb(data, raw=False)
    return type_, fields


def uid(text):
    return uuid.UUID(text).bytes


def new_id(partition):
    """A new execution id in `partition`, laid out as the engines lay
    theirs out (docs/protocol.md, EX_START): partition, unix seconds,
    version 8, variant 10, random bits. Text form."""
    b = bytearray(os.urandom(16))
    b[0:2] = partition.to_bytes(2, "big")
    b[2:6] = int(time.time()).to_bytes(4, "big")
    b[6] = 0x80 | (b[6] & 0x0F)
    b[8] = 0x80 | (b[8] & 0x3F)
    return str(uuid.UUID(bytes=bytes(b)))


class Client:
    """A DEALER on an engine's client endpoint; with `curve` (the paths of
    a secret certificate and of the engines' public one), a CurveZMQ
    client."""

    def __init__(self, endpoint, curve=None):
        self.ctx = zmq.Context.instance()
        self.sock = self.ctx.socket(zmq.DEALER)
        self.sock.setsockopt(zmq.LINGER, 0)
        if curve:
            import zmq.auth as zmq_auth
            public, secret = zmq_auth.load_certificate(curve[0])
            server, _ = zmq_auth.load_certificate(curve[1])
            self.sock.curve_publickey = public
            self.sock.curve_secretkey = secret
            self.sock.curve_serverkey = server
        self.sock.connect(endpoint)
        self.req = 0
        self.events = []

    def close(self):
        self.sock.close()

    def send_raw(self, data):
        self.sock.send(data)

    def recv(self, timeout_ms=10000):
        if not self.sock.poll(timeout_ms):
            return None
        return unpack(self.sock.recv())

    def call(self, type_, timeout_ms=20000, **fields):
        self.req += 1
        req = self.req
        self.sock.send(pack(type_, req_id=req, **fields))
        deadline = time.time() + timeout_ms / 1000.0
        while True:
            left = int((deadline - time.time()) * 1000)
            got = self.recv(max(left, 1)) if left > 0 else None
            if got is None:
                fail("no answer to %s within %d ms" % (type_, timeout_ms))
            t, f = got
            if t == "EVENT":
                self.events.append(f)
                continue
            if f.get("req_id") != req:
                continue
            if t == "ERROR":
                raise ProtoError(f)
            return f["body"]

    def call_many(self, type_, fields_list, timeout_ms=60000):
        """Send one request per entry of `fields_list` without waiting,
        then gather the answers; returns, in order, each body or the
        ProtoError of the request."""
        first = self.req + 1
        for fields in fields_list:
            self.req += 1
            self.sock.send(pack(type_, req_id=self.req, **fields))
        answers = {}
        deadline = time.time() + timeout_ms / 1000.0
        while len(answers) < len(fields_list):
            left = int((deadline - time.time()) * 1000)
            got = self.recv(max(left, 1)) if left > 0 else None
            if got is None:
                fail("%d of %d answers to %s within %d ms"
                     % (len(answers), len(fields_list), type_, timeout_ms))
            t, f = got
            if t == "EVENT":
                self.events.append(f)
            elif first <= f.get("req_id", 0) <= self.req:
                answers[f["req_id"]] = (ProtoError(f) if t == "ERROR"
                                        else f["body"])
        return [answers[first + i] for i in range(len(fields_list))]

    def create(self, text):
        return self.call("WF_CREATE", definition=text)

    def start(self, wf, **fields):
        return self.call("EX_START", workflow=wf, **fields)

    def get(self, ex_id):
        return self.call("EX_GET", execution_id=uid(ex_id))

    def wait(self, ids, states=FINAL, timeout=60.0):
        """Poll until every execution in `ids` is in one of `states`."""
        ids = list(ids)
        deadline = time.time() + timeout
        done = {}
        while ids and time.time() < deadline:
            rest = []
            for i in ids:
                st = self.get(i)
                if st["state"] in states:
                    done[i] = st
                else:
                    rest.append(i)
            ids = rest
            if ids:
                time.sleep(0.05)
        if ids:
            fail("%d executions not %s after %.0f s (e.g. %s: %s)"
                 % (len(ids), "/".join(states), timeout, ids[0],
                    self.get(ids[0])["state"]))
        return done


class Cluster:
    """Engines and workers of one test, in one temporary folder."""

    def __init__(self):
        self.build = os.environ.get("SR_BUILD_DIR", "build")
        self.bin = os.path.join(self.build, "bin")
        self.dir = tempfile.mkdtemp(prefix="sr-it-")
        self.procs = []

    def ep(self, name):
        return "ipc://%s/%s" % (self.dir, name)

    def spawn(self, args, name):
        log = open(os.path.join(self.dir, name + ".log"), "ab")
        p = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
        p.log_path = log.name
        self.procs.append(p)
        return p

    def cluster_file(self, engines, per_engine, replicas=1):
        """Write a cluster file for `engines` names, `per_engine`
        partitions each; returns its path. With `replicas` R above 1,
        each engine also holds a copy of the ranges of the R - 1 engines
        before it, its own range listed first (as `cluster up` does)."""
        path = os.path.join(self.dir, "cluster.yaml")
        with open(path, "w") as f:
            f.write("partitions: %d\n" % (engines * per_engine))
            if replicas > 1:
                f.write("replicas: %d\n" % replicas)
            f.write("engines:\n")
            for i in range(engines):
                name = "e%d" % (i + 1)
                parts = [((i - k) % engines) * per_engine + j
                         for k in range(replicas) for j in range(per_engine)]
                f.write("  - name: %s\n    client: %s\n    worker: %s\n"
                        "    partitions: %s\n"
                        % (name, self.ep(name + "-c"), self.ep(name + "-w"),
                           parts))
        self.cluster_path = path
        return path

    def engine(self, name="e1", partitions="0", durability="nosync",
               heartbeat_ms=200, extra=(), cluster=None):
        args = [os.path.join(self.bin, "sirocco-engined"), "--name", name,
                "--data", os.path.join(self.dir, name),
                "--durability", durability,
                "--heartbeat-ms", str(heartbeat_ms),
                "--log-level", "warn"] + list(extra)
        if cluster:
            args += ["--cluster", cluster]
        else:
            args += ["--client", self.ep(name + "-c"),
                     "--worker", self.ep(name + "-w"),
                     "--partitions", partitions]
        if os.path.exists(os.path.join(self.dir, name + "-c")):
            os.unlink(os.path.join(self.dir, name + "-c"))  # a restart
        p = self.spawn(args, name)
        p.client_ep = self.ep(name + "-c")
        p.worker_ep = self.ep(name + "-w")
        self.wait_socket(name + "-c", p)
        return p

    def worker(self, name, engines, slots=4, extra=()):
        args = [os.path.join(self.bin, "sirocco-workerd"), "--name", name,
                "--slots", str(slots), "--heartbeat-ms", "200",
                "--log-level", "warn"]
        for e in engines:
            args += ["--engine", e.worker_ep]
        return self.spawn(args + list(extra), name)

    def wait_socket(self, name, proc, timeout=10.0):
        path = os.path.join(self.dir, name)
        deadline = time.time() + timeout
        while not os.path.exists(path):
            if proc.poll() is not None:
                fail("%s exited with %s: %s" % (name, proc.returncode,
                                                self.log(proc)))
            if time.time() > deadline:
                fail("%s did not bind within %.0f s" % (name, timeout))
            time.sleep(0.02)

    def log(self, proc):
        with open(proc.log_path, "rb") as f:
            return f.read()[-2000:].decode(errors="replace")

    def kill(self, proc, sig=signal.SIGKILL):
        if proc.poll() is None:
            os.kill(proc.pid, sig)
        proc.wait(timeout=20)

    def stop(self):
        for p in self.procs:
            if p.poll() is None:
                os.kill(p.pid, signal.SIGTERM)
        for p in self.procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(p.pid, signal.SIGKILL)
                p.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def replicated(self, run, partitions=3, extra=(), heartbeat_ms=200):
        """Replicated partitions (issue 12): a cluster file of three
        engines, `partitions` partitions (one range per engine), each
        partition replicated on all three; engines `run` of e1, e2, e3
        are started ({name: process}). Two make a majority."""
        path = self.cluster_file(3, partitions // 3, replicas=3)
        return {n: self.engine(n, cluster=path, extra=extra,
                               heartbeat_ms=heartbeat_ms) for n in run}

    def wait_workers(self, client, count, timeout=10.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if len(client.call("STATUS")["workers"]) >= count:
                return
            time.sleep(0.05)
        fail("%d workers not ready within %.0f s" % (count, timeout))


def leaders(clients):
    """{partition: (engine, epoch)}: the engine whose STATUS lists the
    partition as served (a replicated partition: its leader), the highest
    epoch (Raft term) when two do. `clients`: {engine name: Client}."""
    out = {}
    for name, cl in clients.items():
        st = cl.call("STATUS")
        for p, epoch in zip(st["partitions"], st["epochs"]):
            if p not in out or epoch > out[p][1]:
                out[p] = (name, epoch)
    return out


def wait_leaders(clients, partitions, timeout=20.0):
    """Wait until each of partitions 0 .. `partitions` - 1 of a
    Cluster.replicated is served by one of `clients`, and by the engine
    that lists it first when that one is among them (leaderships are
    handed to it: docs/engine.md section 7); returns leaders(clients)."""
    per = partitions // 3

    def settled(got):
        return len(got) == partitions and all(
            got[p][0] == "e%d" % (p // per + 1) for p in got
            if "e%d" % (p // per + 1) in clients)
    deadline = time.time() + timeout
    while True:
        got = leaders(clients)
        if settled(got):
            return got
        if time.time() > deadline:
            fail("partitions without a leader after %.0f s: %s"
                 % (timeout, sorted(set(range(partitions)) - set(got))))
        time.sleep(0.05)
