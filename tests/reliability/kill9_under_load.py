#!/usr/bin/env python3
"""kill -9 under load: the milter is killed (SIGKILL, no cleanup) several times while
SMTP clients send through a private Postfix with milter_default_action = tempfail, and
restarted each time. No message is lost (every one Postfix accepted with 250 reaches the
sink) and none passes unfiltered (every delivered one carries pixelwarden's mark and has
its tracker pixel neutralized); the messages sent while the milter was down are
deferred to their sender (4xx), who retries.

Short form: 6 sessions, 2 kills, about 15 s. --long: 16 sessions, 5 kills, at least
2,000 messages.
"""

import sys
import time

import common
from common import harness, support


def main():
    args = common.arguments(__doc__, "16 sessions, 5 kills, >= 2,000 messages")
    common.need_binary()
    common.need_root()
    sessions, kills, at_least = (16, 5, 2000) if args.long else (6, 2, 0)
    checks = common.Checks("kill9_under_load")
    stack = harness.Stack(rules=support.ruleset_text(0), name="pw-rel-kill9-",
                          milter_config={"log": {"level": "info"}})
    load = None
    try:
        stack.start()
        load = common.Load(stack, sessions=sessions).start()
        for i in range(kills):
            time.sleep(3.0)
            before = load.count()
            stack.milter.kill()
            time.sleep(1.0)  # Postfix meets a dead milter: tempfail
            stack.milter.start()
            checks.note(f"kill {i + 1}: at message {before}, restarted after 1 s")
        time.sleep(3.0)
        while load.count() < at_least:
            time.sleep(1.0)
        load.stop()
        accepted, lost, unfiltered, deferred, refused = common.delivery_report(stack, load.sent)
        checks.note(f"{len(load.sent)} messages sent by {sessions} sessions: {accepted} accepted, "
                    f"{deferred} deferred (4xx), {refused} refused (5xx), "
                    f"{load.errors} broken SMTP sessions")
        checks.check(not lost, f"{len(lost)} accepted messages lost {lost[:5]}")
        checks.check(not unfiltered, f"{len(unfiltered)} delivered unfiltered {unfiltered[:5]}")
        checks.check(accepted >= 50, f"{accepted} messages accepted (the load ran)")
        checks.check(deferred > 0, f"{deferred} deferred while the milter was down "
                                   "(the kills hit the load)")
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
