"""Inline enforcement through a real Postfix: every message action, seen from
the SMTP client, the sink, Postfix's queue and the audit log.

Ruleset: fixtures/enforce/rules.yaml (one lure rule per action, keyed by the From
domain; a tracker domain list; an allow rule for SMTP-authenticated senders).
Each test uses its own envelope sender, so the tests of a class share one stack.

Run by tests/integration/enforcement/CMakeLists.txt (ctest integration.enforcement).
"""

import base64
import email
import email.policy
import os
import quopri
import smtplib
import stat
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import support as se  # noqa: E402

TRACKER = "https://tracker.example/open/p.gif?id=42"
TRACKER_2 = "https://pixel.tracker-two.example/o/77.png"
LOGO = "https://cdn.partner.example/logo.png"
GIF = "data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"
# Deterministic attachment bytes (every byte value, several times).
ATTACHMENT = bytes(range(256)) * 40


def html_doc(pixel, season):
    return (f'<html><body><p>Weekly news {season} &amp; more.</p>'
            f'<img src="{LOGO}" width="120" height="40" alt="logo">'
            f'<img src="{pixel}" width="1" height="1" alt=""></body></html>')


def tracked_message(from_addr, subject="news", extra_headers=None):
    """multipart/mixed: alternative(text, QP HTML with a pixel), a base64 HTML part
    with another pixel, and a base64 binary attachment."""
    qp_html = quopri.encodestring(html_doc(TRACKER, "\u00e9t\u00e9").encode("utf-8"))
    qp_html = qp_html.replace(b"\n", b"\r\n").decode("ascii")
    b64_html = base64.encodebytes(html_doc(TRACKER_2, "summer").encode("ascii")).decode()
    b64_html = b64_html.replace("\n", "\r\n")
    att = base64.encodebytes(ATTACHMENT).decode().replace("\n", "\r\n")
    body = ("This is a multi-part message in MIME format.\r\n"
            "--outer\r\nContent-Type: multipart/alternative; boundary=\"inner\"\r\n\r\n"
            "--inner\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 7bit\r\n\r\nWeekly news.\r\n"
            "--inner\r\nContent-Type: text/html; charset=utf-8\r\n"
            f"Content-Transfer-Encoding: quoted-printable\r\n\r\n{qp_html}\r\n"
            "--inner--\r\n"
            "--outer\r\nContent-Type: text/html; charset=us-ascii\r\n"
            f"Content-Transfer-Encoding: base64\r\n\r\n{b64_html}"
            "--outer\r\nContent-Type: application/octet-stream; name=\"data.bin\"\r\n"
            "Content-Disposition: attachment; filename=\"data.bin\"\r\n"
            f"Content-Transfer-Encoding: base64\r\n\r\n{att}"
            "--outer--\r\n")
    return harness.make_message(subject=subject, body=body, sender=from_addr,
                                headers=extra_headers,
                                content_type='multipart/mixed; boundary="outer"')


def attachment_section(data):
    """The raw bytes of the attachment part (its headers and encoded body)."""
    start = data.index(b'Content-Type: application/octet-stream')
    return data[start:data.index(b"--outer--", start)]


def html_parts(data):
    msg = email.message_from_bytes(data, policy=email.policy.default)
    return [p.get_content() for p in msg.walk() if p.get_content_type() == "text/html"]


def plain_message(from_addr, subject="hello"):
    return harness.make_message(subject=subject, sender=from_addr,
                                body="A short plain message.\r\n")


