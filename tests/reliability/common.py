"""Shared pieces of the reliability scripts (tests/reliability/README.md).

Each script is runnable alone (`python3 tests/reliability/<script>.py [--long]`) and by
ctest (its short form). They reuse the integration harness (tests/integration/
harness.py: private Postfix, the real binary, an SMTP sink) and add what a fault or
abuse scenario needs: the daemon's own view of itself (/proc: threads, fds, RSS),
a check list that reports every number it measured, and the exit codes ctest reads
(0 pass, 1 fail, 77 cannot run here).
"""

import argparse
import os
import resource
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SOURCE, "tests", "integration"))
sys.path.insert(0, HERE)

if not os.environ.get("PIXELWARDEN_BIN"):  # run by hand from a source tree
    os.environ["PIXELWARDEN_BIN"] = os.path.join(SOURCE, "build", "release", "milter",
                                                 "pixelwarden")
os.environ.setdefault("PIXELWARDEN_SOURCE_DIR", SOURCE)

import harness  # noqa: E402,F401
import support  # noqa: E402,F401

SKIP = 77


def arguments(description, long_help="the long form"):
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--long", action="store_true", help=long_help)
    p.add_argument("--keep", action="store_true", help="keep the temp dir even on success")
    args = p.parse_args()
    if args.keep:
        os.environ["PIXELWARDEN_KEEP_TMP"] = "1"
    return args


def need_root():
    if os.geteuid() != 0:
        print("SKIP: a private Postfix instance needs root")
        sys.exit(SKIP)


def need_binary():
    if not os.access(os.environ["PIXELWARDEN_BIN"], os.X_OK):
        print(f"SKIP: no pixelwarden binary at {os.environ['PIXELWARDEN_BIN']}")
        sys.exit(SKIP)


def raise_fd_limit(wanted):
    """This process may hold `wanted` sockets (the scenarios open thousands)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))


def proc_stats(pid):
    """{threads, fds, rss_kib} of a running process."""
    out = {"threads": 0, "rss_kib": 0, "fds": 0}
    with open(f"/proc/{pid}/status", encoding="utf-8") as f:
        for line in f:
            if line.startswith("Threads:"):
                out["threads"] = int(line.split()[1])
            elif line.startswith("VmRSS:"):
                out["rss_kib"] = int(line.split()[1])
    out["fds"] = len(os.listdir(f"/proc/{pid}/fd"))
    return out


class Checks:
    """Collects results: every check prints its measured value, failures make exit 1."""

    def __init__(self, name):
        self.name = name
        self.failures = []
        self.started = time.monotonic()

    def check(self, ok, what):
        print(f"[{'ok' if ok else 'FAIL'}] {what}", flush=True)
        if not ok:
            self.failures.append(what)
        return ok

    def note(self, what):
        print(f"       {what}", flush=True)

    def finish(self):
        took = time.monotonic() - self.started
        if self.failures:
            print(f"{self.name}: FAILED ({len(self.failures)} checks) in {took:.1f}s")
            return 1
        print(f"{self.name}: passed in {took:.1f}s")
        return 0


class Load:
    """`sessions` SMTP clients sending support.html_message()s through the stack's
    Postfix until stop(), each message with its own envelope sender
    (m<idx>@ok.example), like support.Load but a client whose connection breaks (a
    killed milter, a restarting Postfix) reconnects and goes on. Every attempt is kept:
    (sender, code) in `sent`."""

    def __init__(self, stack, sessions=6, per_connection=20):
        import threading
        self.stack = stack
        self.per_connection = per_connection
        self.sent = []
        self.errors = 0
        self._lock = threading.Lock()
        self._next = 0
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, daemon=True)
                         for _ in range(sessions)]

    def start(self):
        for t in self._threads:
            t.start()
        return self

    def stop(self):
        self._stop.set()
        for t in self._threads:
            t.join(timeout=60)

    def count(self):
        with self._lock:
            return len(self.sent)

    def _take(self):
        with self._lock:
            idx = self._next
            self._next += 1
        return f"m{idx}@ok.example", idx

    def _run(self):
        import smtplib
        conn, used = None, 0
        while not self._stop.is_set():
            try:
                if conn is None or used >= self.per_connection:
                    if conn is not None:
                        try:
                            conn.quit()
                        except (smtplib.SMTPException, OSError):
                            pass
                    conn, used = self.stack.smtp(timeout=30), 0
                sender, idx = self._take()
                out = support.smtp_attempt(conn, support.html_message(idx, sender), sender,
                                           ["reader@corp.example"])
                used += 1
                with self._lock:
                    self.sent.append((sender, out.code))
                if out.code != 250:
                    # As an MTA does with a deferral: this session is done. (Postfix's
                    # smtpd also slows a session down after smtpd_soft_error_limit
                    # errors, which would throttle the load, not the milter.)
                    used = self.per_connection
                    self._stop.wait(0.05)
            except (smtplib.SMTPException, OSError):
                with self._lock:
                    self.errors += 1
                conn = None
                self._stop.wait(0.1)
        if conn is not None:
            try:
                conn.quit()
            except (smtplib.SMTPException, OSError):
                pass


def delivery_report(stack, sent, timeout=60):
    """(accepted, lost, unfiltered, deferred, refused) of `sent` [(sender, code)]: lost =
    accepted with 250 but not at the sink after `timeout`; unfiltered = delivered
    without pixelwarden's X-Pixelwarden mark or with the tracker pixel intact."""
    accepted = {s for s, code in sent if code == 250}
    deferred = sum(1 for _, code in sent if code is not None and 400 <= code < 500)
    refused = sum(1 for _, code in sent if code is not None and code >= 500)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(accepted & {m.mail_from for m in list(stack.sink.messages)}) == len(accepted):
            break
        time.sleep(0.2)
    delivered = {m.mail_from: m for m in list(stack.sink.messages)}
    lost = [s for s in accepted if s not in delivered]
    unfiltered = [s for s in accepted if s in delivered and (
        support.verdict_header(delivered[s].data) is None
        or b"tracker.example/o.gif" in delivered[s].data)]
    return len(accepted), lost, unfiltered, deferred, refused
