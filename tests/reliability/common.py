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
