"""Operating safety of `pixelwarden run`, through a real Postfix:

  - a second `run` on a live daemon's config exits non-zero with a clear message, and the
    first keeps its socket and keeps filtering mail (no tempfail); a second daemon whose
    metrics address is busy fails before it creates its milter socket;
  - `run --check` reports every config and ruleset error with FILE:LINE:COL, exits 0/1,
    and binds nothing;
  - a daemon on an IPv6 socket prints the smtpd_milters line Postfix understands
    (inet:[::1]:PORT; Postfix has no inet6: type) and Postfix reaches it through it;
  - started as root with daemon.user pixelwarden, the daemon runs as that user after
    binding, its unix socket has the configured group and mode 0660, and a chrooted
    Postfix smtpd reaches it through the main.cf line the daemon printed;
  - POST /-/reload answers 422 with FILE:LINE:COL errors for a broken ruleset (the old
    one stays) and 200 with the new version for a good one."""

import grp
import json
import os
import pwd
import re
import shutil
import stat
import subprocess
import tempfile
import unittest

import harness

RULES_V = """ruleset:
  name: safety
  version: "{v}"
"""
BROKEN = """ruleset:
  name: safety
  version: "9"
trackers:
  - id: x
    match:
      domain_in: [a.example]
    action: explode
"""


def run_pw(*args, timeout=60):
    return subprocess.run([harness.binary(), *args], capture_output=True, text=True,
                          timeout=timeout)


def ensure_user(name):
    """The package creates this system user; a development machine may lack it."""
    try:
        pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["adduser", "--system", "--group", "--no-create-home", "--quiet",
                        "--home", "/var/lib/pixelwarden", name], check=True)
    return pwd.getpwnam(name)


def status_ids(pid):
    """{Uid: [...], Gid: [...], Groups: [...]} from /proc/PID/status."""
    out = {}
    with open(f"/proc/{pid}/status", encoding="utf-8") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("Uid", "Gid", "Groups"):
                out[key] = [int(x) for x in value.split()]
    return out