class Enforce(harness.SharedStackTestCase):
    RULES_PATH = se.fixture("enforce", "rules.yaml")
    MAIN_CF = {"smtpd_authorized_xclient_hosts": "127.0.0.0/8"}

    def assert_nothing_delivered(self, mail_from, wait=1.5):
        time.sleep(wait)
        self.assertFalse([m for m in self.stack.sink.messages if m.mail_from == mail_from],
                         f"a message from {mail_from} reached the sink")

    # --- trackers -------------------------------------------------------------

    def test_trackers_in_qp_and_base64_html_parts_are_neutralized(self):
        sender = "news@newsletter.example"
        sent = tracked_message(sender)
        out = se.send_one(self.stack, sent, sender)
        self.assertEqual(out.code, 250, out)
        got = se.delivered_from(self.stack.sink, sender).data
        html = html_parts(got)
        self.assertEqual(len(html), 2)
        for part in html:
            self.assertNotIn("tracker", part)
            self.assertIn(GIF, part)
            self.assertIn(LOGO, part)
        self.assertIn("\u00e9t\u00e9", html[0], "the QP part's UTF-8 text must survive")
        v = se.verdict_header(got)
        self.assertEqual((v["action"], v["modified"], v["trackers"]), ("accept", "yes", "2"))

    def test_audit_line_reports_the_time_spent_in_the_filter(self):
        # docs/cli.md: the verdict JSON (audit lines too) carries elapsed_us.
        sender = "news3@newsletter.example"
        self.assertEqual(se.send_one(self.stack, tracked_message(sender), sender).code, 250)
        line = se.audit_for(self.stack.milter, sender)
        self.assertEqual(len(se.trackers(line)), 2)
        self.assertGreater(line["elapsed_us"], 0, line)

    def test_attachment_is_byte_identical_after_neutralization(self):
        sender = "news2@newsletter.example"
        sent = tracked_message(sender)
        self.assertEqual(se.send_one(self.stack, sent, sender).code, 250)
        got = se.delivered_from(self.stack.sink, sender).data
        self.assertNotEqual(harness.body_of(got), harness.body_of(sent))
        self.assertEqual(attachment_section(got), attachment_section(sent))
        msg = email.message_from_bytes(got, policy=email.policy.default)
        att = [p for p in msg.walk() if p.get_filename() == "data.bin"][0]
        self.assertEqual(att.get_content(), ATTACHMENT)

    # --- the verdict header cannot be forged -----------------------------------

    def test_incoming_verdict_header_is_removed_from_an_unflagged_message(self):
        sender = "forger@innocent.example"
        forged = {"X-Pixelwarden": "action=accept; decision=none; modified=no; trackers=0; "
                                   "rules=; ruleset=forged/1/000000000000"}
        sent = harness.make_message(subject="forged", sender=sender, headers=forged)
        self.assertEqual(se.send_one(self.stack, sent, sender).code, 250)
        got = se.delivered_from(self.stack.sink, sender).data
        self.assertEqual(harness.header_values(got, "X-Pixelwarden"), [])

    def test_flagged_message_carries_only_the_milters_verdict_header(self):
        sender = "forger2@innocent.example"
        forged = {"X-Pixelwarden": "action=accept; decision=none; modified=no; trackers=0; "
                                   "rules=; ruleset=forged/1/000000000000"}
        sent = tracked_message(sender, extra_headers=forged)
        self.assertEqual(se.send_one(self.stack, sent, sender).code, 250)
        got = se.delivered_from(self.stack.sink, sender).data
        values = harness.header_values(got, "X-Pixelwarden")
        self.assertEqual(len(values), 1, values)
        self.assertIn("ruleset=itest-enforce/e1/", values[0])

    # --- refusals -------------------------------------------------------------

    def test_envelope_lure_is_refused_after_the_dot_with_the_configured_text(self):
        # refuse_at_data is off by default: Postfix skips the DATA step and the envelope
        # refusal is held for end of message. UnixSocket covers refuse_at_data: true.
        sender = "ceo@env-lure.example"
        out = se.send_one(self.stack, plain_message(sender), sender,
                          rcpts=("mp1@parliament.example", "mp2@parliament.example"))
        self.assertEqual((out.code, out.stage), (550, "eom"), out)
        self.assertIn("itest envelope lure refused", out.text)
        line = se.audit_for(self.stack.milter, sender)
        self.assertEqual(line["action"], "reject")
        self.assertEqual(line["envelope"]["rcpt"], ["mp1@parliament.example",
                                                    "mp2@parliament.example"])
        self.assertEqual([l["rule"] for l in se.lures(line)], ["envelope-lure"])
        self.assert_nothing_delivered(sender, wait=0.5)

    def test_header_lure_is_refused_after_the_headers_with_the_configured_text(self):
        sender = "bounce@innocent.example"
        sent = plain_message("editor@hdr-lure.example")
        with self.assertRaises(smtplib.SMTPDataError) as cm:
            self.stack.send(sent, mail_from=sender,
                            rcpts=("mp3@parliament.example", "mp4@parliament.example"))
        self.assertEqual(cm.exception.smtp_code, 554)
        self.assertIn(b"itest header lure refused", cm.exception.smtp_error)
        line = se.audit_for(self.stack.milter, sender)
        self.assertEqual(line["action"], "reject")
        self.assertEqual(line["envelope"]["rcpt"], ["mp3@parliament.example",
                                                    "mp4@parliament.example"])
        self.assertEqual([(l["rule"], l["where"]) for l in se.lures(line)],
                         [("header-lure", "header_from")])
        self.assert_nothing_delivered(sender, wait=0.5)

    def test_tempfail_lure_gets_the_configured_4xx(self):
        sender = "b@tempfail-env.example"
        out = se.send_one(self.stack, plain_message("x@later.example"), sender)
        self.assertEqual((out.code, out.stage), (451, "eom"), out)
        self.assertIn("itest try again later", out.text)
        self.assertEqual(se.audit_for(self.stack.milter, sender)["action"], "tempfail")
        self.assert_nothing_delivered(sender, wait=0.5)

    # --- discard, quarantine --------------------------------------------------

    def test_discard_answers_250_delivers_nothing_and_is_audited(self):
        sender = "b@discard-env.example"
        out = se.send_one(self.stack, plain_message("x@discard.example"), sender)
        self.assertEqual(out.code, 250, out)
        line = se.audit_for(self.stack.milter, sender)
        self.assertEqual((line["action"], line["decision"]), ("discard", "discard"))
        self.assert_nothing_delivered(sender)

    def test_quarantine_puts_the_message_on_postfix_hold(self):
        sender = "b@quarantine-env.example"
        out = se.send_one(self.stack, plain_message("x@hold.example"), sender)
        self.assertEqual(out.code, 250, out)
        line = se.audit_for(self.stack.milter, sender)
        self.assertEqual(line["action"], "quarantine")
        queue_id = line.get("queue_id", "")
        self.assertTrue(queue_id, line)
        # postqueue -p marks a held message with '!' right after its queue ID.
        queue = harness.wait_until(
            lambda: (lambda q: q if f"{queue_id}!" in q else None)(self.stack.postfix.queue()),
            10, what=f"{queue_id} on hold")
        self.assertIn(sender, queue)
        self.assert_nothing_delivered(sender, wait=0.5)

    # --- tag, defang, monitor rule ---------------------------------------------

    def test_tag_prefixes_the_subject_and_adds_the_verdict_header(self):
        sender = "b@tag-env.example"
        sent = plain_message("x@tag.example", subject="Quarterly figures")
        self.assertEqual(se.send_one(self.stack, sent, sender).code, 250)
        got = se.delivered_from(self.stack.sink, sender).data
        self.assertEqual(harness.header_values(got, "Subject"), ["[LURE] Quarterly figures"])
        v = se.verdict_header(got)
        self.assertEqual((v["action"], v["decision"], v["rules"]), ("accept", "tag", "tag-lure"))
        self.assertEqual(harness.body_of(got), harness.body_of(sent))

    def test_defang_neutralizes_every_remote_resource_and_prefixes_the_subject(self):
        sender = "b@defang-env.example"
        sent = tracked_message("x@defang.example", subject="Offer")
        self.assertEqual(se.send_one(self.stack, sent, sender).code, 250)
        got = se.delivered_from(self.stack.sink, sender).data
        self.assertEqual(harness.header_values(got, "Subject"), ["[LURE] Offer"])
        for part in html_parts(got):
            self.assertNotIn("https://", part)
        self.assertEqual(se.verdict_header(got)["decision"], "defang")
        self.assertEqual(attachment_section(got), attachment_section(sent))

    def test_monitor_rule_delivers_unchanged_and_is_audited(self):
        sender = "b@monitor-env.example"
        sent = plain_message("x@watch.example", subject="Watched")
        self.assertEqual(se.send_one(self.stack, sent, sender).code, 250)
        got = se.delivered_from(self.stack.sink, sender).data
        self.assertEqual(harness.header_values(got, "Subject"), ["Watched"])
        self.assertEqual(harness.body_of(got), harness.body_of(sent))
        line = se.audit_for(self.stack.milter, sender)
        self.assertEqual((line["action"], line["decision"]), ("accept", "monitor"))

    # --- authenticated senders ----------------------------------------------

    def test_authenticated_sender_via_xclient_login_is_allowed(self):
        sender = "alice@env-lure.example"  # the envelope lure, but authenticated
        sent = tracked_message("alice@hdr-lure.example")
        out = se.send_one(self.stack, sent, sender, xclient="LOGIN=alice")
        self.assertEqual(out.code, 250, out)
        got = se.delivered_from(self.stack.sink, sender).data
        self.assertEqual(harness.body_of(got), harness.body_of(sent))
        samples = se.metrics(self.stack.milter)
        self.assertGreaterEqual(se.metric(samples, "pixelwarden_skipped_total", reason="allowed"), 1)

    def test_same_sender_without_xclient_login_is_refused(self):
        # The control for the test above: only {auth_authen} made the difference.
        sender = "alice2@env-lure.example"
        out = se.send_one(self.stack, plain_message("alice@corp.example"), sender)
        self.assertEqual((out.code, out.stage), (550, "eom"), out)


