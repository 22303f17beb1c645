#!/usr/bin/python3
"""Benchmark (not a test): a load generator over the client protocol.

A second load generator next to `sirocco bench --cluster`, written from
docs/protocol.md alone (its own MessagePack and ZeroMQ client, no code of
the C client), so that the figures of one confirm those of the other. It
reads the cluster file that `sirocco cluster up` writes (cluster.yaml or
cluster.json, or the folder that holds them), creates the workflow on
every engine, and keeps `--window` executions in flight until
`--executions` have ended; then it prints tasks/s, executions/s, the
start -> end latency (EX_START sent -> final EVENT received) p50 and p99,
and the failures, and from the engines' STATUS before and after the run
their CPU time and messages per task (protocol 1.7).

    /usr/bin/python3 tests/bench/loadgen.py --cluster DIR/cluster.yaml \\
        [--workflow linear3|fanout10] [--executions N] [--window K] [--json]

`--window 1` gives the latency at light load.

As a real client does (docs/protocol.md, "The client protocol"):
* each start carries an id the client makes (`EX_START` with `id`), in a
  partition taken in turn, and goes to the engine that leads that
  partition now, as the engines' STATUS tells (`partitions`, `epochs`:
  the highest epoch wins); a start answered EUNAVAIL (the partition
  moved) is sent again, with the same id, once STATUS has been asked
  again: safe, since a start with an id is made once;
* it learns that executions end from subscriptions (`SUBSCRIBE` on every
  engine, execution events only), keeping them alive with `HEARTBEAT`;
  when no execution has ended for `--poll-after` seconds (an event lost,
  an engine that forgot the subscription), it reads the executions in
  flight (`EX_GET` at their partition's leader; a start never answered
  is sent again), and the STATUS asked then re-subscribes at an engine
  that forgot the subscription (`subscriptions` 0). Executions found
  ended by a poll are counted in the output: in a run without failures
  there are none, and no poll is sent.
"""
import argparse
import collections
import json
import os
import sys
import time
import uuid

try:
    import msgpack
    import zmq
except ImportError as e:  # deploy/setup.sh installs both
    print("loadgen: %s: install python3-msgpack and python3-zmq "
          "(deploy/setup.sh)" % e, file=sys.stderr)
    sys.exit(1)

VERSION = [1, 7]  # the protocol of docs/protocol.md this client follows
FINAL = ("SUCCESS", "ERROR", "CANCELLED")
HEARTBEAT_S = 0.5  # under any engine's heartbeat interval (default 1 s)

# The workflows of `sirocco bench` (cli/cmd_bench_setup.c), with the task
# completions of one execution.
LINEAR3 = """version: '2.0'
linear3:
  tasks:
    t1: {action: std.noop, on-success: t2}
    t2: {action: std.noop, on-success: t3}
    t3: {action: std.noop}
"""
FANOUT10 = ("version: '2.0'\nfanout10:\n  tasks:\n    start:\n"
            "      action: std.noop\n"
            "      on-success: [p0, p1, p2, p3, p4, p5, p6, p7, p8, p9]\n"
            + "".join("    p%d: {action: std.noop, on-success: join}\n" % i
                      for i in range(10))
            + "    join: {join: all, action: std.noop}\n")
WORKFLOWS = {"linear3": (LINEAR3, 3), "fanout10": (FANOUT10, 12)}

SOCKETS = ("client", "worker", "peers")


class Failed(Exception):
    pass


def read_cluster(path):
    """The number of partitions and the engines ({name, client}) of a
    cluster file, or of the folder `cluster up` wrote it in."""
    if os.path.isdir(path):
        path = os.path.join(path, "cluster.json")
    with open(path) as f:
        text = f.read()
    if path.endswith(".json"):
        doc = json.loads(text)
    else:
        try:
            import yaml
        except ImportError:
            raise Failed("%s: reading YAML needs python3-yaml; give the "
                         "cluster.json beside it" % path)
        doc = yaml.safe_load(text)
    try:
        engines = [{"name": e["name"], "client": e["client"]}
                   for e in doc["engines"]]
        return int(doc["partitions"]), engines
    except (KeyError, TypeError, ValueError) as e:
        raise Failed("%s: not a cluster file (%s)" % (path, e))


