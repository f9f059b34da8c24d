#!/usr/bin/env python3
"""The report banner, end to end through `pixelwarden filter`, read back with Python's
email package. The banner goes into every HTML part in which a tracker rule changed
something and at the top of the first text/plain part; it must never break the MIME
structure: an empty part, a part that is all header, a part without a final line break,
quoted-printable and base64 parts all keep their header block, their blank line and their
encoding, and decode to the banner plus the original content."""
import base64
import email
import email.policy
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

BIN = sys.argv[1] if len(sys.argv) > 1 else "pixelwarden"

RULES = """ruleset: {name: banner-test, version: "1"}
lists:
  trackers: {domains: [t.tracker.example]}
trackers:
  - id: known-trackers
    match: {domain_in: trackers}
    action: neutralize
report:
  banner:
    html: '<p class="pw">{count} removed</p>'
    text: '[{count} removed]'
"""

HTML_BANNER = '<p class="pw">1 removed</p>'
TEXT_BANNER = "[1 removed]"
PIXEL = '<img src="https://t.tracker.example/p.gif">'
CT_HTML = "Content-Type: text/html; charset=utf-8"
CT_TEXT = "Content-Type: text/plain; charset=utf-8"


def multipart(parts, subtype="alternative", eol="\r\n", final_eol=True):
    """parts: raw part texts (headers, blank line, body) written with '\n'."""
    lines = ["From: a@shop.example", "To: r@x.example", "Subject: banner",
             "MIME-Version: 1.0", f'Content-Type: multipart/{subtype}; boundary="b1"', "",
             "preamble"]
    for p in parts:
        lines.append("--b1")
        lines.append(p)
    lines.append("--b1--")
    text = "\n".join(lines) + ("\n" if final_eol else "")
    return text.replace("\n", eol).encode()


