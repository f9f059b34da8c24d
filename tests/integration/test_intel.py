"""Threat-intel list entries through the real daemon and a real Postfix.

- An entry whose valid_until passes while the daemon runs stops matching within 1 s
  of that moment with no push: the daemon reloads on its own at the expiry (counted in
  pixelwarden_ruleset_expiry_reloads_total and the reload counters), and the audit
  line of the refusal before it named the entry's source and campaign.
- reload.require_tests: a push whose own tests fail is refused (POST /-/reload answers
  422 naming the failing test, counted with reason tests) and the old ruleset keeps
  deciding mail through Postfix.
"""

import json
import os
import sys
import tempfile
import time
import unittest
from datetime import datetime, timezone

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import support as se  # noqa: E402

LURE_RULES = """ruleset: {{name: intel-itest, version: "{version}"}}
lists:
  news-feed: {{file: feed.txt}}
lures:
  - id: news-feed
    match: {{domain_in: news-feed, where: [envelope_from, header_from]}}
    action: {action}
tests:
  - name: the fake newsroom is refused
    message: lure.eml
    envelope: {{from: editor@world-news-daily.example, rcpt: [mp@parliament.example]}}
    expect: {{action: reject, rules: [news-feed]}}
"""


def iso(ts):
    return datetime.fromtimestamp(ts, tz=timezone.utc).isoformat(timespec="milliseconds").replace(
        "+00:00", "Z")


def lure(sender):
    return harness.make_message(subject="Exclusive briefing", sender=sender)


class IntelStack:
    """A ruleset directory (entry file, list file, sample) and the stack over it."""

    def __init__(self, test, feed, version="1", action="reject", milter_config=None):
        self.dir = tempfile.mkdtemp(prefix="pw-intel-")
        test.addCleanup(lambda: __import__("shutil").rmtree(self.dir, ignore_errors=True))
        self.write("feed.txt", feed)
        self.write("lure.eml", lure("editor@world-news-daily.example").decode())
        self.rules = self.write("rules.yaml", LURE_RULES.format(version=version, action=action))
        self.stack = harness.Stack(rules_path=self.rules, milter_config=milter_config)
        self.stack.start()
        test.addCleanup(harness.stop_stack, test, self.stack)
        self.env = harness.Environment(self.stack)

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        tmp = path + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.rename(tmp, path)
        return path

    def samples(self):
        return se.metrics(self.stack.milter)


class ExpiryTest(unittest.TestCase):
    def setUp(self):
        if os.geteuid() != 0:
            self.skipTest("a private Postfix instance needs root")
        harness.binary()

    def test_entry_stops_matching_at_valid_until_without_a_push(self):
        until = time.time() + 6.0
        feed = (f'world-news-daily.example source="CERT-EU" feed=indicator--0b6a5b1e '
                f'valid_until={iso(until)} tlp=amber campaign="Fake Newsroom"\n'
                'still-listed.example source="CERT-EU" campaign="Fake Newsroom"\n')
        s = IntelStack(self, feed)
        m = s.samples()
        self.assertAlmostEqual(
            se.metric(m, "pixelwarden_ruleset_next_expiry_timestamp_seconds"), until, delta=0.01)
        self.assertEqual(se.reloads(m, "success"), 1)

        code = s.env.send(lure("editor@world-news-daily.example"))
        self.assertEqual(code // 100, 5)
        # The audit writer appends within milliseconds of the decision (docs/audit-log.md).
        lines = harness.wait_until(
            lambda: [l for l in s.stack.milter.audit_lines() if l.get("action") == "reject"],
            10, what="the refusal's audit line")
        match = [x for x in lines[-1]["matches"] if x["rule"] == "news-feed"][0]
        self.assertEqual(match["indicator_source"], "CERT-EU")
        self.assertEqual(match["indicator_campaign"], "Fake Newsroom")
        self.assertLess(time.time(), until, "the first lure must be sent before the expiry")

        # No push: wait for the daemon's own reload at valid_until.
        # The counter moves when the reload starts; the load itself (a 100 ms settle
        # included) ends with the second success.
        harness.wait_until(
            lambda: (lambda m: se.metric(m, "pixelwarden_ruleset_expiry_reloads_total") >= 1
                     and se.reloads(m, "success") >= 2)(s.samples()),
            timeout=until - time.time() + 5, interval=0.02, what="the reload at the expiry")
        m = s.samples()
        reloaded_at = se.metric(m, "pixelwarden_ruleset_last_reload_success_timestamp_seconds")
        self.assertGreaterEqual(reloaded_at, until - 0.001)
        self.assertLess(reloaded_at, until + 1.0, "expired entry still in force 1 s after expiry")
        self.assertEqual(se.reloads(m, "success"), 2)
        self.assertEqual(se.metric(m, "pixelwarden_ruleset_expiry_reloads_total"), 1)
        self.assertEqual(se.metric(m, "pixelwarden_ruleset_next_expiry_timestamp_seconds"), 0)
        self.assertEqual(se.metric(m, "pixelwarden_ruleset_rules", kind="list_entries"), 1)

        wait = until + 1.0 - time.time()
        if wait > 0:
            time.sleep(wait)
        self.assertEqual(s.env.send(lure("editor@world-news-daily.example")), 250)
        self.assertEqual(s.env.send(lure("desk@still-listed.example")) // 100, 5)


class RequireTestsTest(unittest.TestCase):
    def setUp(self):
        if os.geteuid() != 0:
            self.skipTest("a private Postfix instance needs root")
        harness.binary()

    def test_a_push_whose_tests_fail_is_refused_and_the_old_ruleset_decides(self):
        s = IntelStack(self, "world-news-daily.example\n",
                       milter_config={"reload": {"require_tests": "true"}})
        # The push: a new entry, but the rule downgraded to tag, so the ruleset's own
        # test (reject) fails.
        s.write("feed.txt", "world-news-daily.example\nnew-lure.example\n")
        s.write("rules.yaml", LURE_RULES.format(version="2", action="tag"))
        status, body = s.stack.milter.http("/-/reload", method="POST")
        self.assertEqual(status, 422, body)
        answer = json.loads(body)
        self.assertEqual(answer["reason"], "tests")
        self.assertEqual(answer["failed_tests"], ["the fake newsroom is refused"])
        self.assertEqual(answer["ruleset"]["version"], "1")

        m = s.samples()
        self.assertEqual(se.ruleset_info(m)[1], "1")
        self.assertGreaterEqual(
            se.metric(m, "pixelwarden_ruleset_reload_failures_total", reason="tests"), 1)
        self.assertEqual(se.metric(m, "pixelwarden_ruleset_reload_failures_total", reason="rules"), 0)
        # Version 1 still decides: its lure refused, the entry only v2 lists accepted.
        self.assertEqual(s.env.send(lure("editor@world-news-daily.example")) // 100, 5)
        self.assertEqual(s.env.send(lure("desk@new-lure.example")), 250)

        # Fixed push: passes its tests and goes into force.
        s.write("rules.yaml", LURE_RULES.format(version="3", action="reject"))
        status, body = s.stack.milter.http("/-/reload", method="POST")
        self.assertEqual(status, 200, body)
        self.assertEqual(json.loads(body)["ruleset"]["version"], "3")
        self.assertEqual(s.env.send(lure("desk@new-lure.example")) // 100, 5)


if __name__ == "__main__":
    harness.main()
