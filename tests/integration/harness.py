"""Integration harness: a private Postfix, the real pixelwarden milter and an SMTP sink.

    smtplib ──SMTP──▶ Postfix smtpd (127.0.0.1:SMTP_PORT) ──milter──▶ pixelwarden run
                         │ (queue in a temp dir, chroot off, no DNS)
                         └──SMTP relay──▶ SmtpSink (127.0.0.1:SINK_PORT, in this process)

Everything is private to one temp dir and loopback ports picked free at start, so
tests never touch the system Postfix or the network. Postfix needs root
(master(8) refuses to start otherwise). Every process started here is stopped again, also on failure; the
temp dir is removed on success and kept (its path printed) on failure.

Typical use (see test_foundation.py):

    class MyTest(harness.StackTestCase):
        def test_x(self):
            sent = harness.make_message(subject="hi", body="hello\\r\\n")
            self.stack.send(sent)
            got = self.stack.sink.wait_for(1)[0]
            self.assertEqual(harness.body_of(got.data), harness.body_of(sent))

Configuration comes from the environment, set by tests/integration/CMakeLists.txt:
PIXELWARDEN_BIN (the built binary), PIXELWARDEN_CORPORA (the outside corpora folder,
empty when not given), PIXELWARDEN_SOURCE_DIR (repo root), PIXELWARDEN_KEEP_TMP=1 keeps
temp dirs always. Python 3 standard library only.

A test module runs through main() below: when this machine cannot run the stack (not
root, no Postfix) it exits 77, which its ctest entry (SKIP_RETURN_CODE 77) reports as
skipped, never as passed; so does a run in which any test was skipped.
"""

import grp
import os
import re
import shutil
import signal
import smtplib
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from dataclasses import dataclass, field
from email.utils import formatdate, make_msgid

DEFAULT_TIMEOUT = 30.0

# A ruleset with no rules: the milter inspects but changes nothing (byte-identity tests).
EMPTY_RULESET = """ruleset:
  name: integration-empty
  version: "1"
"""


# The exit status ctest reports as "skipped" (SKIP_RETURN_CODE 77 on every entry).
SKIP_EXIT = 77


def binary():
    path = os.environ.get("PIXELWARDEN_BIN", "")
    if not path or not os.access(path, os.X_OK):
        # ctest always sets it: a missing binary is a broken build, not a skip.
        raise RuntimeError(f"PIXELWARDEN_BIN={path!r} is not an executable")
    return path


def corpora_dir():
    """The outside corpora folder (PIXELWARDEN_CORPORA), or "" when not given."""
    return os.environ.get("PIXELWARDEN_CORPORA", "")


def missing_requirements(root=True, tools=()):
    """What this machine lacks to run a test: root, and the given programs."""
    missing = []
    if root and os.geteuid() != 0:
        missing.append("root (a private Postfix instance needs it)")
    path = os.environ.get("PATH", "") + ":/usr/sbin:/sbin"
    for tool in (("postfix",) if root else ()) + tuple(tools):
        if shutil.which(tool, path=path) is None:
            missing.append(f"{tool} (scripts/setup installs it)")
    return missing


def require(root=True, tools=()):
    """Exits 77 (skipped) with the reason when missing_requirements() finds anything."""
    missing = missing_requirements(root, tools)
    if missing:
        print(f"SKIPPED: needs {', '.join(missing)}", file=sys.stderr, flush=True)
        sys.exit(SKIP_EXIT)


def main(root=True, tools=()):
    """A test module's entry point: require(), then unittest with -v. Exits 0 when every
    test ran and passed, 77 when none failed but any was skipped, 1 otherwise."""
    require(root, tools)
    args = [a for a in sys.argv[1:] if a != "-v"]
    program = unittest.main(module="__main__", argv=[sys.argv[0], "-v", *args], exit=False)
    result = program.result
    if not result.wasSuccessful() or result.testsRun == 0:
        sys.exit(1)
    if result.skipped:
        print(f"SKIPPED: {len(result.skipped)} of {result.testsRun} tests: "
              + "; ".join(f"{t.id()}: {why}" for t, why in result.skipped),
              file=sys.stderr, flush=True)
        sys.exit(SKIP_EXIT)
    sys.exit(0)


def source_dir():
    return os.environ.get("PIXELWARDEN_SOURCE_DIR",
                          os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))


