#!/usr/bin/env python3
"""CurveZMQ end to end: keys made with `sirocco keygen`, an engine on
loopback TCP with an allow folder. A worker with an unknown key gets no
task (the execution waits; the engine logs the refusal with the key and
the peer's address); a worker with an allowed key then runs it to
SUCCESS. The `sirocco` command with an allowed key (by flags, and by
environment variables) works; with an unknown key, or none, it times out
with a message saying why, and the engine logs those refusals too.
Then two engines forwarding to each other (peers), and with --raft,
replicated partitions: engines and processes without the engines' key
take no part in a Raft group (raft_peers)."""
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import srtest  # noqa: E402
from gwtest import free_port  # noqa: E402
from srtest import msgpack, zmq  # noqa: E402
import zmq.auth as zmq_auth  # noqa: E402

WF = """
version: '2.0'
secured:
  input: [x]
  output: {y: <% $.y %>}
  tasks:
    echo:
      action: std.echo output=<% $.x %>
      publish: {y: <% task().result %>}
"""


def run(c, args, env=None, ok=True, timeout=60):
    p = subprocess.run([os.path.join(c.bin, "sirocco")] + args,
                       capture_output=True, text=True, timeout=timeout,
                       env=dict(os.environ, **(env or {})))
    if ok and p.returncode != 0:
        srtest.fail("sirocco %s: exit %d: %s%s" % (
            " ".join(args), p.returncode, p.stdout, p.stderr))
    return p


def keygen(c, keys, name):
    p = run(c, ["keygen", name, "--dir", keys])
    first = p.stdout.splitlines()[0]
    if not first.startswith("public key "):
        srtest.fail("keygen printed %r" % p.stdout)
    for f in (name, name + "_secret"):
        if not os.path.exists(os.path.join(keys, f)):
            srtest.fail("keygen did not write %s" % f)
    return first[len("public key "):]


def key_folders(c, names, allowed):
    """keys/ in the test's folder with a keypair of each of `names`, and
    allow/ with the public files of `allowed`: (keys, allow, {name:
    public key})."""
    keys = os.path.join(c.dir, "keys")
    allow = os.path.join(c.dir, "allow")
    os.mkdir(allow)
    public = {name: keygen(c, keys, name) for name in names}
    for name in allowed:
        shutil.copy(os.path.join(keys, name), allow)
    return keys, allow, public


