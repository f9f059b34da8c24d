#!/usr/bin/env python3
"""Stop under stall: SIGTERM while one milter client holds a message in flight and
never finishes it. The daemon drains once, bounded by milter.drain_timeout in total,
and exits 0 within drain_timeout + 2 s (the unit's TimeoutStopSec leaves room for it).

Short form: drain_timeout 3s. --long: drain_timeout 30s, the shipped default.
Needs no root (no Postfix: the stalled client speaks the milter protocol itself).
"""

import os
import re
import shutil
import signal
import sys
import tempfile
import time

import common
from common import harness
import milterproto


def main():
    args = common.arguments(__doc__, "drain_timeout 30s (the default) instead of 3s")
    common.need_binary()
    drain = 30.0 if args.long else 3.0
    checks = common.Checks("stop_under_stall")
    root = tempfile.mkdtemp(prefix="pw-rel-stop-")
    rules = os.path.join(root, "rules.yaml")
    with open(rules, "w", encoding="utf-8") as f:
        f.write(harness.EMPTY_RULESET)
    milter = harness.Milter(root, rules, config_extra={
        "milter": {"drain_timeout": f"{int(drain)}s"}}, log_level="info")
    stalled = None
    try:
        milter.start()
        stalled = milterproto.stall_in_message(milter)
        t0 = time.monotonic()
        milter.signal(signal.SIGTERM)
        status = milter.proc.wait(timeout=drain * 3 + 30)
        took = time.monotonic() - t0
        log = milter.log()
        checks.check(re.search(r"draining: 1 message\(s\) in flight", log) is not None,
                     "the stalled message was in flight when the stop began")
        checks.check(status == 0, f"exit status {status} (want 0)")
        checks.check(took <= drain + 2.0,
                     f"exit {took:.2f}s after SIGTERM, drain_timeout {drain:.0f}s "
                     f"(want <= drain_timeout + 2s)")
        checks.check(took >= drain - 0.5,
                     f"the stop waited for the stalled message ({took:.2f}s >= "
                     f"drain_timeout - 0.5s)")
        checks.check(log.count("drain timeout:") == 1, "one drain-timeout warning, not one per wait")
    finally:
        if stalled:
            stalled.close()
        milter.stop(timeout=5)
        failed = bool(checks.failures)
        if failed or os.environ.get("PIXELWARDEN_KEEP_TMP") == "1":
            print(f"kept {root} (milter.log)")
        else:
            shutil.rmtree(root, ignore_errors=True)
    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())