class UnixSocket(harness.SharedStackTestCase):
    """The same pipeline with Postfix reaching the milter over a unix socket, as the
    README recommends: the socket is 0660 and Postfix gets in through its group. This
    milter also sets refuse_at_data, so an envelope lure is refused at DATA."""
    RULES_PATH = se.fixture("enforce", "rules.yaml")
    MILTER_UNIX_SOCKET = True
    MILTER_CONFIG = {"milter": {"refuse_at_data": "true"}}

    def test_socket_is_read_write_for_owner_and_group_only(self):
        mode = stat.S_IMODE(os.stat(self.stack.milter.socket_path).st_mode)
        self.assertEqual(oct(mode), oct(0o660))

    def test_trackers_are_neutralized_and_the_attachment_kept(self):
        sender = "news-unix@newsletter.example"
        sent = tracked_message(sender)
        out = se.send_one(self.stack, sent, sender)
        self.assertEqual(out.code, 250, out)
        got = se.delivered_from(self.stack.sink, sender).data
        for part in html_parts(got):
            self.assertNotIn("tracker", part)
            self.assertIn(GIF, part)
        self.assertEqual(attachment_section(got), attachment_section(sent))

    def test_with_refuse_at_data_an_envelope_lure_is_refused_before_the_body(self):
        sender = "desk@env-lure.example"
        out = se.send_one(self.stack, plain_message(sender), sender,
                          rcpts=("mp5@parliament.example", "mp6@parliament.example"))
        self.assertEqual((out.code, out.stage), (550, "data"), out)
        self.assertIn("itest envelope lure refused", out.text)
        line = se.audit_for(self.stack.milter, sender)
        self.assertEqual(line["envelope"]["rcpt"], ["mp5@parliament.example",
                                                    "mp6@parliament.example"])


