"""Failover times of a replicated cluster (issue 12), for
failover_bench.py and chaos_kill.py.

A Probe is a thread with its own sockets (a DEALER on every engine's
client endpoint). It asks every engine for STATUS every 50 ms and keeps
the map of leaders: partition -> the engine whose STATUS of the last
`STALE_S` lists it as served (a copy serves its partition once it leads
the group and its barrier is applied), the higher epoch (Raft term) when
two do. And it keeps, for every partition, one EX_START of workflow
`workflow` in flight, sent straight to the partition's leader under an id
of that partition, one every `interval_s`; a start is answered only once
its batch's Raft entry is committed by a majority, so each answer is a
commit of the partition. A start that fails (EUNAVAIL, no answer within
`timeout_s`, no connection, no leader known) is sent again 20 ms later,
as a client would after reading STATUS. Every answer and failure is kept
with the time (time.monotonic) it was sent and answered.

`Probe.samples(victim, parts, killed_at, dead_at)` then reads, for each
partition of `parts` that `victim` led when it was killed:

* gap: from the last commit of the partition answered before the kill
  to the first commit after it (answered by another engine, or sent once
  the victim was dead) -- the failover time, how long the partition took
  no write. It includes up to one interval before the kill (the last
  probe's answer came then) and at most ~20 ms of probing after the new
  leader serves;
* from_kill: from the kill to that first commit;
* elected: from the kill to the first STATUS of another engine serving
  the partition (election, barrier, and up to 50 ms of polling).
"""
import math
import threading
import time

import srtest
from srtest import zmq

STATUS_EVERY_S = 0.05
STATUS_TIMEOUT_S = 0.5
STALE_S = 0.3  # a STATUS older than this says nothing of the leaders
RETRY_S = 0.02

INLINE_WF = """
version: '2.0'
probe:
  input: [n]
  output: {n: <% $.n %>}
  tasks:
    only:
      publish: {n: <% $.n %>}
"""


def percentile(values, q):
    """The q-th percentile (nearest rank) of `values`; None when empty."""
    if not values:
        return None
    v = sorted(values)
    return v[max(0, math.ceil(q / 100.0 * len(v)) - 1)]


def summary(values):
    """'p50 X s, p99 Y s, max Z s (n samples)' of seconds `values`."""
    if not values:
        return "no samples"
    return "p50 %.2f s, p99 %.2f s, max %.2f s (%d samples)" % (
        percentile(values, 50), percentile(values, 99), max(values),
        len(values))


