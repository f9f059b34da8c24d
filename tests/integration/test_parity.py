"""Parity: the milter in a real Postfix and `pixelwarden filter` are one engine. For
every message of a corpus, the BODY delivered through Postfix + milter equals, byte for
byte, the body of `pixelwarden filter` on the same bytes and envelope with the same
ruleset (the shipped rules/default.yaml), and the X-Pixelwarden headers are equal.

The default corpus is the project's own: rules/samples/*.eml, the generated messages of
fixtures/parity/messages/ (every transfer encoding, trackers in QP, base64 and 8bit
parts, nested multiparts, attachments, malformed and lure mail; see make_messages.py
there) and two synthetic messages with trackers in QP and base64 parts. With
--corpora (the ctest entry integration.parity.corpora, registered only when
PIXELWARDEN_CORPORA names the outside corpora folder) the html-mail selection listed in
fixtures/parity/corpus.txt is compared as well.

Inputs are CRLF-normalized once, before both runs (SMTP carries CRLF; a bare LF, or a
CR CR LF that Postfix smtpd shortens to CR LF, in a
file would otherwise reach the two sides differently). Outputs are compared exactly:
no line-ending or line-length normalization.

Run by tests/integration/enforcement/CMakeLists.txt (integration.parity).
"""

import concurrent.futures
import glob
import os
import re
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import support as se  # noqa: E402
from test_enforcement import tracked_message  # noqa: E402

RCPT = "reader@corp.example"
PARITY_DIR = se.fixture("parity")

# Generated messages with trackers in each transfer encoding and structure: each must
# reach the sink rewritten (parity over unmodified messages alone would prove little).
MUST_BE_MODIFIED = [f"parity/{n}.eml" for n in (
    "01-single-7bit", "02-single-8bit", "03-single-binary", "04-single-quoted-printable",
    "05-single-base64", "06-single-none", "09-alternative-base64", "10-alternative-8bit",
    "13-mixed-attachment", "14-related-cid", "15-nested-three-levels",
    "16-forwarded-rfc822", "17-latin1-8bit", "18-windows1252-qp",
    "19-css-background-base64", "20-koi8r-8bit-alternative")]


def split_exact(data):
    """(head, body) at the first CRLF CRLF, without touching line endings."""
    i = data.find(b"\r\n\r\n")
    return (data, b"") if i < 0 else (data[:i + 2], data[i + 4:])


# --corpora: add the outside html-mail messages of fixtures/parity/corpus.txt.
WITH_CORPORA = "--corpora" in sys.argv[1:]
if WITH_CORPORA:
    sys.argv.remove("--corpora")


def read(path):
    with open(path, "rb") as f:
        return f.read()


def corpus_selection():
    """[(name, bytes)] of the outside html-mail messages listed in corpus.txt."""
    data = harness.corpora_dir()
    if not data:
        raise AssertionError("--corpora needs PIXELWARDEN_CORPORA (the outside corpora folder)")
    with open(se.fixture("parity", "corpus.txt"), encoding="utf-8") as f:
        names = [l.strip() for l in f if l.strip() and not l.startswith("#")]
    out = []
    for name in names:
        path = os.path.join(data, "html-mail", name)
        if not os.path.exists(path):
            raise AssertionError(f"corpus file missing: {path} (PIXELWARDEN_CORPORA)")
        out.append((name, read(path)))
    return out


def corpus():
    """[(name, bytes)] in a fixed order."""
    out = []
    src = harness.source_dir()
    for path in sorted(glob.glob(os.path.join(src, "rules", "samples", "*.eml"))):
        out.append(("samples/" + os.path.basename(path), read(path)))
    for path in sorted(glob.glob(se.fixture("parity", "messages", "*.eml"))):
        out.append(("parity/" + os.path.basename(path), read(path)))
    if WITH_CORPORA:
        out += corpus_selection()
    for i, frm in enumerate(["news@newsletter.example", "promo@shop.example"]):
        out.append((f"synthetic-{i}", tracked_message(frm, subject=f"synthetic {i}")))
    return [(n, se.crlf(b)) for n, b in out]


