#!/usr/bin/env python3
"""Ruleset abuse: what a broken or hostile push can do to `rules check` and to the
daemon's hot reload. A failed reload must keep the ruleset in force (mail still
filtered), cost bounded memory and log lines, and never publish a half-written file.

1. An include chain of 10,000 files (--long: 100,000; the stack overflowed at ~6,000
   before the walk became iterative): `rules check` ends with one clean error naming
   the chain (no signal); a hot reload of it fails, the daemon keeps the old ruleset
   and keeps filtering.
2. A list of bad lines (short: 30 MB, --long: 100 MB) and one 100 MB line: `rules check`
   peak RSS and output lines; in the daemon, peak RSS (VmHWM), RSS after the failure and
   after the next good reload, log lines of the failure, and the poll (1 s) not loading
   the same bad content again.
3. A 200,000-entry list rewritten in place, slowly (chunks over ~2 s), while a reload is
   requested every 50 ms: every published ruleset is the old list or the new one, whole
   (checked by the sha256 each "rules loaded" line prints), and the new one ends up
   published.

Needs no root (no Postfix: messages go over the milter protocol).
"""

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

import common
from common import harness
import milterproto

MIB = 1024 * 1024
HEAD = 'ruleset: {name: abuse, version: "1"}\n'
TRACKER_RULES = """lists:
  pixels: {domains: [pixel.tracker-test.example]}
trackers:
  - id: pixels
    match: {domain_in: pixels}
    action: neutralize
"""


def write(path, data):
    with open(path, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)


def child_peak_kib(cmd):
    """(exit status, stdout lines, peak RSS KiB) of one run."""
    r = subprocess.run(["/usr/bin/time", "-f", "%M"] + cmd, capture_output=True, text=True,
                       timeout=600)
    peak = int(r.stderr.strip().splitlines()[-1])
    return r.returncode, r.stdout.splitlines(), peak


def status_kib(pid, key):
    with open(f"/proc/{pid}/status", encoding="utf-8") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def filtered(milter):
    """A tracked message over the milter protocol: True when its body was rewritten."""
    c = milterproto.MilterConn.open(milter, timeout=30)
    try:
        c.negotiate()
        c.connect_step()
        c.helo()
        c.mail("<news@shop.example>")
        c.rcpt("<reader@example.net>")
        c.header("From", " news@shop.example")
        c.header("Content-Type", " text/html")
        c.command(b"N")
        c.command(b"B", b'<img src="https://pixel.tracker-test.example/o.gif">\r\n')
        c.send(b"E")
        codes = []
        while True:
            code, _ = c.reply()
            codes.append(code)
            if code in (b"a", b"c", b"r", b"t", b"d", b"y"):
                return b"b" in codes
    finally:
        c.close()


def wait_log(milter, pattern, start, timeout=60):
    def found():
        return re.search(pattern, milter.log()[start:])
    return harness.wait_until(found, timeout, what=pattern)


def include_chain(root, checks, n):
    chain = os.path.join(root, "chain")
    os.makedirs(chain)
    for i in range(1, n):
        write(os.path.join(chain, f"c{i}.yaml"), f"include: c{i + 1}.yaml\n")
    write(os.path.join(chain, f"c{n}.yaml"), "lists: {}\n")
    entry = os.path.join(chain, "r.yaml")
    write(entry, HEAD + "include: c1.yaml\n" + TRACKER_RULES)
    t0 = time.monotonic()
    status, out, peak = child_peak_kib([os.environ["PIXELWARDEN_BIN"], "rules", "check", entry])
    took = time.monotonic() - t0
    text = "\n".join(out)
    checks.check(status == 1, f"include chain of {n:,} files: rules check exit {status} "
                 f"(want 1, not a signal) in {took:.2f}s, peak RSS {peak // 1024} MiB")
    checks.check("includes nested deeper than 32 files" in text and "c1.yaml:1:10 ->" in text,
                 f"the error names the chain: {out[0][:160] if out else ''}...")
    return entry


def reload_and_wait(milter, start):
    """SIGUSR1, then the first load or failure logged since `start` (the 1 s poll may be
    the one that gets there first)."""
    milter.signal(signal.SIGUSR1)
    return wait_log(milter, r"rules (loaded|reload \(\w+\) failed)", start)


