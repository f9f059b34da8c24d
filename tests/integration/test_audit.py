"""The audit log through a real Postfix: complete verdicts, the same matches as
`pixelwarden filter`, hostile header values, sampling of unmatched mail.

Every audit line these tests (and every other integration test) cause is also
validated against docs/audit-log.schema.json when the stack stops
(harness.check_audit_log).

Ruleset: fixtures/audit/rules.yaml. Run by tests/integration/enforcement/CMakeLists.txt
(ctest integration.audit).
"""

import base64
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import audit_schema  # noqa: E402
import harness  # noqa: E402
import support as se  # noqa: E402

RULES = se.fixture("audit", "rules.yaml")
LURE_SENDER = "news@lure-news.example"
RCPTS = ("mp1@parliament.example", "mp2@parliament.example")
# The three findings a lure in the envelope, the From display name and a link make.
TRIPLE = [("lure-domains", "envelope_from", "lure-news.example"),
          ("news-display-names", "display_name", "Reuters Desk"),
          ("lure-domains", "links", "www.lure-news.example")]


def triple_lure_message():
    """A lure sender domain (envelope), a news brand in the From display name, a lure
    link; the From address itself is innocent."""
    html = ('<html><body><p>Read the story:</p>'
            '<a href="https://www.lure-news.example/story?id=7">story</a></body></html>')
    return harness.make_message(subject="Breaking", sender="desk@shop.example", body=html,
                                content_type="text/html; charset=utf-8",
                                ).replace(b"From: <desk@shop.example>",
                                          b'From: "Reuters Desk" <desk@shop.example>')


def findings(matches):
    return sorted((m["rule"], m["where"], m["value"]) for m in matches)


def audit_lines_from(milter, mail_from):
    return [l for l in milter.audit_lines() if l["envelope"]["from"] == mail_from]


class CompleteVerdicts(harness.SharedStackTestCase):
    """Default milter: a refusal is answered after the final dot, so every stage runs."""
    RULES_PATH = RULES
    MILTER_CONFIG = {"audit": {"sample_rate": "1"}}

    def test_envelope_display_name_and_link_are_all_listed_with_their_where(self):
        out = se.send_one(self.stack, triple_lure_message(), LURE_SENDER, rcpts=RCPTS)
        self.assertEqual((out.code, out.stage), (550, "eom"), out)
        line = se.audit_for(self.stack.milter, LURE_SENDER)
        self.assertEqual(line["action"], "reject")
        self.assertEqual(findings(se.lures(line)), sorted(TRIPLE))
        self.assertEqual(line["stages_not_seen"], [])
        self.assertTrue(line["message_id"].startswith("<"), line)
        self.assertEqual(line["from"], [{"address": "desk@shop.example",
                                         "display_name": "Reuters Desk"}])
        self.assertEqual(line["subject"], "Breaking")
        self.assertEqual(line["envelope"]["rcpt"], list(RCPTS))
        self.assertEqual(line["client"]["ip"], "127.0.0.1")
        self.assertEqual(line["client"]["helo"], "client.test")
        self.assertTrue(line["queue_id"])
        self.assertEqual(line["sampled"], False)
        self.assertEqual(audit_schema.problems([self.stack.milter.audit_path]), [])

        # `pixelwarden filter` on the same message and envelope: the same three findings.
        _, verdict = se.run_filter(triple_lure_message(), LURE_SENDER, RCPTS, rules=RULES)
        self.assertEqual(verdict["action"], "reject")
        self.assertEqual(findings(verdict["lures"]), sorted(TRIPLE))

    def test_a_hostile_subject_and_from_make_one_valid_capped_line(self):
        sender = "hostile@innocent.example"
        evil = b'"quoted" \\ back\r\nInjected: yes\x00NUL {"x":1}'
        word = b"=?utf-8?B?" + base64.b64encode(evil) + b"?="
        filler = b"\r\n ".join([b"S" * 900] * 100)  # ~90 KB, folded
        subject = word + b" \xff\xfe\xc3( invalid " + filler
        display = b'"Desk \\" \\\\ ' + b"D" * 2000 + b'" '
        msg = harness.make_message(subject="PLACEHOLDER", sender="desk@innocent.example")
        msg = msg.replace(b"Subject: PLACEHOLDER", b"Subject: " + subject)
        msg = msg.replace(b"From: <desk@innocent.example>",
                          b"From: " + display + b"<desk@innocent.example>")
        out = se.send_one(self.stack, msg, sender)
        self.assertEqual(out.code, 250, out)

        def one_line():
            lines = audit_lines_from(self.stack.milter, sender)
            return lines[0] if lines else None

        line = harness.wait_until(one_line, 10, what="the hostile message's audit line")
        self.assertEqual(len(audit_lines_from(self.stack.milter, sender)), 1)
        self.assertTrue(line["sampled"])  # no rule matched: logged at sample_rate 1
        s = line["subject"]
        self.assertTrue(s.startswith('"quoted" \\ back\r\nInjected: yes\x00NUL {"x":1}'), s[:80])
        self.assertIn("\ufffd", s)
        self.assertLessEqual(len(s), 1024)
        self.assertLessEqual(len(line["from"][0]["display_name"]), 1024)
        self.assertTrue(line["truncated"])
        # Every physical line of the file is one JSON object: nothing broke out.
        with open(self.stack.milter.audit_path, "rb") as f:
            raw = f.read().split(b"\n")
        self.assertEqual(raw[-1], b"")
        for physical in raw[:-1]:
            self.assertIsInstance(json.loads(physical), dict)
            self.assertLess(len(physical), 65536)

    def test_thousands_of_trackers_make_one_short_line_that_counts_them_all(self):
        sender = "pixels@innocent.example"
        n = 3000
        html = "<html><body>" + "".join(
            f'<img src="https://tracker.example/p{i}.gif?u=reader" width="1" height="1">'
            for i in range(n)) + "</body></html>"
        msg = harness.make_message(subject="pixels", sender="desk@innocent.example", body=html,
                                   content_type="text/html; charset=utf-8")
        self.assertEqual(se.send_one(self.stack, msg, sender).code, 250)
        line = se.audit_for(self.stack.milter, sender)
        listed = se.trackers(line)
        self.assertEqual(len(listed), 50)
        self.assertEqual(line["matches_total"], n)
        self.assertEqual(line["matches_omitted"], {"count": n - 50,
                                                   "by_rule": {"tracker-domains": n - 50}})
        self.assertLess(len(json.dumps(line)), 65536)

    def test_an_unmatched_message_is_logged_when_sampled(self):
        sender = "clean@innocent.example"
        self.assertEqual(se.send_one(self.stack, harness.make_message(), sender).code, 250)
        line = se.audit_for(self.stack.milter, sender)
        self.assertEqual((line["action"], line["decision"], line["sampled"]),
                         ("accept", "none", True))
        self.assertEqual(line["matches"], [])
        self.assertEqual(line["sample_rate"], 1)