def wait_log(c, proc, needle, timeout=10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        with open(proc.log_path, errors="replace") as f:
            text = f.read()
        if needle in text:
            return text
        if proc.poll() is not None:
            srtest.fail("process exited %s: %s" % (proc.returncode,
                                                   c.log(proc)))
        time.sleep(0.05)
    srtest.fail("no %r in the log within %.0f s: %s" % (needle, timeout,
                                                        c.log(proc)))


def main():
    c = srtest.Cluster()
    try:
        keys, allow, public = key_folders(
            c, ["server", "worker", "client", "gateway", "intruder"],
            ["worker", "client", "gateway"])
        intruder = public["intruder"]
        # The same name again is refused: keys are not replaced by mistake.
        p = run(c, ["keygen", "client", "--dir", keys], ok=False)
        srtest.check("keygen again", p.returncode, 1)

        cport, wport = free_port(), free_port()
        client_ep = "tcp://127.0.0.1:%d" % cport
        worker_ep = "tcp://127.0.0.1:%d" % wport
        engine = c.spawn([os.path.join(c.bin, "sirocco-engined"), "--name",
                          "e1", "--data", os.path.join(c.dir, "e1"),
                          "--durability", "nosync", "--heartbeat-ms", "200",
                          "--log-level", "info", "--client", client_ep,
                          "--worker", worker_ep, "--curve-secret",
                          os.path.join(keys, "server_secret"),
                          "--curve-allow", allow], "e1")
        wait_log(c, engine, "engine e1: client")

        flags = ["--cluster", client_ep, "--curve-secret",
                 os.path.join(keys, "client_secret"), "--curve-server-key",
                 os.path.join(keys, "server")]
        wf = os.path.join(c.dir, "wf.yaml")
        with open(wf, "w") as f:
            f.write(WF)
        run(c, ["workflow", "create", wf] + flags)

        # A worker whose key the engine does not know.
        bad = c.spawn([os.path.join(c.bin, "sirocco-workerd"), "--name",
                       "bad", "--engine", worker_ep, "--heartbeat-ms", "200",
                       "--log-level", "warn", "--curve-secret",
                       os.path.join(keys, "intruder_secret"),
                       "--curve-server-key", os.path.join(keys, "server")],
                      "bad")
        # The client's keys from the environment this time.
        env = {"SIROCCO_CURVE_SECRET": os.path.join(keys, "client_secret"),
               "SIROCCO_CURVE_SERVER_KEY": os.path.join(keys, "server"),
               "SIROCCO_CLUSTER": client_ep}
        ex = json.loads(run(c, ["execution", "start", "secured", "--input",
                                '{"x": 21}', "--json"], env=env).stdout)
        log = wait_log(c, engine, "refused key=%s address=127.0.0.1" %
                       intruder)
        if "not in the allow folder" not in log:
            srtest.fail("the refusal does not say why: %s" % log)
        # It stays refused: no task reaches it, the execution waits.
        time.sleep(1.0)
        got = json.loads(run(c, ["execution", "get", ex["id"], "--json"],
                             env=env).stdout)
        srtest.check("state with only a refused worker", got["state"],
                     "RUNNING")
        cl = srtest.Client(client_ep, curve=(
            os.path.join(keys, "client_secret"),
            os.path.join(keys, "server")))
        status = cl.call("STATUS")
        srtest.check("workers connected", status["workers"], [])
        if status.get("curve_refusals", 0) < 1:
            srtest.fail("STATUS counts no refusal: %s" % status)
        if bad.poll() is not None:
            srtest.fail("the refused worker exited: %s" % c.log(bad))

        # The allowed worker runs it.
        c.spawn([os.path.join(c.bin, "sirocco-workerd"), "--name", "good",
                 "--engine", worker_ep, "--heartbeat-ms", "200",
                 "--log-level", "warn", "--curve-secret",
                 os.path.join(keys, "worker_secret"), "--curve-server-key",
                 os.path.join(keys, "server")], "good")
        done = cl.wait([ex["id"]], timeout=20)[ex["id"]]
        srtest.check("state", done["state"], "SUCCESS")
        srtest.check("output", done["output"], {"y": 21})

        # A client with an unknown key, and one without keys, get nowhere.
        p = run(c, ["workflow", "list", "--timeout", "1000", "--cluster",
                    client_ep, "--curve-secret",
                    os.path.join(keys, "intruder_secret"),
                    "--curve-server-key", os.path.join(keys, "server")],
                ok=False)
        srtest.check("unknown client key: exit", p.returncode, 1)
        for part in ("is not connected", "allow folder", "ETIMEDOUT"):
            if part not in p.stderr:
                srtest.fail("unknown client key: %r lacks %r" % (p.stderr,
                                                                  part))
        p = run(c, ["workflow", "list", "--timeout", "1000", "--cluster",
                    client_ep], ok=False)
        srtest.check("client without keys: exit", p.returncode, 1)
        log = wait_log(c, engine, "refused connection endpoint=client %s: "
                       % client_ep)
        if "the peer does not use CurveZMQ" not in log:
            srtest.fail("the refusal of a client without keys: %s" % log)
        # One key without the other is a usage error, before any call.
        p = run(c, ["workflow", "list", "--cluster", client_ep,
                    "--curve-secret", os.path.join(keys, "client_secret")],
                ok=False)
        srtest.check("half the keys: exit", p.returncode, 2)
        if "--curve-server-key" not in p.stderr:
            srtest.fail("half the keys: %r" % p.stderr)
        # The right key still works.
        names = [w["name"] for w in json.loads(
            run(c, ["workflow", "list", "--json"], env=env).stdout)]
        srtest.check("workflows", names, ["secured"])

        # The gateway with its allowed key serves the REST API; with an
        # unknown key it cannot reach the engine (503 on /healthz).
        def gateway(name, secret):
            port = free_port()
            c.spawn([os.path.join(c.bin, "sirocco-gateway"), "--cluster",
                     client_ep, "--listen", "127.0.0.1:%d" % port,
                     "--log-level", "warn", "--engine-timeout-ms", "1000",
                     "--curve-secret", os.path.join(keys, secret),
                     "--curve-server-key", os.path.join(keys, "server")],
                    name)
            return port

        def http_get(port, path):
            deadline = time.time() + 10
            while True:
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", port,
                                                      timeout=5)
                    conn.request("GET", path)
                    r = conn.getresponse()
                    body = r.read()
                    conn.close()
                    return r.status, body
                except OSError:
                    if time.time() > deadline:
                        raise
                    time.sleep(0.05)

        good_port = gateway("gw", "gateway_secret")
        status, body = http_get(good_port, "/v2/workflows")
        srtest.check("gateway with its key: status", status, 200)
        names = [w["name"] for w in json.loads(body)["workflows"]]
        srtest.check("gateway workflows", names, ["secured"])
        bad_port = gateway("gw-bad", "intruder_secret")
        status, _ = http_get(bad_port, "/healthz")
        srtest.check("gateway with an unknown key: healthz", status, 503)
        cl.close()
    finally:
        c.stop()
    print("ok")