class Probe(threading.Thread):
    def __init__(self, engines, partitions, workflow="probe",
                 interval_s=0.1, timeout_s=0.5):
        """`engines`: {name: client endpoint}; `partitions`: how many."""
        super().__init__(daemon=True)
        self.endpoints = dict(engines)
        self.partitions = partitions
        self.workflow = workflow
        self.interval_s = interval_s
        self.timeout_s = timeout_s
        self.lock = threading.Lock()
        self.halt = threading.Event()
        self.error = None
        self.ok = {p: [] for p in range(partitions)}   # (sent, answered, e)
        self.failed = {p: [] for p in range(partitions)}  # (sent, t, why)
        self.history = []  # (t, {p: engine}) at each change of leaders
        self.ids = []      # the executions the probes started
        self._served = {}  # engine -> (t, {p: epoch}) of its last STATUS
        self._leaders = {}

    # -- what the main thread reads -------------------------------------

    def leaders(self):
        with self.lock:
            return dict(self._leaders)

    def wait_leaders(self, want, timeout_s):
        """Wait until the leaders are `want` ({p: engine}, or a function
        of the leaders map that says they are what is waited for);
        returns the time waited, or fails naming the map."""
        t0 = time.monotonic()
        ok = want if callable(want) else (lambda m: m == want)
        while True:
            now = self.leaders()
            if ok(now):
                return time.monotonic() - t0
            if self.error:
                srtest.fail("probe: %s" % self.error)
            if time.monotonic() - t0 > timeout_s:
                srtest.fail("leaders not as expected after %.0f s: %s%s"
                            % (timeout_s, now, "" if callable(want)
                               else " (want %s)" % want))
            time.sleep(0.02)

    def close(self):
        """Stop the thread (its sockets close with it)."""
        self.halt.set()
        if self.is_alive():
            self.join(10)

    def stop(self):
        """close(), failing the run when the thread failed."""
        self.close()
        if self.error:
            srtest.fail("probe: %s" % self.error)

    def samples(self, victim, parts, killed_at, dead_at):
        """{p: {"gap", "from_kill", "elected"}} (seconds) for partitions
        `parts` led by `victim`, killed at `killed_at` and known dead at
        `dead_at`; a partition with no commit after the kill yet is
        left out."""
        out = {}
        with self.lock:
            for p in parts:
                before = [a for s, a, e in self.ok[p] if a <= killed_at]
                after = [a for s, a, e in self.ok[p]
                         if (a > killed_at and e != victim) or s >= dead_at]
                led = [t for t, m in self.history
                       if t > killed_at and m.get(p) not in (None, victim)]
                if not after:
                    continue
                first = min(after)
                out[p] = {"gap": first - max(before) if before else None,
                          "from_kill": first - killed_at,
                          "elected": (min(led) - killed_at) if led
                          else None}
        return out

    def failures(self, since, until):
        """Failed starts sent in [since, until], all partitions."""
        with self.lock:
            return sum(1 for p in self.failed for s, t, w in self.failed[p]
                       if since <= s <= until)

    # -- the thread -----------------------------------------------------

    def run(self):
        try:
            self._run()
        except Exception as e:  # reported by stop() and wait_leaders()
            self.error = "%s: %s" % (type(e).__name__, e)

    def _run(self):
        ctx = zmq.Context.instance()
        socks, by_sock = {}, {}
        for name, ep in self.endpoints.items():
            s = ctx.socket(zmq.DEALER)
            s.setsockopt(zmq.LINGER, 0)
            s.setsockopt(zmq.IMMEDIATE, 1)  # no queue for a dead engine
            s.connect(ep)
            socks[name], by_sock[s] = s, name
        poller = zmq.Poller()
        for s in socks.values():
            poller.register(s, zmq.POLLIN)
        req = 0
        pending = {}  # req_id -> (kind, partition or engine, sent)
        status_due = {name: 0.0 for name in socks}
        status_out = {}  # engine -> req_id of its STATUS in flight
        probe_due = {p: 0.0 for p in range(self.partitions)}
        probe_out = {}  # partition -> req_id
        n = 0
        try:
            while not self.halt.is_set():
                now = time.monotonic()
                for name, s in socks.items():
                    if name not in status_out and now >= status_due[name]:
                        req += 1
                        if self._send(s, "STATUS", req_id=req):
                            pending[req] = ("status", name, now)
                            status_out[name] = req
                        status_due[name] = now + STATUS_EVERY_S
                leaders = self.leaders()
                for p in range(self.partitions):
                    if p in probe_out or now < probe_due[p]:
                        continue
                    e = leaders.get(p)
                    if e is None:
                        self._fail(p, now, "no leader")
                        probe_due[p] = now + RETRY_S
                        continue
                    req += 1
                    eid = srtest.new_id(p)
                    if self._send(socks[e], "EX_START", req_id=req,
                                  workflow=self.workflow, id=srtest.uid(eid),
                                  input={"n": n}):
                        n += 1
                        pending[req] = ("probe", p, now, e, eid)
                        probe_out[p] = req
                    else:
                        self._fail(p, now, "no connection to %s" % e)
                        probe_due[p] = now + RETRY_S
                for s, _ in poller.poll(10):
                    while True:
                        try:
                            data = s.recv(zmq.NOBLOCK)
                        except zmq.Again:
                            break
                        self._answer(by_sock[s], data, pending, status_out,
                                     probe_out, probe_due)
                now = time.monotonic()
                for r, item in list(pending.items()):
                    limit = (STATUS_TIMEOUT_S if item[0] == "status"
                             else self.timeout_s)
                    if now - item[2] < limit:
                        continue
                    del pending[r]
                    if item[0] == "status":
                        del status_out[item[1]]
                        self._note_status(item[1], None, now)
                    else:
                        del probe_out[item[1]]
                        self._fail(item[1], item[2], "no answer from %s"
                                   % item[3])
                        probe_due[item[1]] = now
        finally:
            for s in socks.values():
                s.close()

    def _send(self, sock, type_, **fields):
        try:
            sock.send(srtest.pack(type_, **fields), zmq.NOBLOCK)
            return True
        except zmq.Again:
            return False

    def _answer(self, name, data, pending, status_out, probe_out,
                probe_due):
        t, f = srtest.unpack(data)
        now = time.monotonic()
        item = pending.pop(f.get("req_id"), None)
        if item is None:
            return  # late, or an EVENT
        if item[0] == "status":
            del status_out[name]
            self._note_status(name, f.get("body") if t == "REPLY" else None,
                              now)
            return
        _, p, sent, e, eid = item
        del probe_out[p]
        if t == "REPLY":
            with self.lock:
                self.ok[p].append((sent, now, e))
                self.ids.append(eid)
            probe_due[p] = sent + self.interval_s
        else:
            self._fail(p, sent, "%s from %s" % (f.get("code"), e))
            probe_due[p] = now + RETRY_S

    def _fail(self, p, sent, why):
        with self.lock:
            self.failed[p].append((sent, time.monotonic(), why))

    def _note_status(self, name, body, now):
        if body is None:
            self._served.pop(name, None)
        else:
            parts = body.get("partitions", [])
            epochs = body.get("epochs", [])
            self._served[name] = (now, {p: (epochs[i] if i < len(epochs)
                                            else 0)
                                        for i, p in enumerate(parts)})
        best = {}
        for e, (t, served) in self._served.items():
            if now - t > STALE_S:
                continue
            for p, epoch in served.items():
                if p not in best or epoch > best[p][1]:
                    best[p] = (e, epoch)
        leaders = {p: e for p, (e, _) in best.items()}
        with self.lock:
            if leaders != self._leaders:
                self._leaders = leaders
                self.history.append((now, dict(leaders)))


def probe_of(lc, workflow="probe", interval_s=0.1):
    """A started Probe over LocalCluster `lc`'s engines."""
    pr = Probe({e["name"]: e["client"] for e in lc.engines},
               lc.record["partitions"], workflow=workflow,
               interval_s=interval_s)
    pr.start()
    return pr


def preferred(lc):
    """{p: engine} the leaders a balanced cluster has: each partition's
    leadership goes back to the engine listing it first (docs/engine.md
    section 7, "Leading")."""
    best = {}
    for e in lc.engines:
        for k, p in enumerate(e["partitions"]):
            if p not in best or k < best[p][1]:
                best[p] = (e["name"], k)
    return {p: name for p, (name, _) in best.items()}

