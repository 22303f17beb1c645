#!/usr/bin/env python3
"""`sirocco run` on every sample workflow gives the outcome its header states.

Usage: run_samples.py SIROCCO_BINARY SAMPLES_DIR

Each sample's `# key: value` header (see tests/data/workflows/README.md)
says how to start it and what must come out. The binary runs it embedded
(`--json`, a private --data folder); the JSON it prints is compared with
the header. PAUSED samples with `after-resume` are resumed with
`--data DIR --resume ID`. Prints one line per sample and exits 1 listing
every difference.
"""
import json
import os
import subprocess
import sys
import tempfile

KEYS = ("workflow", "input", "env", "task_name", "expect", "after-resume",
        "expect-output", "expect-output-contains", "expect-output-keys",
        "expect-tasks", "expect-task-count", "expect-published",
        "expect-state-info-contains", "expect-task-state-info-contains")
JSON_KEYS = {"input", "env", "expect-output", "expect-output-contains",
             "expect-output-keys", "expect-tasks", "expect-published",
             "expect-state-info-contains", "expect-task-state-info-contains"}


def header(path):
    h = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("---"):
                break
            for k in KEYS:
                prefix = "# " + k + ": "
                if line.startswith(prefix):
                    v = line[len(prefix):].strip()
                    h[k] = json.loads(v) if k in JSON_KEYS else v
    return h


def run(binary, args, timeout=60):
    p = subprocess.run([binary, "run"] + args, capture_output=True,
                       text=True, timeout=timeout)
    out = None
    if p.stdout.strip():
        try:
            out = json.loads(p.stdout)
        except ValueError:
            out = None
    return p.returncode, out, p.stderr


def latest(tasks, name):
    found = [t for t in tasks if t["name"] == name]
    return found[-1] if found else None


def compare(h, res, problems):
    want = h.get("expect")
    if res["state"] != want:
        problems.append("state %s (%s), want %s"
                        % (res["state"], res.get("state_info"), want))
    tasks = res.get("tasks") or []
    for name, state in (h.get("expect-tasks") or {}).items():
        t = latest(tasks, name)
        got = t["state"] if t else "(absent)"
        if got != state:
            problems.append("task %s: %s, want %s" % (name, got, state))
    if "expect-task-count" in h and len(tasks) != int(h["expect-task-count"]):
        problems.append("task count %d, want %s"
                        % (len(tasks), h["expect-task-count"]))
    for name, pub in (h.get("expect-published") or {}).items():
        t = latest(tasks, name)
        got = (t or {}).get("published") or {}
        if got != pub:
            problems.append("published of %s: %r, want %r" % (name, got, pub))
    for name, text in (h.get("expect-task-state-info-contains") or {}).items():
        t = latest(tasks, name)
        got = (t or {}).get("state_info") or ""
        if not isinstance(text, str) or text not in got:
            problems.append("state_info of %s %r lacks %r" % (name, got, text))
    out = res.get("output")
    if "expect-output" in h and out != h["expect-output"]:
        problems.append("output %r, want %r" % (out, h["expect-output"]))
    for k, v in (h.get("expect-output-contains") or {}).items():
        if not isinstance(out, dict) or out.get(k) != v:
            problems.append("output.%s: %r, want %r"
                            % (k, (out or {}).get(k), v))
    if "expect-output-keys" in h:
        keys = sorted((out or {}).keys())
        if keys != h["expect-output-keys"]:
            problems.append("output keys %r, want %r"
                            % (keys, h["expect-output-keys"]))
    text = h.get("expect-state-info-contains")
    if text and text not in (res.get("state_info") or ""):
        problems.append("state_info %r lacks %r" % (res.get("state_info"),
                                                    text))


def check(binary, path):
    h = header(path)
    problems = []
    with tempfile.TemporaryDirectory(prefix="sr-run-") as data:
        args = [path, "--json", "--data", data]
        if "workflow" in h:
            args += ["--workflow", h["workflow"]]
        if "input" in h:
            args += ["--input", json.dumps(h["input"])]
        if "env" in h:
            args += ["--env", json.dumps(h["env"])]
        if "task_name" in h:
            args += ["--task", h["task_name"]]
        code, res, err = run(binary, args)
        if h.get("expect") == "INVALID":
            if code != 2:
                problems.append("exit %d, want 2 (invalid)" % code)
            return problems
        if res is None:
            problems.append("no JSON (exit %d): %s" % (code, err[-500:]))
            return problems
        want_code = {"SUCCESS": 0, "PAUSED": 3}.get(h.get("expect"), 1)
        if code != want_code:
            problems.append("exit %d, want %d" % (code, want_code))
        compare(h, res, problems)
        after = h.get("after-resume")
        if after and res["state"] == "PAUSED":
            code, res2, err = run(binary, ["--json", "--data", data,
                                           "--resume", res["id"]])
            if res2 is None or res2["state"] != after:
                problems.append("after resume: %s, want %s (%s)"
                                % (res2 and res2["state"], after, err[-300:]))
    return problems


def main():
    binary, folder = sys.argv[1], sys.argv[2]
    files = sorted(f for f in os.listdir(folder) if f.endswith(".yaml"))
    failed = 0
    for name in files:
        problems = check(binary, os.path.join(folder, name))
        print("%-58s %s" % (name, "FAIL" if problems else "ok"))
        for p in problems:
            print("    " + p)
        failed += bool(problems)
    print("%d of %d samples differ" % (failed, len(files)))
    return 1 if failed or not files else 0


if __name__ == "__main__":
    sys.exit(main())