INLINE = """
version: '2.0'
inline:
  input: [x]
  output: {y: <% $.y %>}
  tasks:
    only:
      publish: {y: <% $.x * 2 %>}
"""


def peers():
    """Two engines with CurveZMQ and only the client's key allowed: they
    reach each other with the shared server key (definitions replicate,
    a start on the other engine's partition is forwarded)."""
    c = srtest.Cluster()
    try:
        keys, allow, _ = key_folders(c, ["server", "client"], ["client"])
        path = c.cluster_file(2, 1)
        curve = ["--curve-secret", os.path.join(keys, "server_secret"),
                 "--curve-allow", allow]
        es = [c.engine(n, cluster=path, extra=curve) for n in ("e1", "e2")]
        cl = srtest.Client(es[0].client_ep, curve=(
            os.path.join(keys, "client_secret"),
            os.path.join(keys, "server")))
        cl.create(INLINE)
        ex = cl.start("inline", input={"x": 4}, partition=1)["id"]
        srtest.check("partition", int(ex[:4], 16), 1)
        done = cl.wait([ex], timeout=20)[ex]
        srtest.check("forwarded output", done["output"], {"y": 8})
        direct = srtest.Client(es[1].client_ep, curve=(
            os.path.join(keys, "client_secret"),
            os.path.join(keys, "server")))
        srtest.check("replicated definition",
                     direct.call("WF_GET", name="inline")["name"], "inline")
        cl.close()
        direct.close()
    finally:
        c.stop()
    print("ok: peers")


def vote_sock(c, keys, key, endpoint):
    """A DEALER calling itself engine e3 (routing id "peer:e3"), with
    CurveZMQ key `key` and the engines' public key, on `endpoint`."""
    sock = zmq.Context.instance().socket(zmq.DEALER)
    sock.setsockopt(zmq.LINGER, 0)
    sock.setsockopt(zmq.ROUTING_ID, b"peer:e3")
    public, secret = zmq_auth.load_certificate(
        os.path.join(keys, key + "_secret"))
    server, _ = zmq_auth.load_certificate(os.path.join(keys, "server"))
    sock.curve_publickey, sock.curve_secretkey = public, secret
    sock.curve_serverkey = server
    sock.connect(endpoint)
    return sock