class RefusedAtData(harness.SharedStackTestCase):
    """refuse_at_data: an envelope lure is refused before the content is sent; the line
    says which stages were not seen, and `filter` with the same config agrees."""
    RULES_PATH = RULES
    MILTER_CONFIG = {"milter": {"refuse_at_data": "true"}}

    def test_the_line_says_headers_and_body_were_not_seen(self):
        out = se.send_one(self.stack, triple_lure_message(), LURE_SENDER, rcpts=RCPTS)
        self.assertEqual((out.code, out.stage), (550, "data"), out)
        line = se.audit_for(self.stack.milter, LURE_SENDER)
        self.assertEqual(line["stages_not_seen"], ["headers", "body"])
        self.assertEqual(findings(se.lures(line)), [TRIPLE[0]])
        self.assertIsNone(line["message_id"])
        self.assertEqual(line["envelope"]["rcpt"], list(RCPTS))

        with tempfile.TemporaryDirectory() as d:
            config = os.path.join(d, "pixelwarden.yaml")
            with open(config, "w", encoding="utf-8") as f:
                f.write(f"milter:\n  refuse_at_data: true\nrules:\n  path: {RULES}\n")
            _, verdict = se.run_filter(triple_lure_message(), LURE_SENDER, RCPTS, config=config)
        self.assertEqual(verdict["stages_not_seen"], ["headers", "body"])
        self.assertEqual(findings(verdict["lures"]), [TRIPLE[0]])


class SyslogReceiver:
    """A unix datagram socket standing in for /dev/log: collects what arrives."""

    def __init__(self):
        import socket
        import threading
        self.dir = tempfile.mkdtemp(prefix="pw-syslog-")
        os.chmod(self.dir, 0o755)
        self.path = os.path.join(self.dir, "log")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.settimeout(0.2)
        self.datagrams = []
        self.running = True
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while self.running:
            try:
                self.datagrams.append(self.sock.recv(1 << 20))
            except OSError:
                continue

    def close(self):
        import shutil
        self.running = False
        self.thread.join(timeout=5)
        self.sock.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class SyslogSink(harness.SharedStackTestCase):
    """audit.sink: syslog through the real daemon: one datagram per message, RFC 3164
    header with the configured facility, the JSON line as the message."""
    RULES_PATH = RULES
    RECEIVER = None

    @classmethod
    def setUpClass(cls):
        cls.RECEIVER = SyslogReceiver()
        cls.MILTER_CONFIG = {"audit": {"sink": "syslog", "syslog_socket": cls.RECEIVER.path,
                                       "syslog_facility": "local3"}}
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        try:
            super().tearDownClass()
        finally:
            cls.RECEIVER.close()

    def test_a_lure_is_one_datagram_whose_message_is_a_valid_line(self):
        out = se.send_one(self.stack, triple_lure_message(), LURE_SENDER, rcpts=RCPTS)
        self.assertEqual(out.code, 550, out)
        prefix = b"pixelwarden-audit["

        def mine():
            for d in self.RECEIVER.datagrams:
                if prefix in d and LURE_SENDER.encode() in d:
                    return d
            return None

        d = harness.wait_until(mine, 10, what="the audit datagram")
        self.assertTrue(d.startswith(b"<158>"), d[:40])  # local3 * 8 + info
        payload = d[d.index(b"]: ") + 3:].decode("utf-8")
        v = audit_schema.validator()
        self.assertEqual(audit_schema.problems_of_line(v, payload), [])
        self.assertEqual(findings(se.lures(json.loads(payload))), sorted(TRIPLE))
        self.assertFalse(os.path.exists(self.stack.milter.audit_path))