_next_port = None


def free_port():
    """A TCP port nothing listens on at 127.0.0.1 right now, never the same twice in one
    process, and below the kernel's ephemeral range (32768 and up), so that neither a
    client socket nor another test's bind to 0 takes it between this check and the
    service's own bind. (A released port from bind(0) came back at the next bind(0): a
    compose stack's Postfix and Prometheus were given the same port.) Processes start
    at different points of 20000-31999 (by pid), so parallel tests rarely meet."""
    global _next_port
    if _next_port is None:
        _next_port = 20000 + (os.getpid() * 97) % 12000
    for _ in range(12000):
        port = _next_port
        _next_port = port + 1 if port < 31999 else 20000
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise RuntimeError("no free TCP port on 127.0.0.1 in 20000-31999")


def wait_until(predicate, timeout=DEFAULT_TIMEOUT, interval=0.05, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout:.0f}s waiting for {what}")


def stop_process(proc, sig=signal.SIGTERM, timeout=DEFAULT_TIMEOUT):
    """Sends `sig` to a running process and waits; SIGKILL when it outlasts `timeout`.
    Returns the exit status."""
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
    return proc.returncode


def failed_so_far(test):
    """Whether this test (its method, a subtest, setUp) has failed so far; for tearDown
    and cleanups. Looks the test up in the running TestResult: _outcome.success cannot
    tell, unittest resets it to True around tearDown and each cleanup."""
    result = getattr(getattr(test, "_outcome", None), "result", None)
    if result is None:
        return False
    return any(case is test or getattr(case, "test_case", None) is test
               for case, _ in result.failures + result.errors)


def stop_stack(test, stack):
    """A cleanup: stops the stack, keeping its temp dir when the test failed."""
    if failed_so_far(test):
        stack.failed = True
    stack.stop()


def port_open(port, host="127.0.0.1"):
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


# ---------------------------------------------------------------------------
# Messages


def make_message(subject="test", body="Hello.\r\n", headers=None, sender="alice@example.org",
                 to="bob@example.net", content_type="text/plain; charset=utf-8"):
    """A CRLF message as bytes. `body` may be str or bytes."""
    lines = [
        f"From: <{sender}>",
        f"To: <{to}>",
        f"Subject: {subject}",
        f"Date: {formatdate(localtime=False)}",
        f"Message-ID: {make_msgid(domain='example.org')}",
        "MIME-Version: 1.0",
        f"Content-Type: {content_type}",
    ]
    for name, value in (headers or {}).items():
        lines.append(f"{name}: {value}")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode()
    return head + (body.encode() if isinstance(body, str) else body)


def multipart_html_message(subject="newsletter", html=None, text=None):
    boundary = "=_pw_boundary_42"
    html = html or ("<html><body><p>Hello <b>reader</b>,</p>"
                    "<p>Our news, without remote content.</p></body></html>")
    text = text or "Hello reader,\r\nOur news.\r\n"
    body = (f"This is a multi-part message in MIME format.\r\n"
            f"--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n"
            f"Content-Transfer-Encoding: 7bit\r\n\r\n{text}\r\n"
            f"--{boundary}\r\nContent-Type: text/html; charset=utf-8\r\n"
            f"Content-Transfer-Encoding: 7bit\r\n\r\n{html}\r\n"
            f"--{boundary}--\r\n")
    return make_message(subject=subject, body=body,
                        content_type=f'multipart/alternative; boundary="{boundary}"')


