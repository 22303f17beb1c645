"""A local cluster for the integration tests, made the way a person makes
one: `sirocco cluster up` in a temporary folder, the processes read from
the cluster.json it writes, a process killed by its PID and started again
with the command line recorded there, `sirocco cluster down` at the end.

The test process makes itself a child subreaper (prctl), so the daemons
`cluster up` leaves behind become its children when `up` exits and are
collected here, not left as zombies. Every wait is bounded.
"""
import ctypes
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time

import srtest

PR_SET_CHILD_SUBREAPER = 36


def _subreaper():
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # zombies are only left for init to collect


def reap():
    """Collect every child that ended (daemons adopted as subreaper)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def is_alive(pid):
    """True when `pid` runs (a zombie does not)."""
    reap()
    try:
        with open("/proc/%d/stat" % pid) as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


class LocalCluster:
    def __init__(self, engines=3, workers=2, partitions=None, extra=()):
        _subreaper()
        build = os.environ.get("SR_BUILD_DIR", "build")
        self.sirocco = os.path.join(build, "bin", "sirocco")
        self.dir = tempfile.mkdtemp(prefix="sr-local-")
        self.restarted = []  # processes started again by the test
        args = ["cluster", "up", "--data", self.dir, "--engines",
                str(engines), "--workers", str(workers), "--log-level",
                "warn", "--timeout", "30000"] + list(extra)
        if partitions:
            args += ["--partitions", str(partitions)]
        out = self.run(*args, timeout=60)
        if out.returncode != 0:
            self.stop()
            srtest.fail("cluster up failed (%d): %s"
                        % (out.returncode, out.stderr))
        self.up_out = out.stdout
        self.load()

    def run(self, *args, timeout=30):
        return subprocess.run([self.sirocco] + list(args),
                              capture_output=True, text=True, timeout=timeout)

    def load(self):
        with open(os.path.join(self.dir, "cluster.json")) as f:
            self.record = json.load(f)
        self.procs = {p["name"]: p for p in self.record["processes"]}
        self.engines = self.record["engines"]
        self.cluster_file = self.record["cluster_file"]

    def engine(self, name):
        return next(e for e in self.engines if e["name"] == name)

    def owner(self, partition):
        return next(e for e in self.engines
                    if partition in e["partitions"])

    def kill(self, name, sig=signal.SIGKILL):
        """Kill the process `up` started as `name`, and wait for its end."""
        pid = self.procs[name]["pid"]
        if not is_alive(pid):
            srtest.fail("%s (pid %d) is not running" % (name, pid))
        os.kill(pid, sig)
        deadline = time.time() + 10
        while is_alive(pid):
            if time.time() > deadline:
                srtest.fail("%s (pid %d) still runs 10 s after signal %d"
                            % (name, pid, sig))
            time.sleep(0.01)

    def restart(self, name):
        """Start `name` again with the exact command line of cluster.json,
        its output appended to its log."""
        p = self.procs[name]
        log = open(p["log"], "ab")
        proc = subprocess.Popen(p["argv"], stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
        log.close()
        self.restarted.append(proc)
        p["pid"] = proc.pid  # a later kill() names this process
        return proc

    def log_tail(self, name, size=2000):
        with open(self.procs[name]["log"], "rb") as f:
            return f.read()[-size:].decode(errors="replace")

    def stop(self):
        """`cluster down`, then the processes the test started itself."""
        try:
            if os.path.exists(os.path.join(self.dir, "cluster.json")):
                out = self.run("cluster", "down", "--data", self.dir,
                               "--timeout", "10000", timeout=60)
                if out.returncode != 0:
                    print("cluster down: %s" % out.stderr)
        finally:
            for proc in self.restarted:
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
            reap()
            if os.environ.get("SR_KEEP"):  # to read the logs after a failure
                print("kept %s" % self.dir)
            else:
                shutil.rmtree(self.dir, ignore_errors=True)


def partition_of(ex_id):
    """The partition an execution id carries (its first two bytes)."""
    return int(ex_id[:4], 16)


class Clients:
    """A protocol client on every engine of a LocalCluster, to read each
    execution at the engine that owns it."""

    def __init__(self, lc):
        self.lc = lc
        self.by_name = {e["name"]: srtest.Client(e["client"])
                        for e in lc.engines}

    def close(self):
        for c in self.by_name.values():
            c.close()

    def of(self, ex_id):
        return self.by_name[self.lc.owner(partition_of(ex_id))["name"]]

    def get_all(self, ids, names=None):
        """EX_GET of every id (of engines `names` only, when given), sent at
        once to each owner; {id: body or ProtoError}."""
        groups = {}
        for i in ids:
            name = self.lc.owner(partition_of(i))["name"]
            if names is None or name in names:
                groups.setdefault(name, []).append(i)
        got = {}
        for name, group in groups.items():
            bodies = self.by_name[name].call_many(
                "EX_GET", [{"execution_id": srtest.uid(i)} for i in group])
            got.update(zip(group, bodies))
        return got

    def wait_final(self, ids, timeout, names=None):
        """Wait until every execution of `ids` (of engines `names`) has
        ended; returns {id: body}."""
        deadline = time.time() + timeout
        while True:
            got = self.get_all(ids, names)
            bad = [i for i, b in got.items()
                   if isinstance(b, srtest.ProtoError)]
            if bad:
                srtest.fail("EX_GET %s: %s" % (bad[0], got[bad[0]]))
            rest = [i for i, b in got.items()
                    if b["state"] not in srtest.FINAL]
            if not rest:
                return got
            if time.time() > deadline:
                srtest.fail("%d of %d executions not ended after %.0f s "
                            "(e.g. %s: %s); %s"
                            % (len(rest), len(got), timeout, rest[0],
                               got[rest[0]]["state"],
                               self.describe_actions(rest[:5])))
            time.sleep(0.2)

    def describe_actions(self, ids):
        """The open actions of executions `ids` as the owners see them
        (state, attempt, worker), to tell why they have not ended."""
        out = []
        for i in ids:
            try:
                acts = self.of(i).call("ACTION_LIST",
                                       execution_id=srtest.uid(i))
            except srtest.ProtoError as e:
                out.append("%s: ACTION_LIST %s" % (i, e))
                continue
            out.append("%s: %s" % (i, [(a["state"], a.get("attempt"),
                                        a.get("worker")) for a in acts
                                       if a["state"] not in srtest.FINAL]))
        return "open actions: " + "; ".join(out)

    def check_no_phantoms(self, timeout=10.0):
        """The invariant of the crash tests, once every execution has
        ended: no engine believes an action still runs on a worker (every
        action it believed RUNNING there was running, or was found lost
        within the expiry time), so every worker slot is free again."""
        deadline = time.time() + timeout
        while True:
            busy = []
            for name, c in self.by_name.items():
                for w in c.call("STATUS")["workers"]:
                    if w["used"]:
                        busy.append("%s: worker %s has %d slots used"
                                    % (name, w["name"], w["used"]))
            if not busy:
                return
            if time.time() > deadline:
                srtest.fail("after every execution ended, engines still "
                            "count actions on workers: %s" % busy)
            time.sleep(0.2)