def new_id(partition):
    """An execution id in `partition`, laid out as docs/protocol.md says
    (EX_START `id`): partition (big-endian), unix seconds, version 8,
    variant 10, random bits."""
    b = bytearray(os.urandom(16))
    b[0:2] = partition.to_bytes(2, "big")
    b[2:6] = int(time.time()).to_bytes(4, "big")
    b[6] = 0x80 | (b[6] & 0x0F)
    b[8] = 0x80 | (b[8] & 0x3F)
    return bytes(b)


def id_bytes(v):
    """An id as 16 bytes: events send the binary form, reply bodies the
    36-character text."""
    return v if isinstance(v, bytes) else uuid.UUID(v).bytes


def percentile(sorted_values, p):
    if not sorted_values:
        return -1.0
    i = int(p / 100.0 * (len(sorted_values) - 1) + 0.5)
    return sorted_values[min(i, len(sorted_values) - 1)]


class Engine:
    def __init__(self, ctx, name, endpoint):
        self.name = name
        self.endpoint = endpoint
        self.sock = ctx.socket(zmq.DEALER)
        self.sock.setsockopt(zmq.LINGER, 0)
        # The window bounds what is in flight: nothing may be dropped.
        self.sock.setsockopt(zmq.SNDHWM, 0)
        self.sock.setsockopt(zmq.RCVHWM, 0)
        self.sock.connect(endpoint)
        self.last_send = 0.0


class Execution:
    __slots__ = ("partition", "sent", "answered", "polled_at")

    def __init__(self, partition, sent):
        self.partition = partition
        self.sent = sent          # when its first EX_START left
        self.answered = False     # its EX_START got its REPLY
        self.polled_at = 0.0      # when it was last read with EX_GET