def large_message(size, subject="large"):
    """A text message of about `size` bytes, 76-char lines, deterministic content."""
    line = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789ab\r\n"
    return make_message(subject=subject, body=line * (size // len(line) + 1))


def split_message(data):
    """(headers, body) of a message as bytes, split at the first empty line."""
    data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    idx = data.find(b"\r\n\r\n")
    if idx < 0:
        return data, b""
    return data[:idx + 2], data[idx + 4:]


def body_of(data):
    return split_message(data)[1]


def header_values(data, name):
    """Unfolded values of every header `name` (case-insensitive)."""
    head = split_message(data)[0].decode("utf-8", "replace")
    unfolded = re.sub(r"\r\n[ \t]", " ", head)
    out = []
    for line in unfolded.split("\r\n"):
        if ":" in line and line.split(":", 1)[0].strip().lower() == name.lower():
            out.append(line.split(":", 1)[1].strip())
    return out


# ---------------------------------------------------------------------------
# SMTP sink


@dataclass
class SinkMessage:
    mail_from: str
    rcpts: list
    data: bytes
    received_at: float = field(default_factory=time.monotonic)


class _SinkHandler(socketserver.StreamRequestHandler):
    timeout = 120

    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self):
        sink = self.server.sink
        self.reply("220 sink.test ESMTP pixelwarden-test-sink")
        mail_from, rcpts = None, []
        while True:
            line = self.rfile.readline()
            if not line:
                return
            cmd = line.decode("latin-1").rstrip("\r\n")
            verb = cmd.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.reply("250-sink.test\r\n250-8BITMIME\r\n250-SIZE 0\r\n250 SMTPUTF8"
                           if verb == "EHLO" else "250 sink.test")
            elif verb == "MAIL":
                mail_from, rcpts = _address(cmd), []
                self.reply("250 2.1.0 ok")
            elif verb == "RCPT":
                rcpts.append(_address(cmd))
                self.reply("250 2.1.5 ok")
            elif verb == "DATA":
                self.reply("354 go ahead")
                data = self._read_data()
                sink.store(SinkMessage(mail_from or "", list(rcpts), data))
                self.reply("250 2.0.0 queued")
                mail_from, rcpts = None, []
            elif verb == "RSET":
                mail_from, rcpts = None, []
                self.reply("250 2.0.0 ok")
            elif verb == "QUIT":
                self.reply("221 2.0.0 bye")
                return
            else:
                self.reply("250 2.0.0 ok")

    def _read_data(self):
        chunks = []
        while True:
            line = self.rfile.readline()
            if not line or line == b".\r\n":
                break
            if line.startswith(b".."):
                line = line[1:]
            chunks.append(line)
        return b"".join(chunks)


def _address(cmd):
    m = re.search(r"<([^>]*)>", cmd)
    return m.group(1) if m else ""


class _ThreadingServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class SmtpSink:
    """A capturing SMTP server: every message with its envelope, in arrival order."""

    def __init__(self, port=None):
        self.port = port or free_port()
        self.messages = []
        self._cv = threading.Condition()
        self._server = _ThreadingServer(("127.0.0.1", self.port), _SinkHandler)
        self._server.sink = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        # shutdown() waits for serve_forever() to notice: only when it ever ran.
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()

    def store(self, message):
        with self._cv:
            self.messages.append(message)
            self._cv.notify_all()

    def count(self):
        with self._cv:
            return len(self.messages)

    def wait_for_message(self, predicate, timeout=DEFAULT_TIMEOUT, what="a matching message"):
        """Blocks until a message satisfying predicate(SinkMessage) arrived; returns it."""
        def find():
            return next((m for m in self.messages if predicate(m)), None)
        with self._cv:
            if not self._cv.wait_for(lambda: find() is not None, timeout):
                raise TimeoutError(f"sink: no {what} after {timeout}s "
                                   f"({len(self.messages)} messages received)")
            return find()

    def wait_for_subject(self, subject, timeout=DEFAULT_TIMEOUT):
        return self.wait_for_message(lambda m: subject in header_values(m.data, "Subject"),
                                     timeout, what=f"message with Subject {subject!r}")

    def wait_for(self, n, timeout=DEFAULT_TIMEOUT):
        """Blocks until at least n messages arrived; returns them all."""
        with self._cv:
            if not self._cv.wait_for(lambda: len(self.messages) >= n, timeout):
                raise TimeoutError(f"sink: {len(self.messages)} of {n} messages after {timeout}s")
            return list(self.messages)


# ---------------------------------------------------------------------------
# Postfix


class Postfix:
    """A private Postfix instance (config, queue and data dirs under `root`)."""

    def __init__(self, root, milter_endpoint, sink_port, smtp_port=None, extra_main_cf=None):
        self.root = root
        self.config_dir = os.path.join(root, "postfix")
        self.smtp_port = smtp_port or free_port()
        self._own_port = smtp_port is None  # ours to change if another process takes it
        self.milter_endpoint = milter_endpoint  # as smtpd_milters spells it
        self.sink_port = sink_port
        self.extra_main_cf = extra_main_cf or {}
        self.log_path = os.path.join(root, "postfix.log")
        self.proc = None
        self._log = None

    def main_cf(self):
        settings = {
            "compatibility_level": "3.6",
            "queue_directory": os.path.join(self.root, "queue"),
            "data_directory": os.path.join(self.root, "data"),
            "mail_owner": "postfix",
            "setgid_group": "postdrop",
            "myhostname": "mx.test",
            "mydomain": "test",
            "myorigin": "$myhostname",
            "mydestination": "",
            "local_recipient_maps": "",
            "alias_maps": "",
            "alias_database": "",
            "inet_interfaces": "127.0.0.1",
            "inet_protocols": "ipv4",
            "mynetworks": "127.0.0.0/8",
            "smtpd_relay_restrictions": "permit_mynetworks, reject",
            "relayhost": f"[127.0.0.1]:{self.sink_port}",
            "smtp_dns_support_level": "disabled",
            "smtp_host_lookup": "native",
            "smtpd_peername_lookup": "no",
            "smtpd_milters": self.milter_endpoint,
            "milter_default_action": "tempfail",
            "milter_connect_timeout": "5s",
            "message_size_limit": "0",
            "mailbox_size_limit": "0",
            "smtp_line_length_limit": "0",
            "disable_mime_output_conversion": "yes",
            "maillog_file": "/dev/stdout",
            "biff": "no",
            "append_dot_mydomain": "no",
            "smtp_connect_timeout": "5s",
            "queue_run_delay": "1s",
            "minimal_backoff_time": "1s",
            "maximal_backoff_time": "2s",
            "delay_warning_time": "0",
            "multi_instance_directories": "",
        }
        settings.update(self.extra_main_cf)
        return "".join(f"{k} = {v}\n" for k, v in settings.items())

    def master_cf(self):
        out = []
        with open("/etc/postfix/master.cf", encoding="utf-8") as f:
            for line in f:
                fields = line.split()
                if line.startswith(("#", " ", "\t")) or len(fields) < 8:
                    out.append(line)
                    continue
                if fields[0] == "smtp" and fields[1] == "inet":
                    fields[0] = f"127.0.0.1:{self.smtp_port}"
                fields[4] = "n"  # chroot off: no copies of /etc in the queue dir
                out.append("  ".join(fields) + "\n")
        return "".join(out)

    def start(self, timeout=DEFAULT_TIMEOUT):
        os.makedirs(self.config_dir, exist_ok=True)
        os.makedirs(os.path.join(self.root, "queue"), mode=0o755, exist_ok=True)
        data = os.path.join(self.root, "data")
        os.makedirs(data, mode=0o700, exist_ok=True)
        shutil.chown(data, "postfix", "postfix")
        with open(os.path.join(self.config_dir, "main.cf"), "w", encoding="utf-8") as f:
            f.write(self.main_cf())
        with open(os.path.join(self.config_dir, "master.cf"), "w", encoding="utf-8") as f:
            f.write(self.master_cf())
        check = subprocess.run(["postfix", "-c", self.config_dir, "check"],
                               capture_output=True, text=True, timeout=60)
        if check.returncode != 0:
            raise RuntimeError(f"postfix check failed: {check.stderr}{check.stdout}")
        self._log = open(self.log_path, "ab")
        # free_port() releases its port before master binds it, and any process can take
        # it meanwhile (CI saw "fatal: bind 127.0.0.1 port 40659: Address already in use"
        # while the other process's listener made the port look open). So readiness is
        # master's own "daemon started" line, logged once its listeners are bound; a
        # port taken in between is replaced by a new one.
        for attempt in range(5):
            if attempt > 0:
                with open(os.path.join(self.config_dir, "master.cf"), "w", encoding="utf-8") as f:
                    f.write(self.master_cf())
            # start-fg would run the (slow) integrity check again; this file skips it once.
            open(os.path.join(self.root, "queue", "quick-start"), "w").close()
            log_from = os.path.getsize(self.log_path)
            self.proc = subprocess.Popen(["postfix", "-c", self.config_dir, "start-fg"],
                                         stdout=self._log, stderr=subprocess.STDOUT,
                                         start_new_session=True)

            def this_start():
                with open(self.log_path, "rb") as f:
                    f.seek(log_from)
                    return f.read().decode("utf-8", "replace")

            wait_until(lambda: "daemon started" in this_start() or self.proc.poll() is not None,
                       timeout, what="postfix master")
            if self.proc.poll() is None:
                wait_until(lambda: port_open(self.smtp_port) or self.proc.poll() is not None,
                           timeout, what="postfix smtpd")
            if self.proc.poll() is None:
                return self
            if self._own_port and "Address already in use" in this_start() and attempt < 4:
                self.smtp_port = free_port()
                continue
            break
        raise RuntimeError(f"postfix exited with {self.proc.returncode}; see {self.log_path}")

    def queue(self):
        """`postqueue -p` output for this instance."""
        r = subprocess.run(["postqueue", "-c", self.config_dir, "-p"],
                           capture_output=True, text=True, timeout=30)
        return r.stdout + r.stderr

    def flush(self):
        subprocess.run(["postqueue", "-c", self.config_dir, "-f"], capture_output=True,
                       timeout=30)

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            subprocess.run(["postfix", "-c", self.config_dir, "stop"], capture_output=True,
                           timeout=60)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
        if self._log:
            self._log.close()
        self.proc = None

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""


# ---------------------------------------------------------------------------
# The milter


class Milter:
    """`pixelwarden run --config <temp config>` on a free port."""

    def __init__(self, root, rules_path, port=None, config_extra=None, log_level="debug",
                 binary_path=None, socket_path=None, ipv6=False):
        self.root = root
        self.ipv6 = ipv6  # listen on [::1] (inet6:) instead of 127.0.0.1
        self.binary_path = binary_path
        self.port = port or free_port()
        self.socket_path = socket_path  # a unix socket instead of the TCP port
        self.rules_path = rules_path
        self.config_path = os.path.join(root, "pixelwarden.yaml")
        self.audit_path = os.path.join(root, "audit.jsonl")
        self.log_path = os.path.join(root, "milter.log")
        self.config_extra = config_extra or {}
        self.log_level = log_level
        self.metrics_port = None
        self.proc = None
        self._log = None

    def config(self):
        sections = {
            "milter": {"socket": self.spec(), "drain_timeout": "20s", "on_error": "tempfail"},
            "rules": {"path": self.rules_path, "watch": "true", "poll_interval": "0"},
            "metrics": {"listen": "127.0.0.1:0"},
            "log": {"level": self.log_level, "format": "text", "sink": "stderr"},
            "audit": {"path": self.audit_path},
            # The tests run as root and read/write root-owned temp dirs; the tests of
            # the privilege drop override this.
            "daemon": {"allow_root": "true"},
        }
        for section, values in self.config_extra.items():
            sections.setdefault(section, {}).update(values)
        out = []
        for section, values in sections.items():
            out.append(f"{section}:")
            out.extend(f"  {k}: {v}" for k, v in values.items())
        return "\n".join(out) + "\n"

    def spec(self):
        """The socket as pixelwarden's config spells it."""
        if self.socket_path:
            return f"unix:{self.socket_path}"
        return f"inet6:{self.port}@[::1]" if self.ipv6 else f"inet:{self.port}@127.0.0.1"

    def postfix_endpoint(self):
        """The same socket as Postfix's smtpd_milters spells it."""
        if self.socket_path:
            return f"unix:{self.socket_path}"
        return f"inet:[::1]:{self.port}" if self.ipv6 else f"inet:127.0.0.1:{self.port}"

    def listening(self):
        if not self.socket_path:
            return port_open(self.port, "::1" if self.ipv6 else "127.0.0.1")
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
                s.settimeout(0.5)
                s.connect(self.socket_path)
            return True
        except OSError:
            return False

    def start(self, timeout=DEFAULT_TIMEOUT):
        with open(self.config_path, "w", encoding="utf-8") as f:
            f.write(self.config())
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([self.binary_path or binary(), "run", "--config",
                                      self.config_path],
                                     stdout=self._log, stderr=subprocess.STDOUT,
                                     start_new_session=True)

        def ready():
            if self.proc.poll() is not None:
                return True
            m = re.search(r"metrics listening on 127\.0\.0\.1:(\d+)", self.log())
            if m and self.listening():
                self.metrics_port = int(m.group(1))
                return True
            return False

        wait_until(ready, timeout, what="pixelwarden to listen")
        if self.proc.poll() is not None:
            raise RuntimeError(f"pixelwarden exited with {self.proc.returncode}:\n{self.log()}")
        return self

    def signal(self, sig):
        self.proc.send_signal(sig)

    def kill(self):
        """SIGKILL: the milter dies without any cleanup."""
        self.proc.kill()
        self.proc.wait(timeout=10)

    def wait(self, timeout=DEFAULT_TIMEOUT):
        return self.proc.wait(timeout=timeout)

    def stop(self, timeout=DEFAULT_TIMEOUT):
        """SIGTERM and wait; returns the exit status (None if it was not running)."""
        if self.proc is None:
            return None
        status = stop_process(self.proc, timeout=timeout)
        if self._log:
            self._log.close()
            self._log = None
        return status

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def http(self, path, method="GET"):
        """(status, body) of a request to the milter's HTTP listener."""
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", self.metrics_port, timeout=10)
        try:
            conn.request(method, path)
            r = conn.getresponse()
            return r.status, r.read().decode("utf-8", "replace")
        finally:
            conn.close()

    def audit_lines(self):
        """The audit log's complete lines, parsed. The daemon writes each batch of lines
        with one write(2), but a reader can see it arrive a page at a time: a last line
        without its newline is still being written, and is left for the next read (as
        any tail -F does). Found by integration.audit: a 2.6 KB line read half written."""
        import json
        try:
            with open(self.audit_path, encoding="utf-8") as f:
                text = f.read()
        except OSError:
            return []
        complete = text[:text.rfind("\n") + 1]
        return [json.loads(line) for line in complete.splitlines() if line.strip()]


def check_audit_log(path):
    """Every line of the audit log at path validates against docs/audit-log.schema.json
    and carries a timestamp, a Message-ID and recipients (tests/integration/audit_schema.py,
    run by Debian's python3 with its python3-jsonschema); AssertionError otherwise."""
    if not os.path.exists(path):
        return
    script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "audit_schema.py")
    python = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
    r = subprocess.run([python, script, path], capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        raise AssertionError(f"audit log {path} is not valid:\n{r.stdout}{r.stderr}")


# ---------------------------------------------------------------------------
# The whole stack


class Stack:
    """Sink + milter + Postfix in one temp dir; a context manager that stops them all."""

    def __init__(self, rules=EMPTY_RULESET, rules_path=None, milter_config=None,
                 main_cf=None, name="pw-itest-", parent_dir=None, binary_path=None,
                 milter_unix_socket=False):
        if parent_dir:  # Postfix daemons (user postfix) must traverse it to reach the queue
            os.chmod(parent_dir, os.stat(parent_dir).st_mode | 0o011)
        self.root = tempfile.mkdtemp(prefix=name, dir=parent_dir)
        os.chmod(self.root, 0o755)
        if rules_path is None:
            rules_path = os.path.join(self.root, "rules", "rules.yaml")
            os.makedirs(os.path.dirname(rules_path))
            with open(rules_path, "w", encoding="utf-8") as f:
                f.write(rules)
        self.rules_path = rules_path
        self.sink = SmtpSink()
        socket_path = os.path.join(self.root, "milter.sock") if milter_unix_socket else None
        self.milter = Milter(self.root, rules_path, config_extra=milter_config,
                             binary_path=binary_path, socket_path=socket_path)
        self.postfix = Postfix(self.root, self.milter.postfix_endpoint(), self.sink.port,
                               extra_main_cf=main_cf)
        self.failed = False

    def start(self):
        try:
            self.sink.start()
            self.milter.start()
            if self.milter.socket_path:
                # As `adduser postfix pixelwarden` does in a deployment: Postfix reaches
                # the 0660 socket through its group.
                os.chown(self.milter.socket_path, -1, grp.getgrnam("postfix").gr_gid)
            self.postfix.start()
        except BaseException:
            self.failed = True
            self.stop()
            raise
        return self

    def stop(self):
        errors = []
        for step in (self.postfix.stop, self.milter.stop, self.sink.stop):
            try:
                step()
            except Exception as e:  # stop everything, report afterwards
                errors.append(e)
        try:
            check_audit_log(self.milter.audit_path)
        except AssertionError as e:
            self.failed = True
            errors.append(e)
        keep = self.failed or os.environ.get("PIXELWARDEN_KEEP_TMP") == "1"
        if keep:
            print(f"\n[harness] kept {self.root} (milter.log, postfix.log, audit.jsonl)")
        else:
            shutil.rmtree(self.root, ignore_errors=True)
        if errors:
            raise errors[0]

    def __enter__(self):
        return self.start()

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            self.failed = True
        self.stop()
        return False

    def smtp(self, timeout=DEFAULT_TIMEOUT):
        """An smtplib connection to the private Postfix (caller quits it)."""
        s = smtplib.SMTP("127.0.0.1", self.postfix.smtp_port, timeout=timeout)
        s.ehlo("client.test")
        return s

    def send(self, message, mail_from="alice@example.org", rcpts=("bob@example.net",)):
        """Sends one message on its own SMTP connection; raises on any SMTP error."""
        s = self.smtp()
        try:
            refused = s.sendmail(mail_from, list(rcpts), message)
            if refused:
                raise smtplib.SMTPRecipientsRefused(refused)
        finally:
            try:
                s.quit()
            except smtplib.SMTPException:
                pass


class Environment:
    """A started Stack behind the small API test_prometheus.py was written against
    (see start())."""

    def __init__(self, stack):
        self.stack = stack

    @property
    def metrics_address(self):
        return f"127.0.0.1:{self.stack.milter.metrics_port}"

    def send(self, message, mail_from="alice@example.org", rcpt=("bob@example.net",)):
        """Sends one message; returns the final SMTP code (a refusal is not an error)."""
        try:
            self.stack.send(message, mail_from=mail_from, rcpts=rcpt)
            return 250
        except smtplib.SMTPRecipientsRefused as e:
            return next(iter(e.recipients.values()))[0]
        except smtplib.SMTPResponseException as e:
            return e.smtp_code

    def stop_daemon(self):
        """SIGTERM to pixelwarden only; returns its exit status."""
        return self.stack.milter.stop()

    def stop(self):
        self.stack.stop()


def start(pixelwarden=None, workdir=None, rules=None, milter_config=None, main_cf=None):
    """Starts sink, milter and Postfix (rules: a ruleset file path, default: no rules)
    in a new dir under workdir; returns an Environment."""
    stack = Stack(rules_path=rules, milter_config=milter_config, main_cf=main_cf,
                  parent_dir=workdir, binary_path=pixelwarden)
    return Environment(stack.start())


def unique(prefix="msg"):
    """A unique token for subjects, so tests sharing a stack find their own message."""
    return f"{prefix}-{os.getpid()}-{time.monotonic_ns()}"


class SharedStackTestCase(unittest.TestCase):
    """One Stack for every test of the class (cls.stack): for tests that only send and
    inspect their own message (unique() subjects and sink.wait_for_subject, or their own
    envelope sender). Kept on failure like StackTestCase. Subclasses may override RULES
    (ruleset YAML text) or RULES_PATH (a file to read it from), MILTER_CONFIG, MAIN_CF
    and MILTER_UNIX_SOCKET."""

    RULES = EMPTY_RULESET
    RULES_PATH = None
    MILTER_CONFIG = None
    MAIN_CF = None
    MILTER_UNIX_SOCKET = False
    _any_failed = False

    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unittest.SkipTest("a private Postfix instance needs root")
        binary()
        rules = cls.RULES
        if cls.RULES_PATH:
            with open(cls.RULES_PATH, encoding="utf-8") as f:
                rules = f.read()
        cls.stack = Stack(rules=rules, milter_config=cls.MILTER_CONFIG, main_cf=cls.MAIN_CF,
                          milter_unix_socket=cls.MILTER_UNIX_SOCKET)
        cls.stack.start()

    @classmethod
    def tearDownClass(cls):
        cls.stack.failed = cls.stack.failed or cls._any_failed
        cls.stack.stop()

    def tearDown(self):
        if failed_so_far(self):
            type(self)._any_failed = True


class StackTestCase(unittest.TestCase):
    """A test case with one Stack per test (self.stack), kept on failure.

    Subclasses may override RULES (ruleset YAML text), MILTER_CONFIG ({section: {key:
    value}}) and MAIN_CF ({param: value}).
    """

    RULES = EMPTY_RULESET
    MILTER_CONFIG = None
    MAIN_CF = None

    def setUp(self):
        if os.geteuid() != 0:
            self.skipTest("a private Postfix instance needs root")
        binary()
        self.stack = Stack(rules=self.RULES, milter_config=self.MILTER_CONFIG,
                           main_cf=self.MAIN_CF)
        self.stack.start()
        self.addCleanup(stop_stack, self, self.stack)