class Parity(harness.SharedStackTestCase):
    RULES_PATH = None

    @classmethod
    def setUpClass(cls):
        cls.rules = os.path.join(harness.source_dir(), "rules", "default.yaml")
        if os.geteuid() != 0:
            raise unittest.SkipTest("a private Postfix instance needs root")
        harness.binary()
        cls.stack = harness.Stack(rules_path=cls.rules)
        cls.stack.start()
        cls._any_failed = False

    def test_delivered_body_equals_filter_output_for_the_corpus(self):
        messages = corpus()
        self.assertGreaterEqual(len(messages), 26)
        envelopes = [f"parity{i}@sender.example" for i in range(len(messages))]
        with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
            offline = [pool.submit(se.run_filter, data, env, [RCPT], rules=self.rules)
                       for (_, data), env in zip(messages, envelopes)]
            started = time.monotonic()
            outcomes = [se.send_one(self.stack, data, env, rcpts=[RCPT])
                        for (_, data), env in zip(messages, envelopes)]
            send_seconds = time.monotonic() - started
            results = [f.result() for f in offline]
        compared = {"accept": 0}
        modified = 0
        for (name, data), env, out, (filtered, verdict) in zip(messages, envelopes, outcomes,
                                                                  results):
            with self.subTest(message=name):
                action = verdict["action"]
                compared[action] = compared.get(action, 0) + 1
                if action == "reject":
                    self.assertEqual(out.code // 100, 5, out)
                    continue
                if action in ("discard", "quarantine"):
                    self.assertEqual(out.code, 250, out)
                    continue
                self.assertEqual((action, out.code), ("accept", 250), out)
                modified += bool(verdict["modified"])
                got = se.delivered_from(self.stack.sink, env).data
                got_head, got_body = split_exact(got)
                want_head, want_body = split_exact(filtered)
                self.assertEqual(got_body, want_body, f"{name}: delivered body differs")
                self.assertEqual(harness.header_values(got, "X-Pixelwarden"),
                                 harness.header_values(filtered, "X-Pixelwarden"))
        for name in MUST_BE_MODIFIED:
            with self.subTest(message=name):
                i = [n for n, _ in messages].index(name)
                self.assertTrue(results[i][1]["modified"], f"{name}: filter left it as it was")
                got = se.delivered_from(self.stack.sink, envelopes[i]).data
                self.assertNotEqual(split_exact(got)[1], split_exact(messages[i][1])[1],
                                    f"{name}: delivered unmodified")
        print(f"\n[parity] {len(messages)} messages, by filter action {compared}, "
              f"{modified} delivered modified; "
              f"sent in {send_seconds:.1f}s ({len(messages) / send_seconds:.1f} msg/s, "
              f"one connection per message)", file=sys.stderr)
        self.assertGreaterEqual(compared["accept"], 20)
        # Parity over unmodified messages alone would prove little.
        self.assertGreaterEqual(modified, 5)



class GeneratedMessages(unittest.TestCase):
    def test_checked_in_messages_are_what_make_messages_writes(self):
        sys.path.insert(0, PARITY_DIR)
        import make_messages  # noqa: E402
        generated = make_messages.messages()
        on_disk = sorted(os.listdir(os.path.join(PARITY_DIR, "messages")))
        self.assertEqual(sorted(n for n, _ in generated), on_disk)
        for name, data in generated:
            with self.subTest(message=name):
                self.assertEqual(read(os.path.join(PARITY_DIR, "messages", name)), data)

    def test_every_transfer_encoding_is_covered(self):
        seen = set()
        for path in glob.glob(os.path.join(PARITY_DIR, "messages", "*.eml")):
            seen |= {m.lower() for m in re.findall(
                rb"(?im)^Content-Transfer-Encoding:[ \t]*([^\s;]+)", read(path))}
        self.assertLessEqual({b"7bit", b"8bit", b"binary", b"quoted-printable", b"base64"},
                             seen)


if __name__ == "__main__":
    harness.main()