def daemon_part(root, checks, chain_entry, bad_mib):
    rules_dir = os.path.join(root, "live")
    os.makedirs(rules_dir)
    entry = os.path.join(rules_dir, "rules.yaml")
    good = HEAD + TRACKER_RULES
    write(entry, good)
    milter = harness.Milter(os.path.join(root, "daemon"), entry, log_level="info",
                            config_extra={"rules": {"watch": "false", "poll_interval": "1s"}})
    os.makedirs(milter.root)
    try:
        milter.start()
        pid = milter.proc.pid
        checks.check(filtered(milter), "the daemon filters with the first ruleset")
        # 1. the include chain, pushed live
        start = len(milter.log())
        write(entry, open(chain_entry).read().replace("include: c1.yaml",
                                                      f"include: {os.path.dirname(chain_entry)}/c1.yaml"))
        reload_and_wait(milter, start)
        log = milter.log()[start:]
        checks.check("includes nested deeper than 32 files" in log and milter.proc.poll() is None,
                     "hot reload of the include chain: failed cleanly, daemon alive")
        checks.check(filtered(milter), "still filtering with the old ruleset after the chain")
        # 2. a large list of bad lines, pushed live
        write(entry, good + "# back to good\n")
        reload_and_wait(milter, len(milter.log()))
        base_rss = status_kib(pid, "VmRSS")
        base_hwm = status_kib(pid, "VmHWM")
        bad = os.path.join(rules_dir, "bad.txt")
        with open(bad, "w") as f:
            size, i = 0, 0
            while size < bad_mib * MIB:
                line = f"bad_entry_{i}!\n"
                f.write(line)
                size += len(line)
                i += 1
        lines = i
        start = len(milter.log())
        write(entry, good.replace("lists:\n", "lists:\n  bad: {file: bad.txt}\n"))
        t0 = time.monotonic()
        reload_and_wait(milter, start)
        took = time.monotonic() - t0
        time.sleep(3.5)  # three more polls of unchanged bad content
        log = milter.log()[start:]
        after_fail = status_kib(pid, "VmRSS")
        peak = status_kib(pid, "VmHWM")
        failures = log.count("failed, keeping the ruleset in force")
        log_lines = len(log.splitlines())
        checks.note(f"bad list written and pushed; the failed load took {took:.1f}s")
        checks.check(failures == 1, f"{bad_mib} MiB list of {lines:,} bad lines: {failures} failed "
                     "reload(s) in 3.5 s of 1 s polls (want 1: unchanged bad content is not reloaded)")
        checks.check(log_lines <= 110, f"{log_lines} log lines for the failure (want <= 110)")
        checks.check(re.search(r"\d+ more error\(s\) not shown", log) is not None,
                     "the rest of the errors is one count line")
        checks.check(peak <= 200 * 1024, f"daemon peak RSS {peak // 1024} MiB over the failed load "
                     f"(baseline {base_rss // 1024} MiB, peak before {base_hwm // 1024} MiB; "
                     f"want <= 200 MiB); load took {took:.1f}s")
        checks.check(filtered(milter), "still filtering during the bad list")
        write(entry, good + "# next good push\n")
        reload_and_wait(milter, len(milter.log()))
        after_good = status_kib(pid, "VmRSS")
        checks.check(after_good <= base_rss + 20 * 1024,
                     f"RSS {after_fail // 1024} MiB after the failure, {after_good // 1024} MiB after "
                     f"the next good reload (baseline {base_rss // 1024} MiB; want within 20 MiB)")
        os.unlink(bad)
    finally:
        milter.stop(timeout=10)


