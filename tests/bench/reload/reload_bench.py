#!/usr/bin/env python3
"""Reload benchmark: how long a ruleset reload takes, and what reloads cost
the mail in flight. A script, not a ctest test (needs root: private Postfix).

    sudo python3 tests/bench/reload/reload_bench.py --bin build/rel/milter/pixelwarden
        [--domains 1000000] [--seconds 20] [--sessions 6] [--reloads 5]

Measures, for the shipped rules/default.yaml and for a generated ruleset with one
N-domain list file (default 1,000,000 domains):
  - reload time: from the trigger (POST /-/reload after a version bump in the entry
    file) until /metrics pixelwarden_ruleset_info shows the new version (polled every
    5 ms), median and max over --reloads reloads; also the load time the milter logs;
  - message latency at the SMTP client (MAIL FROM .. end of DATA reply) under a steady
    multi-session load, p50/p99, without reloads and with a reload every second.
Prints one table; --json writes the numbers too.
"""

import argparse
import json
import os
import re
import shutil
import statistics
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "integration"))
import harness  # noqa: E402
import support as se  # noqa: E402


def big_ruleset(root, domains, version):
    """rules.yaml + lures.txt with `domains` lure domains (written once)."""
    lst = os.path.join(root, "lures.txt")
    if not os.path.exists(lst):
        with open(lst, "w", encoding="ascii") as f:
            f.write("# generated lure feed\n")
            chunk = []
            for i in range(domains):
                chunk.append(f"lure{i:07d}-news.example\n")
                if len(chunk) == 10000:
                    f.write("".join(chunk))
                    chunk = []
            f.write("".join(chunk))
    return f"""ruleset:
  name: bench-{domains}-domains
  version: "{version}"
lists:
  lures:
    file: lures.txt
  trackers:
    domains: [tracker.example]
trackers:
  - id: tracker-pixels
    match:
      domain_in: trackers
    action: neutralize
lures:
  - id: lure-feed
    match:
      domain_in: lures
      where: [envelope_from, header_from, links]
    action: reject
report:
  header_on: all
"""


class Case:
    """A ruleset directory whose entry file can be bumped to a new version."""

    def __init__(self, name, root, text_for_version):
        self.name = name
        self.root = root
        self.entry = os.path.join(root, "rules.yaml")
        self.text_for_version = text_for_version
        self.version = 0
        self.write()

    def write(self):
        se.write_atomic(self.entry, self.text_for_version(self.version))

    def bump(self):
        self.version += 1
        self.write()
        return str(self.version)


def default_case(root):
    src = os.path.join(harness.source_dir(), "rules")
    dst = os.path.join(root, "default-rules")
    shutil.copytree(src, dst)
    with open(os.path.join(dst, "default.yaml"), encoding="utf-8") as f:
        base = f.read()
    os.remove(os.path.join(dst, "default.yaml"))
    return Case("default ruleset", dst, lambda v: re.sub(
        r'version: "[^"]*"', f'version: "bench-{v}"', base, count=1))


def version_of(milter):
    info = se.ruleset_info(se.metrics(milter))
    return info[1] if info else None


def timed_reload(stack, case):
    target = case.bump()
    # The bump is written by rename, which inotify would also see; the watcher's 300 ms
    # debounce is not what we measure, so the explicit trigger goes out at once.
    t0 = time.monotonic()
    stack.milter.http("/-/reload", method="POST")
    want = target if case.name != "default ruleset" else f"bench-{target}"
    harness.wait_until(lambda: version_of(stack.milter) == want, 600, interval=0.005,
                       what=f"version {want}")
    return time.monotonic() - t0


def logged_load_seconds(log):
    return [float(x) for x in re.findall(r"rules loaded \([^)]*\):.* in ([0-9.]+)s", log)]


def latency_run(stack, seconds, sessions, reload_case=None):
    load = se.Load(stack, sessions=sessions).start()
    stop = threading.Event()
    reloads = []

    def reloader():
        while not stop.wait(1.0):
            reloads.append(timed_reload(stack, reload_case))

    t = threading.Thread(target=reloader, daemon=True) if reload_case else None
    time.sleep(1.0)  # warm-up, not measured
    skip = load.count()
    if t:
        t.start()
    time.sleep(seconds)
    stop.set()
    if t:
        t.join(timeout=600)
    load.stop()
    sent = load.sent[skip:]
    bad = [s for s in sent if s.code // 100 == 4]
    lat = [s.latency for s in sent]
    return {"messages": len(sent), "tempfails": len(bad),
            "msgs_per_s": round(len(sent) / (load.stopped - load.started), 1),
            "p50_ms": round(statistics.median(lat) * 1000, 2) if lat else None,
            "p99_ms": round(se.p99(lat) * 1000, 2), "reloads": len(reloads)}


def bench_case(case, args, results):
    stack = harness.Stack(rules_path=case.entry, milter_config={"log": {"level": "info"}})
    with stack:
        times = [timed_reload(stack, case) for _ in range(args.reloads)]
        quiet = latency_run(stack, args.seconds, args.sessions)
        busy = latency_run(stack, args.seconds, args.sessions, reload_case=case)
        loaded = logged_load_seconds(stack.milter.log())
        rss = se.metric(se.metrics(stack.milter), "process_resident_memory_bytes")
    results[case.name] = {
        "reload_median_s": round(statistics.median(times), 3),
        "reload_max_s": round(max(times), 3),
        "logged_load_median_s": round(statistics.median(loaded), 3) if loaded else None,
        "rss_mb": round(rss / 1e6, 1),
        "without_reloads": quiet, "with_reloads": busy}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bin", default=os.environ.get("PIXELWARDEN_BIN"))
    ap.add_argument("--domains", type=int, default=1_000_000)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--sessions", type=int, default=6)
    ap.add_argument("--reloads", type=int, default=5)
    ap.add_argument("--json")
    args = ap.parse_args()
    if not args.bin:
        ap.error("--bin (or PIXELWARDEN_BIN) is required")
    os.environ["PIXELWARDEN_BIN"] = os.path.abspath(args.bin)
    if os.geteuid() != 0:
        sys.exit("a private Postfix instance needs root")
    import tempfile
    work = tempfile.mkdtemp(prefix="pw-reload-bench-")
    try:
        results = {}
        bench_case(default_case(work), args, results)
        big = os.path.join(work, "big")
        os.makedirs(big)
        t0 = time.monotonic()
        case = Case(f"{args.domains}-domain ruleset", big,
                    lambda v: big_ruleset(big, args.domains, v))
        print(f"generated {args.domains} domains in {time.monotonic() - t0:.1f}s",
              file=sys.stderr)
        bench_case(case, args, results)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"{'ruleset':28} {'reload med/max s':>17} {'logged load s':>13} {'RSS MB':>7} "
          f"{'p50/p99 ms quiet':>17} {'p50/p99 ms reloading':>21} {'msg/s q/r':>11}")
    for name, r in results.items():
        q, b = r["without_reloads"], r["with_reloads"]
        print(f"{name:28} {r['reload_median_s']:>8}/{r['reload_max_s']:<8} "
              f"{str(r['logged_load_median_s']):>13} {r['rss_mb']:>7} "
              f"{q['p50_ms']:>8}/{q['p99_ms']:<8} {b['p50_ms']:>10}/{b['p99_ms']:<10} "
              f"{q['msgs_per_s']:>5}/{b['msgs_per_s']:<5}  "
              f"(reloads during load: {b['reloads']}, tempfails {q['tempfails'] + b['tempfails']})")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