def disrupt(sock, partitions):
    """What would make every group elect again, were it let in: a
    RequestVote of term 1000 from replica 3 asking to disrupt the leader
    (docs/protocol.md, "The engines' Raft messages")."""
    vote = msgpack.packb([1, 3, 1000, 3, 1 << 20, 999, 1, 0])
    for p in range(partitions):
        sock.send(msgpack.packb([1, 0, "RAFT", {
            "partition": p, "from": 3, "seq": 1, "part": 0, "parts": 1,
            "payload": vote}]))


def raft_peers():
    """Replicated partitions under CurveZMQ (issue 12). Three engines
    replicate three partitions; e1 and e2 have the engines' shared key,
    e3 a keypair of its own that no allow folder holds: it takes no part
    in any group (e1 and e2 lead every partition, and e3 none), and e1
    logs its handshakes refused. Then processes calling themselves e3
    (routing id "peer:e3") send RAFT messages that would make every group
    elect again: one whose key is not allowed is refused at the handshake and
    gets nothing; one with a client's allowed key is not an engine
    either, its messages are dropped (the first logged with its key) and
    its requests answered EAUTH. No leader and no term changes, and an
    execution runs in every partition."""
    c = srtest.Cluster()
    try:
        keys, allow, public = key_folders(
            c, ["server", "client", "intruder", "rogue"], ["client"])
        intruder = public["intruder"]
        # A longer election timeout: a busy machine does not make one.
        slow = ["--election-ms", "2000", "--log-level", "info"]

        def curve(secret):
            return ["--curve-secret", os.path.join(keys, secret),
                    "--curve-allow", allow] + slow
        es = c.replicated(["e1", "e2"], extra=curve("server_secret"))
        es["e3"] = c.engine("e3", cluster=c.cluster_path,
                            extra=curve("rogue_secret"))
        client = os.path.join(keys, "client_secret")
        cls = {n: srtest.Client(es[n].client_ep, curve=(
            client, os.path.join(keys, "server"))) for n in ("e1", "e2")}
        before = srtest.wait_leaders(cls, 3)
        # e3 expects its own public key of the engines it connects to,
        # and offers it: the handshake fails either way.
        wait_log(c, es["e1"], "refused connection endpoint=client %s: the "
                 "peer's CurveZMQ handshake does not decrypt"
                 % es["e1"].client_ep)
        e3 = srtest.Client(es["e3"].client_ep, curve=(
            client, os.path.join(keys, "rogue")))
        for _ in range(5):  # campaigning all the while, never elected
            srtest.check("partitions e3 serves",
                         e3.call("STATUS")["partitions"], [])
            time.sleep(0.2)
        e3.close()
        c.kill(es["e3"], signal.SIGTERM)

        bad = vote_sock(c, keys, "intruder", es["e1"].client_ep)
        disrupt(bad, 3)
        wait_log(c, es["e1"], "refused key=%s" % intruder)
        if bad.poll(300):
            srtest.fail("a key not allowed got an answer: %r" % bad.recv())
        bad.close()
        imp = vote_sock(c, keys, "client", es["e1"].client_ep)
        disrupt(imp, 3)
        imp.send(srtest.pack("STATUS", req_id=1))
        if not imp.poll(5000):
            srtest.fail("no answer to a STATUS from a client calling "
                        "itself peer:e3")
        t, f = srtest.unpack(imp.recv())
        srtest.check("answer to a client calling itself e3",
                     (t, f.get("code")), ("ERROR", "EAUTH"))
        imp.close()
        wait_log(c, es["e1"], "is not the engines'")
        time.sleep(1.0)  # a vote let in would have done its work
        srtest.check("leaders and terms", srtest.leaders(cls), before)
        cls["e1"].create(INLINE)
        ids = [cls["e1"].start("inline", input={"x": p}, partition=p)["id"]
               for p in range(3)]
        done = cls["e1"].wait(ids, timeout=20)
        for i in ids:
            srtest.check("execution %s" % i, done[i]["state"], "SUCCESS")
        for cl in cls.values():
            cl.close()
    finally:
        c.stop()
    print("ok: raft peers")


if __name__ == "__main__":
    if "--raft" in sys.argv[1:]:
        raft_peers()
    else:
        main()
        peers()
