#!/usr/bin/env python3
"""Soak: steady SMTP load through a private Postfix while rulesets are pushed again and
again (written atomically, picked up by the watcher; every other push also signalled
with SIGUSR1). The daemon's resident memory, descriptors and threads stay flat, every
push is applied, no message is lost and none passes unfiltered.

Short form: 30 s, a push every 4 s. --long: 20 minutes, a push every 30 s (the
campaign's 42 pushes).
"""

import signal
import sys
import time

import common
from common import harness, support

RSS_GROWTH_KIB = {False: 8 * 1024, True: 16 * 1024}
DRIFT = 16  # descriptors or threads above the post-warm-up level


def main():
    args = common.arguments(__doc__, "20 minutes, a push every 30 s")
    common.need_binary()
    common.need_root()
    seconds, every = (1200, 30) if args.long else (30, 4)
    checks = common.Checks("soak")
    stack = harness.Stack(rules=support.ruleset_text(0), name="pw-rel-soak-",
                          milter_config={"log": {"level": "info"}})
    load = None
    samples = []
    try:
        stack.start()
        milter = stack.milter
        load = common.Load(stack, sessions=4).start()
        start = time.monotonic()
        next_push, version, pushes = start + every, 0, 0
        while time.monotonic() - start < seconds:
            now = time.monotonic()
            samples.append((now - start, load.count(), common.proc_stats(milter.proc.pid)))
            if now >= next_push:
                version += 2  # even versions: same lure domain, trackers neutralized
                support.write_atomic(stack.rules_path, support.ruleset_text(version))
                if pushes % 2:
                    milter.signal(signal.SIGUSR1)
                pushes += 1
                next_push = now + every
            time.sleep(1.0)
        load.stop()
        harness.wait_until(
            lambda: (support.ruleset_info(support.metrics(milter)) or (0, 0))[1] == str(version),
            timeout=15, what=f"version {version} in force")
        m = support.metrics(milter)
        applied = support.reloads(m, "success") - 1  # the startup load is counted too
        checks.check(applied >= pushes, f"{pushes} pushes, {applied:.0f} successful reloads, "
                                        f"{support.reloads(m, 'failure'):.0f} failed")
        accepted, lost, unfiltered, deferred, refused = common.delivery_report(stack, load.sent)
        checks.note(f"{len(load.sent)} messages in {seconds}s: {accepted} accepted, "
                    f"{deferred} deferred, {refused} refused")
        checks.check(not lost and not unfiltered,
                     f"{len(lost)} lost, {len(unfiltered)} unfiltered")
        warm = samples[len(samples) // 3][2]
        end = samples[-1][2]
        peak = {k: max(s[2][k] for s in samples[len(samples) // 3:]) for k in warm}
        checks.note("t(s) msgs rss(KiB) fds threads: " + "; ".join(
            f"{t:.0f} {n} {st['rss_kib']} {st['fds']} {st['threads']}"
            for t, n, st in samples[:: max(1, len(samples) // 8)]))
        growth = end["rss_kib"] - warm["rss_kib"]
        checks.check(growth <= RSS_GROWTH_KIB[args.long],
                     f"RSS after warm-up {warm['rss_kib']} KiB, at the end {end['rss_kib']} KiB "
                     f"(+{growth} KiB over {end and samples[-1][1] - samples[len(samples) // 3][1]}"
                     f" messages; want <= {RSS_GROWTH_KIB[args.long]} KiB)")
        checks.check(peak["fds"] <= warm["fds"] + DRIFT and end["fds"] <= warm["fds"] + DRIFT,
                     f"fds after warm-up {warm['fds']}, peak {peak['fds']}, end {end['fds']}")
        checks.check(end["threads"] <= warm["threads"] + DRIFT,
                     f"threads after warm-up {warm['threads']}, peak {peak['threads']}, "
                     f"end {end['threads']}")
    except Exception as e:  # noqa: BLE001 - report, keep the temp dir
        checks.check(False, f"scenario raised {e!r}")
    finally:
        if load:
            load.stop()
        stack.failed = bool(checks.failures)
        stack.stop()
    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())
