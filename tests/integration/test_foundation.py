"""Foundation: mail passes through a real Postfix and the real milter unchanged, several
messages share a connection, a dead milter tempfails mail, and SIGTERM drains."""

import signal
import smtplib
import time
import unittest

import harness


def assert_tempfail(test, exc):
    code = getattr(exc, "smtp_code", None)
    if code is None and isinstance(exc, smtplib.SMTPRecipientsRefused):
        code = next(iter(exc.recipients.values()))[0]
    test.assertIsNotNone(code, f"no SMTP code in {exc!r}")
    test.assertTrue(400 <= code < 500, f"expected a 4xx reply, got {code}: {exc!r}")


class PassThrough(harness.SharedStackTestCase):
    def assert_delivered_unchanged(self, sent, subject, timeout=harness.DEFAULT_TIMEOUT):
        self.stack.send(sent)
        got = self.stack.sink.wait_for_subject(subject, timeout=timeout)
        self.assertEqual(got.mail_from, "alice@example.org")
        self.assertEqual(got.rcpts, ["bob@example.net"])
        self.assertEqual(harness.body_of(got.data), harness.body_of(sent))
        return got

    def test_plain_message_body_is_byte_identical(self):
        subject = harness.unique("plain")
        sent = harness.make_message(subject=subject,
                                    body="Hello,\r\n\r\nplain text.\r\n-- \r\nA\r\n")
        self.assert_delivered_unchanged(sent, subject)

    def test_multipart_html_body_is_byte_identical(self):
        subject = harness.unique("html")
        self.assert_delivered_unchanged(harness.multipart_html_message(subject=subject), subject)

    def test_ten_megabyte_message_body_is_byte_identical(self):
        subject = harness.unique("large")
        sent = harness.large_message(10 * 1024 * 1024, subject=subject)
        self.assertGreater(len(sent), 10 * 1024 * 1024)
        self.assert_delivered_unchanged(sent, subject, timeout=120)

    def test_two_messages_on_one_connection_both_arrive(self):
        first, second = harness.unique("first"), harness.unique("second")
        s = self.stack.smtp()
        try:
            s.sendmail("alice@example.org", ["bob@example.net"],
                       harness.make_message(subject=first, body="one\r\n"))
            s.sendmail("carol@example.org", ["dave@example.net", "erin@example.net"],
                       harness.make_message(subject=second, body="two\r\n"))
        finally:
            s.quit()
        got1 = self.stack.sink.wait_for_subject(first)
        got2 = self.stack.sink.wait_for_subject(second)
        self.assertEqual(harness.body_of(got1.data), b"one\r\n")
        self.assertEqual(harness.body_of(got2.data), b"two\r\n")
        self.assertEqual(got2.mail_from, "carol@example.org")
        self.assertEqual(sorted(got2.rcpts), ["dave@example.net", "erin@example.net"])


class DeadMilter(harness.StackTestCase):
    def assert_nothing_delivered_or_queued(self):
        time.sleep(1.0)
        self.assertEqual(self.stack.sink.count(), 0)
        self.assertIn("empty", self.stack.postfix.queue().lower())

    def test_killed_milter_makes_postfix_tempfail_new_mail(self):
        self.stack.milter.kill()
        with self.assertRaises((smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused)) as cm:
            self.stack.send(harness.make_message(subject="after kill"))
        assert_tempfail(self, cm.exception)
        self.assert_nothing_delivered_or_queued()

    def test_milter_killed_during_a_transaction_tempfails_that_message(self):
        s = self.stack.smtp()
        try:
            s.mail("alice@example.org")
            s.rcpt("bob@example.net")
            self.stack.milter.kill()
            code, reply = s.data(harness.make_message(subject="mid-transaction"))
        except smtplib.SMTPResponseException as e:
            code, reply = e.smtp_code, e.smtp_error
        finally:
            try:
                s.quit()
            except smtplib.SMTPException:
                pass
        self.assertTrue(400 <= code < 500, f"expected 4xx, got {code} {reply!r}")
        self.assert_nothing_delivered_or_queued()


class Drain(harness.StackTestCase):
    def test_sigterm_lets_a_message_in_progress_finish_then_exits_zero(self):
        # Postfix batches the no-reply MAIL/RCPT events with DATA, so the message is
        # "in flight" for the milter from the DATA command on; the client then sends
        # its content slowly, and SIGTERM arrives in the middle.
        sent = harness.make_message(subject="slow", body="finished after SIGTERM\r\n")
        half = len(sent) // 2
        s = self.stack.smtp()
        try:
            s.mail("alice@example.org")
            s.rcpt("bob@example.net")
            s.putcmd("data")
            code, reply = s.getreply()
            self.assertEqual(code, 354, reply)
            s.send(sent[:half])
            time.sleep(0.3)
            self.stack.milter.signal(signal.SIGTERM)
            time.sleep(1.5)  # a slow client: the milter must wait for it
            self.assertIsNone(self.stack.milter.proc.poll(), "the milter exited before the drain")
            s.send(sent[half:] + b".\r\n")
            code, reply = s.getreply()
            self.assertEqual(code, 250, reply)
        finally:
            s.quit()
        got = self.stack.sink.wait_for(1)[0]
        self.assertEqual(harness.body_of(got.data), b"finished after SIGTERM\r\n")
        self.assertEqual(self.stack.milter.wait(timeout=30), 0)
        self.assertIn("draining: 1 message(s) in flight", self.stack.milter.log())


if __name__ == "__main__":
    harness.main()