class LoadGen:
    def __init__(self, args):
        self.args = args
        self.partitions, engines = read_cluster(args.cluster)
        self.ctx = zmq.Context.instance()
        self.engines = [Engine(self.ctx, e["name"], e["client"])
                        for e in engines]
        self.poller = zmq.Poller()
        for e in self.engines:
            self.poller.register(e.sock, zmq.POLLIN)
        self.definition, self.tasks_per_exec = WORKFLOWS[args.workflow]
        self.req = 0
        self.pending = {}          # req_id -> (what, detail)
        self.answers = {}          # req_id -> (type, body or ERROR fields)
        self.leaders = {}          # partition -> (epoch, engine index)
        self.execs = {}            # id -> Execution, until it ends
        self.retry = collections.deque()  # ids whose start goes again
        self.next_part = 0
        self.started = self.done = self.failed = 0
        self.polled = self.resent = self.resubscribed = 0
        self.latencies = []
        self.refreshing = set()    # the STATUS requests of a refresh
        self.last_refresh = 0.0
        self.last_end = time.monotonic()  # when an execution last ended

    # --- sending

    def send(self, k, type_, **fields):
        e = self.engines[k]
        e.sock.send(msgpack.packb(VERSION + [type_, fields]))
        e.last_send = time.monotonic()

    def request(self, k, type_, what, detail=None, **fields):
        self.req += 1
        self.pending[self.req] = (what, detail)
        self.send(k, type_, req_id=self.req, **fields)
        return self.req

    def call(self, k, type_, timeout=20.0, **fields):
        """A request answered before anything else goes on (set-up and
        STATUS before and after the run); what else arrives meanwhile is
        taken as usual. The body, or Failed."""
        req = self.request(k, type_, "call", **fields)
        deadline = time.monotonic() + timeout
        while req in self.pending:
            if time.monotonic() > deadline:
                raise Failed("%s: no answer to %s within %.0f s"
                             % (self.engines[k].name, type_, timeout))
            self.receive(100)
        what, answer = self.answers.pop(req)
        if what == "ERROR":
            raise Failed("%s: %s refused: %s: %s"
                         % (self.engines[k].name, type_, answer.get("code"),
                            answer.get("message")))
        return answer

    # --- the partitions' leaders

    def refresh(self):
        """Ask every engine which partitions it leads (and whether it
        still holds our subscription): at most every 0.1 s, and while an
        engine has not answered the last asking, at most every second."""
        now = time.monotonic()
        wait = 1.0 if self.refreshing else 0.1
        if now - self.last_refresh < wait:
            return
        self.last_refresh = now
        self.refreshing = {self.request(k, "STATUS", "status", k)
                           for k in range(len(self.engines))}

    def refreshed(self, req):
        """A STATUS of the refresh answered: once all are, the starts
        that wait for a leader go again."""
        self.refreshing.discard(req)
        if self.refreshing:
            return
        for _ in range(len(self.retry)):
            ex_id = self.retry.popleft()
            if ex_id in self.execs:
                self.start(ex_id, self.execs[ex_id])

    def learn(self, k, st):
        """STATUS of engine k: the partitions it serves, in their epochs."""
        served = dict(zip(st.get("partitions", []), st.get("epochs", [])))
        for p, (epoch, who) in list(self.leaders.items()):
            if who == k and p not in served:
                del self.leaders[p]
        for p, epoch in served.items():
            if p not in self.leaders or epoch >= self.leaders[p][0]:
                self.leaders[p] = (epoch, k)
        if st.get("subscriptions") == 0:  # the engine forgot us
            self.resubscribed += 1
            self.request(k, "SUBSCRIBE", "subscribe", tasks=False)

    def leader(self, partition):
        got = self.leaders.get(partition)
        return got[1] if got else None

    # --- executions

    def start(self, ex_id, ex):
        k = self.leader(ex.partition)
        if k is None:
            self.retry.append(ex_id)
            self.refresh()
            return
        self.request(k, "EX_START", "start", ex_id,
                     workflow=self.args.workflow, id=ex_id)

    def start_new(self, now):
        for _ in range(self.partitions):  # a partition that has a leader
            p = self.next_part % self.partitions
            self.next_part += 1
            if p in self.leaders:
                break
        ex_id = new_id(p)
        ex = Execution(p, now)
        self.execs[ex_id] = ex
        self.started += 1
        self.start(ex_id, ex)

    def finish(self, ex_id, state, now):
        ex = self.execs.pop(ex_id, None)
        if ex is None:
            return  # ended already (an event and a poll, say)
        self.done += 1
        self.last_end = now
        self.latencies.append((now - ex.sent) * 1000.0)
        if state != "SUCCESS":
            self.failed += 1
            if self.failed <= 5:
                print("loadgen: execution %s ended %s"
                      % (uuid.UUID(bytes=ex_id), state), file=sys.stderr)

    # --- receiving

    def take(self, k, frame):
        now = time.monotonic()
        _major, _minor, type_, f = msgpack.unpackb(frame)
        if type_ == "EVENT":
            if f.get("kind") == "execution" and f.get("state") in FINAL:
                self.finish(id_bytes(f["execution_id"]), f["state"], now)
            return
        req = f.get("req_id")
        got = self.pending.pop(req, None)
        if got is None:
            return  # HEARTBEAT, or an answer to nothing we await
        what, detail = got
        is_error = type_ == "ERROR"
        if what == "call":
            self.answers[req] = (type_, f if is_error else f.get("body"))
        elif what == "start":
            self.answered_start(detail, f, is_error, now)
        elif what == "status":
            if not is_error:
                self.learn(detail, f["body"])
            self.refreshed(req)
        elif what == "poll" and not is_error:
            body = f["body"]
            if body.get("state") in FINAL:
                self.polled += 1
                self.finish(detail, body["state"], now)
        elif what == "subscribe" and is_error:
            raise Failed("SUBSCRIBE refused: %s" % f.get("message"))

    def answered_start(self, ex_id, f, is_error, now):
        ex = self.execs.get(ex_id)
        if ex is None:
            return
        if not is_error:
            ex.answered = True
            state = f["body"].get("state")
            if state in FINAL:  # a start sent again, ended meanwhile
                self.finish(ex_id, state, now)
        elif f.get("code") in ("EUNAVAIL", "ETIMEDOUT"):
            self.resent += 1  # the partition moved: ask, then again
            self.retry.append(ex_id)
            self.refresh()
        else:
            print("loadgen: start refused: %s: %s"
                  % (f.get("code"), f.get("message")), file=sys.stderr)
            self.finish(ex_id, "REFUSED", now)

    def receive(self, timeout_ms):
        for sock, _ in self.poller.poll(timeout_ms):
            k = next(i for i, e in enumerate(self.engines) if e.sock is sock)
            for _ in range(1000):
                try:
                    frame = sock.recv(zmq.NOBLOCK)
                except zmq.Again:
                    break
                self.take(k, frame)

    # --- the run

    def heartbeat(self, now):
        for k, e in enumerate(self.engines):
            if now - e.last_send > HEARTBEAT_S:
                self.send(k, "HEARTBEAT", sent_ms=int(time.time() * 1000))

    def poll_stragglers(self, now):
        """When no execution has ended for --poll-after seconds: the
        executions in flight (the 100 oldest, at most once a period) are
        read (EX_GET) when their start was answered, else started again
        (the same id: one execution however many starts arrive)."""
        late = now - self.args.poll_after
        if self.last_end >= late:
            return
        asked = 0
        for ex_id, ex in list(self.execs.items()):
            if asked == 100:
                break
            if ex.sent >= late or ex.polled_at >= late:
                continue
            ex.polled_at = now
            asked += 1
            k = self.leader(ex.partition)
            if not ex.answered:
                self.resent += 1
                self.start(ex_id, ex)
            elif k is not None:
                self.request(k, "EX_GET", "poll", ex_id, execution_id=ex_id)
        if asked:
            self.refresh()

    def setup(self):
        self.answers = {}
        for k in range(len(self.engines)):
            self.call(k, "WF_CREATE", definition=self.definition)
            self.call(k, "SUBSCRIBE", tasks=False)
        for k in range(len(self.engines)):
            self.learn(k, self.call(k, "STATUS"))
        if not self.leaders:
            raise Failed("no engine leads a partition")

    def statuses(self):
        return [self.call(k, "STATUS") for k in range(len(self.engines))]

    def close(self):
        """Unsubscribe, so that no engine sends this client's events to a
        socket that is gone (they would count in the next run's messages
        until the engine gives up on it)."""
        for k in range(len(self.engines)):
            self.call(k, "UNSUBSCRIBE")
        for e in self.engines:
            e.sock.close()

    def run(self):
        n, window = self.args.executions, self.args.window
        deadline = time.monotonic() + self.args.timeout
        last_check = self.last_end = time.monotonic()
        while self.done < n:
            now = time.monotonic()
            while self.started < n and self.started - self.done < window:
                self.start_new(now)
            self.receive(100)
            now = time.monotonic()
            self.heartbeat(now)
            if self.retry and not self.refreshing:
                self.refresh()  # starts wait for a leader
            if now - last_check > 1.0:
                last_check = now
                self.poll_stragglers(now)
            if now > deadline:
                raise Failed("%d of %d executions ended within %.0f s"
                             % (self.done, n, self.args.timeout))
        return time.monotonic()


