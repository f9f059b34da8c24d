"""DKIM and milter order: a DKIM verifier placed before pixelwarden sees the original bytes.

pixelwarden changes message bodies, which breaks the body hash (bh=) of every DKIM
signature for any verifier that runs AFTER it. The supported order is therefore

    smtpd_milters = <DKIM/DMARC verifiers: opendkim, opendmarc>, pixelwarden[, signer]

Postfix passes the message through its milters one after another, each seeing the
previous ones' edits: OpenDKIM (Mode v) verifies the bytes as received and writes
Authentication-Results; pixelwarden then rewrites the body; an outbound signer, if any,
must come last. (Downstream verifiers will see a broken signature: ARC sealing, not
covered here, is the standard answer.)

This test runs four milters on one private Postfix:
    opendkim Mode s (signs the test mail, standing in for the sending domain's MTA)
    opendkim Mode v, AuthservID before.test  <- the supported place
    pixelwarden (neutralizes a tracker: body changed)
    opendkim Mode v, AuthservID after.test   <- the wrong place, as a control
Keys come from opendkim-genkey; the verifiers read them from TestPublicKeys (no DNS).
Expected: Authentication-Results from before.test says dkim=pass, the one from
after.test says dkim=fail, and X-Pixelwarden says modified=yes.

Run by tests/integration/enforcement/CMakeLists.txt (integration.dkim).
"""

import os
import re
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import support as se  # noqa: E402

SELECTOR = "itest"
DOMAIN = "example.org"
RULES = """ruleset:
  name: itest-dkim
  version: "1"
lists:
  trackers:
    domains: [tracker.example]
trackers:
  - id: tracker-pixels
    match:
      domain_in: trackers
    action: neutralize
"""