class SecondInstance(harness.SharedStackTestCase):
    MILTER_UNIX_SOCKET = True

    def send_some(self, n=5):
        for i in range(n):
            subject = harness.unique(f"live-{i}")
            self.stack.send(harness.make_message(subject=subject))  # raises on any 4xx/5xx
            self.stack.sink.wait_for_subject(subject)

    def test_second_run_on_the_same_config_is_refused_and_the_first_keeps_serving(self):
        self.send_some(2)
        sock = self.stack.milter.socket_path
        before = os.stat(sock).st_ino
        r = run_pw("run", "--config", self.stack.milter.config_path)
        self.assertNotEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stderr, r"pixelwarden: error: .*(another pixelwarden|already listening)")
        self.assertEqual(os.stat(sock).st_ino, before, "the live socket was replaced")
        self.assertIsNone(self.stack.milter.proc.poll())
        self.send_some(5)
        self.assertNotRegex(self.stack.postfix.log(), r"\b451 4\.7\.1\b|milter .* (error|unavailable)")

    def test_run_check_on_the_live_config_passes_and_touches_nothing(self):
        sock = self.stack.milter.socket_path
        before = os.stat(sock).st_ino
        r = run_pw("run", "--check", "--config", self.stack.milter.config_path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("ok", r.stdout)
        self.assertEqual(os.stat(sock).st_ino, before)
        self.send_some(1)

    def test_a_busy_metrics_address_fails_before_the_milter_socket_exists(self):
        other_sock = os.path.join(self.stack.root, "other.sock")
        cfg = os.path.join(self.stack.root, "other.yaml")
        with open(self.stack.milter.config_path, encoding="utf-8") as f:
            text = f.read()
        text = text.replace(self.stack.milter.socket_path, other_sock)
        text = text.replace("127.0.0.1:0", f"127.0.0.1:{self.stack.milter.metrics_port}")
        with open(cfg, "w", encoding="utf-8") as f:
            f.write(text)
        r = run_pw("run", "--config", cfg)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("cannot listen for HTTP", r.stderr)
        self.assertFalse(os.path.exists(other_sock))
        self.send_some(1)


class SecondInstanceInet(harness.SharedStackTestCase):
    def test_second_run_with_the_same_tcp_socket_is_refused_by_the_lock(self):
        r = run_pw("run", "--config", self.stack.milter.config_path)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertRegex(r.stderr, r"another pixelwarden \(pid \d+\)")
        subject = harness.unique("inet")
        self.stack.send(harness.make_message(subject=subject))
        self.stack.sink.wait_for_subject(subject)


class Check(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="pw-check-")

    def tearDown(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def write(self, name, text):
        path = os.path.join(self.dir, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return path

    def test_every_error_with_its_position_and_nothing_bound(self):
        rules = self.write("rules.yaml", BROKEN)
        sock = os.path.join(self.dir, "m.sock")
        port = harness.free_port()
        cfg = self.write("pw.yaml", f"""milter:
  socket: unix:{sock}
  on_error: sometimes
  drain_timout: 3s
rules:
  path: rules.yaml
metrics:
  listen: 127.0.0.1:{port}
daemon:
  allow_root: true
""")
        r = run_pw("run", "--check", "--config", cfg)
        self.assertEqual(r.returncode, 1)
        self.assertIn(f"{cfg}:3:13: milter.on_error", r.stderr)
        self.assertIn(f"{cfg}:4:3: unknown key 'milter.drain_timout'", r.stderr)
        self.assertRegex(r.stderr, re.escape(rules) + r":\d+:\d+: .*explode")
        self.assertFalse(os.path.exists(sock))
        self.assertFalse(harness.port_open(port))

    def test_a_good_config_passes(self):
        self.write("rules.yaml", RULES_V.format(v=1))
        cfg = self.write("pw.yaml", "rules:\n  path: rules.yaml\ndaemon:\n  allow_root: true\n")
        r = run_pw("run", "--check", "--config", cfg)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("safety 1", r.stdout)
        r = run_pw("rules", "check", "--config", cfg)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn(os.path.join(self.dir, "rules.yaml"), r.stdout)

    def test_failing_ruleset_tests_are_errors_only_under_require_tests(self):
        self.write("lure.eml", "From: editor@lure.example\r\nSubject: x\r\n\r\nhello\r\n")
        rules = self.write("rules.yaml", """ruleset: {name: safety, version: "2"}
lures:
  - id: lure
    match: {domain_in: [lure.example], where: [header_from]}
    action: tag
tests:
  - name: the lure is refused
    message: lure.eml
    expect: {action: reject}
""")
        plain = self.write("plain.yaml", "rules:\n  path: rules.yaml\ndaemon:\n  allow_root: true\n")
        r = run_pw("run", "--check", "--config", plain)
        self.assertEqual(r.returncode, 0, r.stderr)
        strict = self.write("strict.yaml", "rules:\n  path: rules.yaml\nreload:\n  require_tests: true\n"
                                           "daemon:\n  allow_root: true\n")
        r = run_pw("run", "--check", "--config", strict)
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertRegex(r.stderr, re.escape(rules) + r":7:1: .*the lure is refused")


class ChrootPostfix(harness.Postfix):
    """smtpd chrooted in the queue directory, as Debian's master.cf has it."""

    def master_cf(self):
        out = []
        for line in super().master_cf().splitlines(keepends=True):
            fields = line.split()
            if len(fields) >= 8 and fields[0] == f"127.0.0.1:{self.smtp_port}":
                fields[4] = "y"
                line = "  ".join(fields) + "\n"
            out.append(line)
        return "".join(out)


def printed_endpoint(milter):
    """The smtpd_milters value the daemon prints for the admin. It is printed once the
    daemon has finished starting, a little after the socket accepts (harness.Milter's
    start() returns then): wait for it."""
    return harness.wait_until(lambda: re.search(r"smtpd_milters = (\S+)\n", milter.log()),
                              what="the printed smtpd_milters line")


class MilterWithPostfix(unittest.TestCase):
    """A temp root with a version-1 ruleset and a sink; subclasses make self.milter and
    start a Postfix in the test (self.postfix) from what the daemon printed. The root is
    kept when the test did not reach self.failed = False."""

    prefix = "pw-safety-"

    def setUp(self):
        harness.binary()
        self.root = tempfile.mkdtemp(prefix=self.prefix)
        os.chmod(self.root, 0o755)
        self.rules = os.path.join(self.root, "rules.yaml")
        with open(self.rules, "w", encoding="utf-8") as f:
            f.write(RULES_V.format(v=1))
        self.sink = harness.SmtpSink()
        self.milter = None
        self.postfix = None
        self.failed = True

    def tearDown(self):
        for step in (lambda: self.postfix and self.postfix.stop(),
                     lambda: self.milter and self.milter.stop(), self.sink.stop):
            try:
                step()
            except Exception:
                pass
        if self.failed:
            print(f"\n[safety] kept {self.root}")
        else:
            shutil.rmtree(self.root, ignore_errors=True)


class Privileges(MilterWithPostfix):
    prefix = "pw-priv-"

    def setUp(self):
        if os.geteuid() != 0:
            self.skipTest("needs root")
        super().setUp()
        self.user = ensure_user("pixelwarden")
        self.queue = os.path.join(self.root, "queue")
        os.makedirs(os.path.join(self.queue, "pixelwarden"), mode=0o755)
        audit_dir = os.path.join(self.root, "audit")
        os.makedirs(audit_dir)
        shutil.chown(audit_dir, "pixelwarden", "pixelwarden")
        self.sock = os.path.join(self.queue, "pixelwarden", "milter.sock")
        self.milter = harness.Milter(self.root, self.rules, socket_path=self.sock, config_extra={
            "daemon": {"allow_root": "false", "user": "pixelwarden"},
            "milter": {"socket_group": "postfix", "postfix_chroot": self.queue},
            "audit": {"path": os.path.join(audit_dir, "audit.jsonl")},
        })

    def test_root_drops_to_the_user_and_a_chrooted_postfix_reaches_the_socket(self):
        self.sink.start()
        self.milter.start()
        # The socket listens (as root) a moment before the drop; mail is accepted only
        # after it.
        harness.wait_until(lambda: "running as user pixelwarden" in self.milter.log(),
                           what="the privilege drop")
        ids = status_ids(self.milter.proc.pid)
        self.assertEqual(ids["Uid"], [self.user.pw_uid] * 4)
        self.assertEqual(ids["Gid"], [self.user.pw_gid] * 4)
        self.assertEqual(ids["Groups"], [self.user.pw_gid])
        st = os.stat(self.sock)
        self.assertTrue(stat.S_ISSOCK(st.st_mode))
        self.assertEqual(stat.S_IMODE(st.st_mode), 0o660)
        self.assertEqual(st.st_gid, grp.getgrnam("postfix").gr_gid)
        self.assertEqual(st.st_uid, self.user.pw_uid)
        printed = printed_endpoint(self.milter)
        self.assertEqual(printed.group(1), "unix:/pixelwarden/milter.sock")
        self.postfix = ChrootPostfix(self.root, printed.group(1), self.sink.port)
        self.postfix.start()
        subject = harness.unique("chroot")
        with harness.smtplib.SMTP("127.0.0.1", self.postfix.smtp_port, timeout=30) as s:
            s.sendmail("alice@example.org", ["bob@example.net"],
                       harness.make_message(subject=subject))
        self.sink.wait_for_subject(subject)
        # The smtpd that reached the socket really was chrooted.
        self.assertRegex(self.postfix.master_cf(),
                         rf"127\.0\.0\.1:{self.postfix.smtp_port}\s+inet\s+\S+\s+\S+\s+y\s")
        self.failed = False

    def test_root_without_the_user_refuses_to_start(self):
        self.milter.config_extra["daemon"] = {"allow_root": "false", "user": "no-such-user-pw"}
        with open(self.milter.config_path, "w", encoding="utf-8") as f:
            f.write(self.milter.config())
        r = run_pw("run", "--config", self.milter.config_path)
        self.assertEqual(r.returncode, 1)
        self.assertIn("user 'no-such-user-pw' (daemon.user) does not exist", r.stderr)
        self.assertFalse(os.path.exists(self.sock))
        self.failed = False


class Ipv6Socket(MilterWithPostfix):
    prefix = "pw-ipv6-"

    def setUp(self):
        super().setUp()
        self.milter = harness.Milter(self.root, self.rules, ipv6=True)

    def test_postfix_reaches_an_ipv6_milter_through_the_printed_line(self):
        self.sink.start()
        self.milter.start()
        printed = printed_endpoint(self.milter)
        self.assertEqual(printed.group(1), f"inet:[::1]:{self.milter.port}")
        # An admin with an IPv6 milter has IPv6 enabled in Postfix.
        self.postfix = harness.Postfix(self.root, printed.group(1), self.sink.port,
                                       extra_main_cf={"inet_protocols": "all"})
        self.postfix.start()
        subject = harness.unique("ipv6")
        with harness.smtplib.SMTP("127.0.0.1", self.postfix.smtp_port, timeout=30) as s:
            s.sendmail("alice@example.org", ["bob@example.net"],
                       harness.make_message(subject=subject))
        # milter_default_action is tempfail: delivery means the milter answered.
        self.sink.wait_for_subject(subject)
        harness.wait_until(lambda: "action=accept" in self.milter.log(),
                           what="the milter's verdict on the message")
        self.failed = False


class ReloadOverHttp(unittest.TestCase):
    def setUp(self):
        harness.binary()
        self.root = tempfile.mkdtemp(prefix="pw-reload-")
        self.rules = os.path.join(self.root, "rules.yaml")
        with open(self.rules, "w", encoding="utf-8") as f:
            f.write(RULES_V.format(v=1))
        self.milter = harness.Milter(self.root, self.rules,
                                     config_extra={"rules": {"watch": "false"}})
        self.milter.start()

    def tearDown(self):
        self.milter.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def replace(self, text):
        tmp = self.rules + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
        os.rename(tmp, self.rules)

    def test_broken_is_422_with_positions_and_good_is_200_with_the_new_version(self):
        self.replace(BROKEN)
        status, body = self.milter.http("/-/reload", method="POST")
        self.assertEqual(status, 422, body)
        report = json.loads(body)
        self.assertEqual(report["outcome"], "failure")
        self.assertEqual(report["ruleset"]["version"], "1")  # the old one stays
        self.assertTrue(report["errors"])
        e = report["errors"][0]
        self.assertEqual(e["file"], self.rules)
        self.assertGreater(e["line"], 0)
        self.assertGreater(e["column"], 0)
        self.assertTrue(e["text"].startswith(f"{self.rules}:{e['line']}:{e['column']}: "))
        self.replace(RULES_V.format(v=2))
        status, body = self.milter.http("/-/reload", method="POST")
        self.assertEqual(status, 200, body)
        report = json.loads(body)
        self.assertEqual(report["outcome"], "success")
        self.assertEqual(report["ruleset"]["name"], "safety")
        self.assertEqual(report["ruleset"]["version"], "2")
        self.assertEqual(len(report["ruleset"]["sha256"]), 64)


if __name__ == "__main__":
    unittest.main()