def engine_figures(before, after, tasks, report):
    """CPU and messages per task, and memory, from STATUS before and
    after (each engine its own process, as `cluster up` starts them);
    left out when an engine does not tell them (protocol before 1.7)."""
    if any("cpu_us" not in s for s in before + after) or tasks <= 0:
        return
    cpu = sum(a["cpu_us"] - b["cpu_us"] for a, b in zip(after, before))
    report["cpu_us_per_task"] = cpu / tasks
    per_socket, total = {}, 0
    for sock in SOCKETS:
        pair = {}
        for way in ("received", "sent"):
            key = "%s_%s" % (sock, way)
            n = sum(a["messages"][key] - b["messages"][key]
                    for a, b in zip(after, before))
            total += n
            pair[way] = n / tasks
        per_socket[sock] = pair
    report["messages_per_task"] = total / tasks
    report["messages"] = per_socket
    rss = [s["rss_bytes"] for s in after if "rss_bytes" in s]
    if len(rss) == len(after):
        report["engine_rss_mb"] = max(rss) / 1048576.0


def workers_seen(statuses):
    slots = {}
    for st in statuses:
        for w in st.get("workers", []):
            slots.setdefault(w["name"], w["slots"])
    return list(slots.values())


def print_text(r):
    s = r["settings"]
    print("loadgen: %s, %d executions, window %d, %d engines, workers %s"
          % (s["workflow"], r["executions"], s["window"], s["engines"],
             s["slots"]))
    print("tasks/s %.1f  executions/s %.1f  latency ms p50 %.2f p99 %.2f  "
          "failed %d  seconds %.2f"
          % (r["tasks_per_s"], r["executions_per_s"], r["latency_ms"]["p50"],
             r["latency_ms"]["p99"], r["failed"], r["seconds"]))
    if "cpu_us_per_task" in r:
        m = r["messages"]
        print("engines: CPU %.1f us/task, messages %.2f/task (worker in "
              "%.2f out %.2f, client in %.2f out %.2f, peers in %.2f out "
              "%.2f), RSS %.1f MB (largest)"
              % (r["cpu_us_per_task"], r["messages_per_task"],
                 m["worker"]["received"], m["worker"]["sent"],
                 m["client"]["received"], m["client"]["sent"],
                 m["peers"]["received"], m["peers"]["sent"],
                 r.get("engine_rss_mb", -1)))
    print("polled %d, starts sent again %d, subscriptions renewed %d"
          % (r["polled"], r["resent"], r["resubscribed"]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--cluster", required=True,
                    help="cluster.yaml or cluster.json of `cluster up`, "
                         "or its folder")
    ap.add_argument("--workflow", choices=sorted(WORKFLOWS),
                    default="linear3")
    ap.add_argument("--executions", type=int, default=10000)
    ap.add_argument("--window", type=int, default=500)
    ap.add_argument("--poll-after", type=float, default=10.0,
                    help="read the executions in flight when none has "
                         "ended for this long (s)")
    ap.add_argument("--timeout", type=float, default=600.0,
                    help="give up after this long (s)")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if args.executions < 1 or args.window < 1:
        ap.error("--executions and --window must be at least 1")
    try:
        lg = LoadGen(args)
        lg.setup()
        before = lg.statuses()
        t0 = time.monotonic()
        t1 = lg.run()
        after = lg.statuses()
        lg.close()
    except Failed as e:
        print("loadgen: %s" % e, file=sys.stderr)
        return 1
    secs = t1 - t0
    tasks = lg.done * lg.tasks_per_exec
    lat = sorted(lg.latencies)
    slots = workers_seen(after)
    report = {
        "tasks_per_s": tasks / secs,
        "executions_per_s": lg.done / secs,
        "latency_ms": {"p50": percentile(lat, 50),
                       "p99": percentile(lat, 99)},
        "executions": lg.done,
        "failed": lg.failed,
        "seconds": secs,
        "polled": lg.polled,
        "resent": lg.resent,
        "resubscribed": lg.resubscribed,
        "settings": {"workflow": args.workflow,
                     "executions": args.executions, "window": args.window,
                     "engines": len(lg.engines), "workers": len(slots),
                     "slots": slots, "partitions": lg.partitions,
                     "mode": "loadgen", "cpus": os.cpu_count()},
    }
    engine_figures(before, after, tasks, report)
    if args.json:
        print(json.dumps(report))
    else:
        print_text(report)
    return 1 if lg.failed else 0


if __name__ == "__main__":
    sys.exit(main())