class OpenDkim:
    """One opendkim process in the foreground on a loopback port."""

    def __init__(self, root, name, mode, keydir, authserv_id=None):
        self.port = harness.free_port()
        self.conf = os.path.join(root, f"opendkim-{name}.conf")
        self.log_path = os.path.join(root, f"opendkim-{name}.log")
        lines = [
            f"Socket inet:{self.port}@127.0.0.1",
            "Background no",
            "Syslog no",
            f"PidFile {os.path.join(root, f'opendkim-{name}.pid')}",
            "UserID opendkim",
            f"Mode {mode}",
            "Canonicalization relaxed/simple",
            "InternalHosts 127.0.0.1",
            "RequireSafeKeys no",  # the key lives under /tmp (world-writable) in tests
        ]
        if mode == "s":
            lines += [f"Domain {DOMAIN}", f"Selector {SELECTOR}",
                      f"KeyFile {os.path.join(keydir, SELECTOR + '.private')}"]
        else:
            lines += [f"TestPublicKeys {os.path.join(keydir, 'public-keys')}",
                      f"AuthservID {authserv_id}", "AlwaysAddARHeader yes",
                      "PeerList /dev/null"]
        with open(self.conf, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        self.proc = None
        self._log = None

    def start(self):
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(["opendkim", "-f", "-x", self.conf], stdout=self._log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        harness.wait_until(lambda: harness.port_open(self.port) or self.proc.poll() is not None,
                           20, what="opendkim to listen")
        if self.proc.poll() is not None:
            with open(self.log_path, encoding="utf-8", errors="replace") as f:
                raise RuntimeError(f"opendkim exited {self.proc.returncode}: {f.read()}")
        return self

    def stop(self):
        if self.proc is not None:
            harness.stop_process(self.proc, timeout=10)
        if self._log:
            self._log.close()
            self._log = None


def make_keys(keydir):
    """opendkim-genkey, and the TestPublicKeys file (one 'name record' line)."""
    os.makedirs(keydir)
    subprocess.run(["opendkim-genkey", "-b", "1024", "-d", DOMAIN, "-s", SELECTOR, "-D", keydir],
                   check=True, capture_output=True, timeout=60)
    with open(os.path.join(keydir, SELECTOR + ".txt"), encoding="utf-8") as f:
        record = "".join(re.findall(r'"([^"]*)"', f.read()))
    with open(os.path.join(keydir, "public-keys"), "w", encoding="utf-8") as f:
        f.write(f"{SELECTOR}._domainkey.{DOMAIN} {record}\n")
    shutil.chown(os.path.join(keydir, SELECTOR + ".private"), "opendkim", "opendkim")
    os.chmod(keydir, 0o755)


def tracked_newsletter(sender):
    html = ('<html><body><p>Our newsletter.</p>'
            '<img src="https://tracker.example/open.gif?u=1" width="1" height="1" alt="">'
            '</body></html>\r\n')
    return harness.make_message(subject="signed newsletter", sender=sender, body=html,
                                content_type="text/html; charset=utf-8")


class DkimBeforePixelwarden(unittest.TestCase):
    """One stack and three opendkim processes for the class (kept on failure)."""

    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unittest.SkipTest("a private Postfix instance needs root")
        for tool in ("opendkim", "opendkim-genkey"):
            if shutil.which(tool) is None:
                raise RuntimeError(f"{tool} is missing (opendkim, opendkim-tools: scripts/setup)")
        harness.binary()
        cls.stack = harness.Stack(rules=RULES)
        cls.dkims = []
        try:
            keydir = os.path.join(cls.stack.root, "keys")
            make_keys(keydir)
            cls.dkims += [OpenDkim(cls.stack.root, "sign", "s", keydir),
                          OpenDkim(cls.stack.root, "before", "v", keydir, "before.test"),
                          OpenDkim(cls.stack.root, "after", "v", keydir, "after.test")]
            for d in cls.dkims:
                d.start()
            sign, before, after = (d.port for d in cls.dkims)
            cls.stack.postfix.extra_main_cf["smtpd_milters"] = ", ".join([
                f"inet:127.0.0.1:{sign}", f"inet:127.0.0.1:{before}",
                f"inet:127.0.0.1:{cls.stack.milter.port}", f"inet:127.0.0.1:{after}"])
            cls.stack.start()
        except BaseException:
            cls.stack.failed = True
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            cls.stack.stop()
        finally:
            for d in cls.dkims:
                d.stop()

    def tearDown(self):
        if harness.failed_so_far(self):
            self.stack.failed = True

    def results_by_authserv(self, data):
        out = {}
        for value in harness.header_values(data, "Authentication-Results"):
            authserv = value.split(";", 1)[0].strip()
            m = re.search(r"\bdkim=(\w+)", value)
            out[authserv] = m.group(1) if m else None
        return out

    def test_verifier_before_pixelwarden_passes_although_the_body_changed(self):
        sender = f"news@{DOMAIN}"
        out = se.send_one(self.stack, tracked_newsletter(sender), sender)
        self.assertEqual(out.code, 250, out)
        got = se.delivered_from(self.stack.sink, sender).data
        self.assertEqual(len(harness.header_values(got, "DKIM-Signature")), 1)
        v = se.verdict_header(got)
        self.assertEqual((v["modified"], v["trackers"]), ("yes", "1"))
        self.assertNotIn(b"tracker.example", harness.body_of(got))
        results = self.results_by_authserv(got)
        self.assertEqual(results.get("before.test"), "pass", results)
        # The control: a verifier after pixelwarden sees the changed body.
        self.assertEqual(results.get("after.test"), "fail", results)

    def test_unmodified_message_passes_both_verifiers(self):
        sender = f"plain@{DOMAIN}"
        sent = harness.make_message(subject="signed plain", sender=sender, body="No HTML.\r\n")
        self.assertEqual(se.send_one(self.stack, sent, sender).code, 250)
        got = se.delivered_from(self.stack.sink, sender).data
        self.assertIsNone(se.verdict_header(got))
        results = self.results_by_authserv(got)
        self.assertEqual((results.get("before.test"), results.get("after.test")),
                         ("pass", "pass"), results)



if __name__ == "__main__":
    harness.main(tools=("opendkim", "opendkim-genkey"))