class Monitor(harness.SharedStackTestCase):
    RULES_PATH = se.fixture("enforce", "monitor.yaml")

    def assert_byte_identical(self, sent, sender):
        self.assertEqual(se.send_one(self.stack, sent, sender).code, 250)
        got = se.delivered_from(self.stack.sink, sender).data
        self.assertEqual(se.strip_received(got), sent)
        return se.audit_for(self.stack.milter, sender)

    def test_global_monitor_mode_leaves_a_tracked_message_byte_identical(self):
        line = self.assert_byte_identical(tracked_message("n@newsletter.example"),
                                          "m1@newsletter.example")
        self.assertEqual(line["mode"], "monitor")
        self.assertEqual(len(se.trackers(line)), 2)

    def test_global_monitor_mode_does_not_refuse_a_lure(self):
        line = self.assert_byte_identical(plain_message("x@hdr-lure.example"),
                                          "m2@env-lure.example")
        self.assertEqual(line["action"], "accept")
        self.assertEqual([(l["rule"], l["action"], l.get("monitor")) for l in se.lures(line)],
                         [("envelope-lure", "reject", True), ("header-lure", "reject", True)])


class Oversized(harness.SharedStackTestCase):
    RULES_PATH = se.fixture("enforce", "rules.yaml")
    MILTER_CONFIG = {"milter": {"max_message_bytes": "4096"}}

    def test_oversized_message_with_trackers_is_held_not_passed(self):
        # The ruleset sets no malformed_mime: the fail-closed default (neutralize) holds
        # what it could not inspect instead of delivering it unfiltered.
        sender = "big@newsletter.example"
        sent = tracked_message(sender)
        self.assertGreater(len(sent), 4096)
        before = se.metric(se.metrics(self.stack.milter), "pixelwarden_skipped_total",
                           reason="too_large")
        self.assertEqual(se.send_one(self.stack, sent, sender).code, 250)
        held = lambda q: next((l for l in q.splitlines() if "!" in l and sender in l), None)
        harness.wait_until(lambda: held(self.stack.postfix.queue()), 10,
                           what=f"{sender}'s message on hold")
        after = se.metric(se.metrics(self.stack.milter), "pixelwarden_skipped_total",
                          reason="too_large")
        self.assertEqual(after - before, 1)

    def test_oversized_message_still_gets_header_lure_checks(self):
        sender = "big@innocent.example"
        out = se.send_one(self.stack, tracked_message("x@hdr-lure.example"), sender)
        self.assertEqual(out.code, 554, out)


if __name__ == "__main__":
    harness.main()