class Banner(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="pw-banner-")
        cls.rules = os.path.join(cls.dir, "rules.yaml")
        with open(cls.rules, "w", encoding="utf-8") as f:
            f.write(RULES)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir)

    def filter(self, message):
        r = subprocess.run([BIN, "filter", "--rules", self.rules, "--mail-from", "a@shop.example",
                            "--rcpt", "r@x.example", "-o", "-", "--verdict",
                            os.path.join(self.dir, "verdict.json")],
                           input=message, capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(self.dir, "verdict.json"), encoding="utf-8") as f:
            verdict = json.load(f)
        self.assertEqual(len(verdict["trackers"]), 1, verdict)
        self.assertTrue(verdict["modified"], verdict)
        return r.stdout

    def leaves(self, out):
        msg = email.message_from_bytes(out, policy=email.policy.compat32)
        self.assertTrue(msg.is_multipart(), out)
        self.assertEqual(msg.defects, [], out)
        leaves = [p for p in msg.walk() if not p.is_multipart()]
        for p in leaves:
            self.assertEqual(p.defects, [], out)
        return leaves

    def body(self, part):
        return part.get_payload(decode=True).decode("utf-8").replace("\r\n", "\n")

    def test_banner_skips_an_empty_html_part_and_goes_where_the_tracker_was(self):
        first = CT_HTML + "\n"  # headers, blank line, nothing
        second = CT_HTML + "\n\n<html><body>" + PIXEL + "<p>hi</p></body></html>\n"
        out = self.filter(multipart([first, second]))
        leaves = self.leaves(out)
        self.assertEqual(len(leaves), 2, out)
        self.assertEqual(leaves[0]["Content-Type"], "text/html; charset=utf-8")
        self.assertEqual(self.body(leaves[0]), "", out)
        body = self.body(leaves[1])
        self.assertIn("<body>" + HTML_BANNER + "<img", body)
        self.assertNotIn("t.tracker.example", body)
        self.assertNotIn(b"charset=utf-8\r\n<p", out)

    def test_banner_skips_a_header_only_html_part(self):
        first = CT_HTML  # no blank line at all: the delimiter follows the header field
        second = CT_HTML + "\n\n<html><body>" + PIXEL + "</body></html>\n"
        out = self.filter(multipart([first, second]))
        leaves = self.leaves(out)
        self.assertEqual(leaves[0]["Content-Type"], "text/html; charset=utf-8", out)
        self.assertEqual(leaves[0].get_payload(), "", out)
        self.assertIn(HTML_BANNER, self.body(leaves[1]))
        self.assertNotIn(b"utf-8" + HTML_BANNER.encode(), out)

    def test_html_part_without_tracker_gets_no_banner(self):
        first = CT_HTML + "\n\n<html><body><p>first</p></body></html>\n"
        second = CT_HTML + "\n\n<html><body>" + PIXEL + "</body></html>\n"
        leaves = self.leaves(self.filter(multipart([first, second], subtype="mixed")))
        self.assertEqual(self.body(leaves[0]), "<html><body><p>first</p></body></html>\n")
        self.assertIn(HTML_BANNER, self.body(leaves[1]))

    def test_text_banner_into_an_empty_text_part(self):
        text = CT_TEXT + "\n"
        html = CT_HTML + "\n\n<html><body>" + PIXEL + "</body></html>\n"
        out = self.filter(multipart([text, html]))
        leaves = self.leaves(out)
        self.assertEqual(leaves[0]["Content-Type"], "text/plain; charset=utf-8", out)
        self.assertEqual(self.body(leaves[0]).strip("\n"), TEXT_BANNER, out)
        self.assertIn(HTML_BANNER, self.body(leaves[1]))

    def test_text_banner_into_a_header_only_text_part(self):
        text = CT_TEXT
        html = CT_HTML + "\n\n<html><body>" + PIXEL + "</body></html>\n"
        out = self.filter(multipart([text, html]))
        leaves = self.leaves(out)
        self.assertEqual(leaves[0]["Content-Type"], "text/plain; charset=utf-8", out)
        self.assertEqual(self.body(leaves[0]).strip("\n"), TEXT_BANNER, out)
        self.assertNotIn(b"utf-8" + TEXT_BANNER.encode(), out)

    def test_html_part_without_final_line_break_in_a_single_part_message(self):
        msg = ("From: a@shop.example\r\nMIME-Version: 1.0\r\n" + CT_HTML +
               "\r\n\r\n<html><body>" + PIXEL + "</body></html>").encode()
        out = self.filter(msg)
        parsed = email.message_from_bytes(out, policy=email.policy.compat32)
        self.assertEqual(parsed.defects, [])
        self.assertEqual(self.body(parsed),
                         "<html><body>" + HTML_BANNER + '<img src="data:image/gif;base64,'
                         "R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7\"></body></html>")

    def test_last_part_without_final_line_break(self):
        text = CT_TEXT + "\n\nhello"
        html = CT_HTML + "\n\n<html><body>" + PIXEL + "</body></html>"
        out = self.filter(multipart([text, html], final_eol=False))
        leaves = self.leaves(out)
        self.assertEqual(self.body(leaves[0]), TEXT_BANNER + "\n\nhello")
        self.assertTrue(self.body(leaves[1]).startswith("<html><body>" + HTML_BANNER))

    def test_quoted_printable_parts(self):
        text = CT_TEXT + "\nContent-Transfer-Encoding: quoted-printable\n\ncaf=C3=A9 =\nsoft\n"
        html = (CT_HTML + "\nContent-Transfer-Encoding: quoted-printable\n\n"
                "<html><body><img src=3D\"https://t.tracker.example/p.gif\">caf=C3=A9</body></html>\n")
        out = self.filter(multipart([text, html]))
        leaves = self.leaves(out)
        self.assertEqual(leaves[0]["Content-Transfer-Encoding"], "quoted-printable")
        self.assertEqual(self.body(leaves[0]), TEXT_BANNER + "\n\ncafé soft\n")
        body = self.body(leaves[1])
        self.assertTrue(body.startswith("<html><body>" + HTML_BANNER + "<img"), body)
        self.assertIn("café", body)
        self.assertNotIn("t.tracker.example", body)

    def test_base64_parts(self):
        def b64(s):
            return base64.encodebytes(s.encode()).decode().rstrip("\n")
        text = CT_TEXT + "\nContent-Transfer-Encoding: base64\n\n" + b64("plain text\n") + "\n"
        html = (CT_HTML + "\nContent-Transfer-Encoding: base64\n\n" +
                b64("<html><body>" + PIXEL + "<p>caf\u00e9</p></body></html>\n") + "\n")
        out = self.filter(multipart([text, html]))
        leaves = self.leaves(out)
        self.assertEqual(leaves[1]["Content-Transfer-Encoding"], "base64")
        self.assertEqual(self.body(leaves[0]), TEXT_BANNER + "\n\nplain text\n")
        body = self.body(leaves[1])
        self.assertTrue(body.startswith("<html><body>" + HTML_BANNER + "<img"), body)
        self.assertIn("<p>café</p>", body)

    def test_lf_only_message(self):
        text = CT_TEXT + "\n"
        html = CT_HTML + "\n\n<html><body>" + PIXEL + "</body></html>\n"
        out = self.filter(multipart([text, html], eol="\n"))
        self.assertNotIn(b"\r", out)
        leaves = self.leaves(out)
        self.assertEqual(self.body(leaves[0]).strip("\n"), TEXT_BANNER)
        self.assertIn(HTML_BANNER, self.body(leaves[1]))


if __name__ == "__main__":
    unittest.main(argv=sys.argv[:1], verbosity=2)
