"""Parity (issue 6): the milter in a real Postfix and `pixelwarden filter` are one
engine. For every message of a corpus (rules/samples/*.eml, the html-mail selection in
fixtures/parity/corpus.txt, and synthetic messages with trackers in QP and base64
parts), the BODY delivered through Postfix + milter equals, byte for byte, the body of
`pixelwarden filter` on the same bytes and envelope with the same ruleset (the shipped
rules/default.yaml), and the X-Pixelwarden headers are equal.

Inputs are CRLF-normalized once, before both runs (SMTP carries CRLF; a bare LF, or a
CR CR LF that Postfix smtpd shortens to CR LF, in a
file would otherwise reach the two sides differently). Outputs are compared exactly:
no line-ending or line-length normalization.

Run by tests/integration/enforcement/CMakeLists.txt (integration.parity).
"""

import concurrent.futures
import glob
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import support as se  # noqa: E402
from test_enforcement import tracked_message  # noqa: E402

RCPT = "reader@corp.example"


def split_exact(data):
    """(head, body) at the first CRLF CRLF, without touching line endings."""
    i = data.find(b"\r\n\r\n")
    return (data, b"") if i < 0 else (data[:i + 2], data[i + 4:])


def corpus():
    """[(name, bytes)] in a fixed order."""
    out = []
    src = harness.source_dir()
    for path in sorted(glob.glob(os.path.join(src, "rules", "samples", "*.eml"))):
        with open(path, "rb") as f:
            out.append(("samples/" + os.path.basename(path), f.read()))
    data = harness.data_dir()
    with open(se.fixture("parity", "corpus.txt"), encoding="utf-8") as f:
        names = [l.strip() for l in f if l.strip() and not l.startswith("#")]
    for name in names:
        path = os.path.join(data, "html-mail", name)
        if not os.path.exists(path):
            raise AssertionError(f"corpus file missing: {path} (PIXELWARDEN_DATA_DIR)")
        with open(path, "rb") as f:
            out.append((name, f.read()))
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
        print(f"\n[parity] {len(messages)} messages, by filter action {compared}, "
              f"{modified} delivered modified; "
              f"sent in {send_seconds:.1f}s ({len(messages) / send_seconds:.1f} msg/s, "
              f"one connection per message)", file=sys.stderr)
        self.assertGreaterEqual(compared["accept"], 20)
        # Parity over unmodified messages alone would prove little.
        self.assertGreaterEqual(modified, 5)



if __name__ == "__main__":
    unittest.main()
