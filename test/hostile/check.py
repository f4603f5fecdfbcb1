#!/usr/bin/python3
"""check.py: run the hostile catalogue through bookparse-dump and assert.

    /usr/bin/python3 test/hostile/check.py [--dump PATH] [--dir build/hostile]
        [--max-seconds 20] [--max-rss-mb 1024] [--no-strace] [--jobs 2] [NAME...]

For every case of DIR/manifest.tsv (test/hostile/make_hostile.py) this runs
PATH (default ./bookparse-dump) three times with --full --max-memory=256MB:
JSON under strace (-f, open/openat/connect/socket), then --text and --html.
A case passes when every run exits 0 or 1 (never a signal), within the
time limit, with peak RSS under the limit; the outcome matches the
manifest (ok, ok:WARNING, error:CODE, alternatives with |); the text and
HTML are valid UTF-8 without NUL; the secret marker appears in no output;
and the trace shows no open of DIR/secret/ or /etc/passwd or /etc/shadow
and no socket or connect.  Exits 1 when a case failed.
"""
import argparse
import concurrent.futures
import json
import os
import re
import subprocess
import sys
import tempfile
import time

OPEN_RE = re.compile(r'\b(?:open|openat)\(.*?"([^"]*)"')


def run_rusage(cmd, timeout, env):
    """Run cmd under /usr/bin/time; returns (rc, stdout, stderr, seconds, maxrss_mb).

    rc is None when the run did not end in time, negative for a signal.  The
    peak RSS comes from GNU time (wait4 of its own child): measured in this
    process it would include the Python parent's RSS at fork.
    """
    t0 = time.monotonic()
    with tempfile.TemporaryFile() as fo, tempfile.TemporaryFile() as fe, \
            tempfile.NamedTemporaryFile(prefix="bp-time-") as ft:
        p = subprocess.Popen(["/usr/bin/time", "-f", "%x %M", "-o", ft.name] + cmd,
                             stdout=fo, stderr=fe, env=env)
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
            return None, b"", b"", time.monotonic() - t0, 0
        secs = time.monotonic() - t0
        fo.seek(0)
        fe.seek(0)
        out, err = fo.read(), fe.read()
        tline = open(ft.name).read().strip().splitlines()
    rc, rss = p.returncode, 0.0
    for line in tline:
        m = re.match(r"Command terminated by signal (\d+)", line)
        if m:
            rc = -int(m.group(1))
        m = re.match(r"^(-?\d+) (\d+)$", line)
        if m:
            rss = int(m.group(2)) / 1024.0
    return rc, out, err, secs, rss


def outcome(rc, out, err):
    """('ok', [warning codes]) or ('error:CODE', message)."""
    if rc == 0:
        try:
            book = json.loads(out)
            warns = [w.get("code") for w in book.get("warnings", [])]
        except Exception:
            warns = []
        return "ok", warns
    m = re.search(rb": ([a-z_]+): ", err)
    return "error:" + (m.group(1).decode() if m else "?"), err.decode("utf-8", "replace").strip()


def matches(expect, got, warns):
    """Does the outcome got (with warnings) fit the manifest's expect?"""
    for alt in expect.split("|"):
        if alt == "error:*" and got.startswith("error:"):
            return True
        if alt == got:
            return True
        if alt.startswith("ok:") and got == "ok" and alt[3:] in warns:
            return True
    return False