def cli_lists(root, checks, bad_mib):
    d = os.path.join(root, "cli")
    os.makedirs(d)
    with open(os.path.join(d, "bad.txt"), "w") as f:
        size, i = 0, 0
        while size < bad_mib * MIB:
            line = f"bad_entry_{i}!\n"
            f.write(line)
            size += len(line)
            i += 1
    write(os.path.join(d, "r.yaml"), HEAD + "lists:\n  l: {file: bad.txt}\n")
    status, out, peak = child_peak_kib([os.environ["PIXELWARDEN_BIN"], "rules", "check",
                                        os.path.join(d, "r.yaml")])
    checks.check(status == 1 and len(out) <= 102,
                 f"rules check, {bad_mib} MiB of {i:,} bad lines: exit {status}, {len(out)} output "
                 f"lines, last: {out[-1] if out else ''}")
    checks.check(peak <= 200 * 1024, f"rules check peak RSS {peak // 1024} MiB (want <= 200 MiB)")
    os.unlink(os.path.join(d, "bad.txt"))
    write(os.path.join(d, "one.txt"), "x" * (100 * MIB) + "!\n")
    write(os.path.join(d, "o.yaml"), HEAD + "lists:\n  l: {file: one.txt}\n")
    status, out, peak = child_peak_kib([os.environ["PIXELWARDEN_BIN"], "rules", "check",
                                        os.path.join(d, "o.yaml")])
    longest = max((len(line) for line in out), default=0)
    checks.check(status == 1 and longest < 400, f"one 100 MiB line: exit {status}, longest output "
                 f"line {longest} bytes, peak RSS {peak // 1024} MiB")
    os.unlink(os.path.join(d, "one.txt"))


def in_place_rewrite(root, checks, seconds):
    d = os.path.join(root, "inplace")
    os.makedirs(d)
    entry = os.path.join(d, "rules.yaml")
    head = (HEAD + "lists:\n  lures: {file: lures.txt}\nlures:\n  - id: lure\n"
            "    match: {domain_in: lures, where: [envelope_from]}\n    action: reject\n").encode()
    old = "".join(f"old{i}.example\n" for i in range(200_000)).encode()
    new = "".join(f"new{i}.example\n" for i in range(200_000)).encode() + b"lure-at-end.example\n"
    write(entry, head)
    write(os.path.join(d, "lures.txt"), old)
    whole = {hashlib.sha256(head + old).hexdigest(): "old", hashlib.sha256(head + new).hexdigest(): "new"}
    milter = harness.Milter(os.path.join(root, "daemon-inplace"), entry, log_level="info",
                            config_extra={"rules": {"watch": "true", "poll_interval": "0"}})
    os.makedirs(milter.root)
    stop = threading.Event()
    requests = [0]

    def request_reloads():
        while not stop.is_set():
            milter.signal(signal.SIGUSR1)
            requests[0] += 1
            time.sleep(0.05)

    try:
        milter.start()
        start = len(milter.log())
        poker = threading.Thread(target=request_reloads)
        poker.start()
        chunks = 100
        step = (len(new) + chunks - 1) // chunks
        with open(os.path.join(d, "lures.txt"), "wb") as f:  # truncates: written in place
            for k in range(chunks):
                f.write(new[k * step:(k + 1) * step])
                f.flush()
                time.sleep(seconds / chunks)
        time.sleep(1.5)
        stop.set()
        poker.join()
        time.sleep(1.0)
        log = milter.log()[start:]
        published = re.findall(r"rules loaded \([^)]*\): \S+ version \S+ sha256 ([0-9a-f]{64})", log)
        kinds = [whole.get(h, "PARTIAL") for h in published]
        unstable = log.count("a file changed while it was read")
        checks.check("PARTIAL" not in kinds and kinds and kinds[-1] == "new",
                     f"in-place rewrite of a 200,000-entry list over {seconds:.0f}s with "
                     f"{requests[0]} reload requests (every 50 ms): published {kinds} "
                     f"(want only whole lists, the new one last); {unstable} reads found the "
                     "file changing and were retried")
    finally:
        stop.set()
        milter.stop(timeout=10)


def main():
    args = common.arguments(__doc__, "100,000 include files and a 100 MiB list of bad lines "
                            "instead of 10,000 and 30 MiB")
    common.need_binary()
    checks = common.Checks("ruleset_abuse")
    root = tempfile.mkdtemp(prefix="pw-rel-rules-")
    bad_mib = 100 if args.long else 30
    try:
        chain_entry = include_chain(root, checks, 100_000 if args.long else 10_000)
        cli_lists(root, checks, bad_mib)
        daemon_part(root, checks, chain_entry, bad_mib)
        in_place_rewrite(root, checks, 2.0)
    finally:
        failed = bool(checks.failures)
        if failed or os.environ.get("PIXELWARDEN_KEEP_TMP") == "1":
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())