class StdoutSink(harness.SharedStackTestCase):
    """audit.sink: stdout (containers): whole lines on the daemon's standard output."""
    RULES_PATH = RULES
    MILTER_CONFIG = {"audit": {"sink": "stdout"}}

    def test_a_lure_is_one_valid_line_on_stdout(self):
        out = se.send_one(self.stack, triple_lure_message(), LURE_SENDER, rcpts=RCPTS)
        self.assertEqual(out.code, 550, out)

        def mine():
            lines = [l for l in self.stack.milter.log().splitlines()
                     if l.startswith('{"schema_version"') and LURE_SENDER in l]
            return lines or None

        lines = harness.wait_until(mine, 10, what="the audit line on stdout")
        self.assertEqual(len(lines), 1)
        v = audit_schema.validator()
        self.assertEqual(audit_schema.problems_of_line(v, lines[0]), [])
        self.assertEqual(findings(se.lures(json.loads(lines[0]))), sorted(TRIPLE))


class OfflineToolsAgree(unittest.TestCase):
    """`rules test` and `scan` run the same complete inspection: a test expecting the
    envelope, display-name and link matches passes, and scan reports all three."""

    def test_rules_test_and_scan_list_every_match(self):
        import subprocess
        with tempfile.TemporaryDirectory() as d:
            with open(RULES, encoding="utf-8") as f:
                rules = f.read()
            with open(os.path.join(d, "lure.eml"), "wb") as f:
                f.write(triple_lure_message().replace(
                    b"From: ", b"Return-Path: <" + LURE_SENDER.encode() + b">\r\nFrom: ", 1))
            rules += ("tests:\n"
                      "  - name: every stage's match is listed after the envelope refusal\n"
                      "    message: lure.eml\n"
                      f"    envelope: {{from: {LURE_SENDER}, rcpt: [mp1@parliament.example]}}\n"
                      "    expect:\n"
                      "      action: reject\n"
                      "      rules: [lure-domains, news-display-names]\n")
            path = os.path.join(d, "rules.yaml")
            with open(path, "w", encoding="utf-8") as f:
                f.write(rules)
            r = subprocess.run([harness.binary(), "rules", "test", path], capture_output=True,
                               text=True, timeout=60)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn("1 passed, 0 failed", r.stdout)
            r = subprocess.run([harness.binary(), "scan", "--rules", path, "--format", "json",
                                os.path.join(d, "lure.eml")], capture_output=True, text=True,
                               timeout=60)
            self.assertEqual(r.returncode, 0, r.stderr)
            verdict = json.loads(r.stdout.splitlines()[0])["verdict"]
            self.assertEqual(findings(verdict["lures"]), sorted(TRIPLE))


class SchemaCheckCatchesGaps(unittest.TestCase):
    """The harness check is not vacuous: lines without a timestamp, a Message-ID or
    recipients, or with an unknown field, fail it."""

    def test_a_line_missing_what_an_investigation_needs_fails(self):
        with open(os.path.join(os.path.dirname(__file__), "fixtures", "audit",
                               "line.json"), encoding="utf-8") as f:
            good = json.load(f)
        v = audit_schema.validator()
        self.assertEqual(audit_schema.problems_of_line(v, json.dumps(good)), [])
        for mutate in (lambda l: l.pop("timestamp"),
                       lambda l: l.__setitem__("timestamp", "yesterday"),
                       lambda l: l.pop("message_id"),
                       lambda l: l.__setitem__("message_id", None),
                       lambda l: l["envelope"].__setitem__("rcpt", []),
                       lambda l: l["envelope"].pop("rcpt"),
                       lambda l: l.__setitem__("surprise", 1),
                       lambda l: l["matches"][0].pop("where")):
            bad = json.loads(json.dumps(good))
            mutate(bad)
            self.assertNotEqual(audit_schema.problems_of_line(v, json.dumps(bad)), [], bad)


if __name__ == "__main__":
    unittest.main()