def check_case(args, secret_dir, marker, name, fn, expect):
    """Run one case; returns (name, ok, summary line, problems)."""
    path = os.path.join(args.dir, fn)
    base = [args.dump, "--full", "--max-memory=256MB"]
    env = dict(os.environ)
    problems = []
    env_trace = dict(env)
    # LeakSanitizer cannot run under ptrace: leaks are checked in the other runs
    env_trace["ASAN_OPTIONS"] = env.get("ASAN_OPTIONS", "") + ":detect_leaks=0"
    with tempfile.NamedTemporaryFile(prefix="bp-strace-", suffix=".txt") as tr:
        cmd = base + [path]
        if not args.no_strace:
            cmd = ["strace", "-f", "-qq", "-e", "trace=open,openat,connect,socket",
                   "-o", tr.name] + cmd
        rc, out, err, secs, rss = run_rusage(cmd, args.max_seconds * 3, env_trace)
        trace = open(tr.name, errors="replace").read() if not args.no_strace else ""
    runs = [("json", rc, out, err, secs, rss)]
    for mode in ("--text", "--html"):
        r = run_rusage(base + [mode, path], args.max_seconds * 3, env)
        runs.append((mode[2:],) + r)
    for mode, rc, out, err, secs, rss in runs:
        if rc is None:
            problems.append("%s: did not end within %ds" % (mode, args.max_seconds * 3))
            continue
        if rc < 0:
            problems.append("%s: killed by signal %d" % (mode, -rc))
        elif rc not in (0, 1):
            problems.append("%s: exit status %d: %s" % (mode, rc, err.decode("utf-8", "replace")[-500:]))
        if b"Sanitizer" in err or b"runtime error" in err:
            problems.append("%s: sanitizer report: %s" % (mode, err.decode("utf-8", "replace")[-800:]))
        if secs > args.max_seconds:
            problems.append("%s: took %.1fs (limit %ds)" % (mode, secs, args.max_seconds))
        if rss > args.max_rss_mb:
            problems.append("%s: peak RSS %.0fMB (limit %dMB)" % (mode, rss, args.max_rss_mb))
        if marker.encode() in out or marker.encode() in err:
            problems.append("%s: the secret file's content is in the output" % mode)
        if rc == 0 and mode in ("json", "text", "html"):
            if mode != "json" and b"\0" in out:
                problems.append("%s: NUL byte in the output" % mode)
            try:
                out.decode("utf-8", "strict")
            except UnicodeDecodeError as e:
                problems.append("%s: invalid UTF-8 in the output: %s" % (mode, e))
    got, detail = outcome(runs[0][1], runs[0][2], runs[0][3]) if runs[0][1] is not None else ("timeout", "")
    for mode, rc, out, err, secs, rss in runs[1:]:
        if rc is not None and rc >= 0 and (rc == 0) != (got == "ok"):
            problems.append("%s: exit %d but the JSON run gave %s" % (mode, rc, got))
    warns = detail if got == "ok" else []
    if not matches(expect, got, warns):
        problems.append("outcome %s (%s), expected %s" % (got, detail if got != "ok" else ",".join(warns), expect))
    for line in trace.splitlines():
        m = OPEN_RE.search(line)
        if m:
            p = os.path.abspath(m.group(1))
            if p.startswith(secret_dir) or p in ("/etc/passwd", "/etc/shadow") or "hostile-secret" in p:
                problems.append("opened %s: %s" % (p, line.strip()))
        if re.search(r"\b(socket|connect)\(", line):
            problems.append("network: " + line.strip())
    worst = max(r[4] for r in runs)
    peak = max(r[5] for r in runs)
    what = got if got != "ok" else "ok" + ("[" + ",".join(sorted(set(warns)))[:60] + "]" if warns else "")
    summary = "%-32s %-28s %5.1fs %5.0fMB" % (name, what, worst, peak)
    return name, not problems, summary, problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dump", default="./bookparse-dump")
    ap.add_argument("--dir", default="build/hostile")
    ap.add_argument("--max-seconds", type=int, default=20)
    ap.add_argument("--max-rss-mb", type=int, default=1024)
    ap.add_argument("--no-strace", action="store_true")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("names", nargs="*")
    args = ap.parse_args()
    cases = []
    secret_dir, marker = None, None
    with open(os.path.join(args.dir, "manifest.tsv")) as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if cols[0] == "#secret":
                secret_dir, marker = cols[1], cols[2]
            elif not line.startswith("#") and (not args.names or cols[0] in args.names):
                cases.append(cols)
    failed = 0
    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as ex:
        futs = [ex.submit(check_case, args, secret_dir, marker, c[0], c[1], c[2]) for c in cases]
        for fu in futs:
            name, ok, summary, problems = fu.result()
            print(("PASS " if ok else "FAIL ") + summary, flush=True)
            for p in problems:
                print("     " + p)
            failed += 0 if ok else 1
    print("hostile: %d cases, %d failed, %.0fs" % (len(cases), failed, time.monotonic() - t0))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
