"""Helpers for the enforcement, parity, DKIM and reload integration tests.

Built on harness.py (Stack, Postfix, Milter, SmtpSink); nothing here changes the
harness. What it adds:

- smtp_attempt(): one SMTP transaction that reports the outcome (code, text, stage)
  instead of raising, so a test can assert on refusals.
- run_filter(): `pixelwarden filter` on the same bytes and envelope, for parity.
- metrics parsing (/metrics text -> {(name, labels): value}).
- fixture(): the path of a file under tests/integration/fixtures.
- hot reload: versioned rulesets, invalid and half-written ones, writers that
  leave the trigger to the test, and a multi-session SMTP load generator.

Python 3 standard library only.
"""

import json
import os
import re
import smtplib
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")


def fixture(*parts):
    return os.path.join(FIXTURES, *parts)


def crlf(data):
    """Every line ending as CRLF, and a final CRLF: what Postfix hands the milter (its
    smtpd also drops extra CRs before a line end, so CR CR LF becomes CR LF)."""
    data = re.sub(rb"\r*\n", b"\r\n", data)
    return data if data.endswith(b"\r\n") else data + b"\r\n"


def strip_received(data):
    """The message without the first Received: header Postfix prepends (folded lines too)."""
    if not data.lower().startswith(b"received:"):
        return data
    end = data.find(b"\r\n")
    while data[end + 2:end + 3] in (b" ", b"\t"):
        end = data.find(b"\r\n", end + 2)
    return data[end + 2:]


def verdict_header(data, name="X-Pixelwarden"):
    """The X-Pixelwarden header as a dict (action, decision, modified, trackers, rules,
    ruleset), or None when absent."""
    values = harness.header_values(data, name)
    if not values:
        return None
    out = {}
    for item in values[0].split(";"):
        if "=" in item:
            k, v = item.split("=", 1)
            out[k.strip()] = v.strip()
    return out


# ---------------------------------------------------------------------------
# SMTP


class Outcome:
    """What the SMTP client saw for one transaction."""

    def __init__(self, code, text, stage):
        self.code = code      # final reply code (250 accepted; 4xx/5xx refused)
        self.text = text      # reply text, decoded
        self.stage = stage    # "mail", "rcpt", "data" (refused at DATA), "eom" (after the dot)

    @property
    def accepted(self):
        return self.code == 250

    def __repr__(self):
        return f"Outcome({self.code}, {self.text!r}, {self.stage})"


def _text(reply):
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def smtp_attempt(conn, message, mail_from, rcpts, xclient=None):
    """One transaction on an open smtplib connection, step by step, so the stage of a
    refusal is known (DATA vs end of message). Never raises for 4xx/5xx replies."""
    if xclient:
        code, reply = conn.docmd("XCLIENT", xclient)
        if code != 220:
            raise AssertionError(f"XCLIENT {xclient} refused: {code} {_text(reply)}")
        conn.ehlo_resp = None
        conn.ehlo("client.test")
    code, reply = conn.mail(mail_from)
    if code != 250:
        conn.rset()
        return Outcome(code, _text(reply), "mail")
    for r in rcpts:
        code, reply = conn.rcpt(r)
        if code not in (250, 251):
            conn.rset()
            return Outcome(code, _text(reply), "rcpt")
    conn.putcmd("data")
    code, reply = conn.getreply()
    if code != 354:
        conn.rset()
        return Outcome(code, _text(reply), "data")
    q = smtplib._quote_periods(message)
    if not q.endswith(b"\r\n"):
        q += b"\r\n"
    conn.send(q + b".\r\n")
    code, reply = conn.getreply()
    return Outcome(code, _text(reply), "eom")


def send_one(stack, message, mail_from, rcpts=("bob@example.net",), xclient=None):
    """smtp_attempt on a fresh connection to the stack's Postfix."""
    conn = stack.smtp()
    try:
        return smtp_attempt(conn, message, mail_from, list(rcpts), xclient=xclient)
    finally:
        try:
            conn.quit()
        except (smtplib.SMTPException, OSError):
            pass


def wait_delivered(sink, predicate, timeout=harness.DEFAULT_TIMEOUT):
    """The first sink message for which predicate(msg) holds (waits for it)."""
    deadline = time.monotonic() + timeout
    while True:
        for m in list(sink.messages):
            if predicate(m):
                return m
        if time.monotonic() > deadline:
            raise TimeoutError(f"no matching message at the sink after {timeout}s "
                               f"({sink.count()} messages there)")
        time.sleep(0.05)


def delivered_from(sink, mail_from, timeout=harness.DEFAULT_TIMEOUT):
    return wait_delivered(sink, lambda m: m.mail_from == mail_from, timeout)


def lures(line):
    """The lure matches of an audit line."""
    return [m for m in line["matches"] if m["kind"] == "lure"]


def trackers(line):
    """The tracker matches listed in an audit line."""
    return [m for m in line["matches"] if m["kind"] == "tracker"]


def audit_for(milter, mail_from, timeout=10.0):
    """The audit line whose envelope sender is mail_from (waits for it)."""
    def find():
        for line in milter.audit_lines():
            if line.get("envelope", {}).get("from") == mail_from:
                return line
        return None
    return harness.wait_until(find, timeout, what=f"audit line for {mail_from}")


# ---------------------------------------------------------------------------
# Offline filter


def run_filter(message, mail_from, rcpts, rules=None, config=None, client_ip="127.0.0.1",
               helo="client.test", auth=None, timeout=60):
    """(output bytes, verdict dict) of `pixelwarden filter` on message (bytes)."""
    args = [harness.binary(), "filter"]
    args += ["--config", config] if config else ["--rules", rules]
    args += ["--mail-from", mail_from, "--client-ip", client_ip, "--helo", helo]
    for r in rcpts:
        args += ["--rcpt", r]
    if auth:
        args += ["--auth", auth]
    p = subprocess.run(args, input=message, capture_output=True, timeout=timeout)
    if p.returncode != 0:
        raise AssertionError(f"pixelwarden filter exited {p.returncode}: "
                             f"{p.stderr.decode('utf-8', 'replace')}")
    verdict = None
    for line in p.stderr.decode("utf-8", "replace").splitlines():
        line = line.strip()
        if line.startswith("{"):
            verdict = json.loads(line)
    return p.stdout, verdict


# ---------------------------------------------------------------------------
# Metrics

_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([^}]*)\})?\s+(\S+)')
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_metrics(text):
    """{(name, frozenset(labels.items())): float} of a Prometheus text exposition."""
    out = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = _SAMPLE.match(line)
        if not m:
            continue
        labels = frozenset(_LABEL.findall(m.group(3) or ""))
        out[(m.group(1), labels)] = float(m.group(4))
    return out


def metrics(milter):
    status, body = milter.http("/metrics")
    if status != 200:
        raise AssertionError(f"/metrics answered {status}")
    return parse_metrics(body)


def metric(samples, name, **labels):
    """Sum of the samples of `name` whose labels include `labels`."""
    want = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and want <= set(ls))


def ruleset_info(samples):
    """(name, version, sha256) of pixelwarden_ruleset_info, or None."""
    for (n, ls), v in samples.items():
        if n == "pixelwarden_ruleset_info" and v == 1:
            d = dict(ls)
            return d.get("name"), d.get("version"), d.get("sha256")
    return None


def reloads(samples, result):
    return metric(samples, "pixelwarden_ruleset_reloads_total", result=result)


# ---------------------------------------------------------------------------
# Hot reload (test_reload.py, test_configmap.py, tests/bench/reload)
#
# Version N of the reload ruleset refuses envelope senders of lure-a.example when N is
# even and lure-b.example when N is odd (the reply names N), and neutralizes the
# tracker pixel when N is even but strips it when N is odd, so both a refusal and a
# delivered body tell which version decided. `report.header_on: all` puts
# X-Pixelwarden (NAME/VERSION/SHA12) on every delivered message.

NAME = "itest-reload"
DOMAINS = ("lure-a.example", "lure-b.example", "ok.example")
CUT_MARK = "refused by reload-test"  # a half-written file ends inside this string


def refused_domain(version):
    return "lure-a.example" if int(version) % 2 == 0 else "lure-b.example"


def ruleset_text(version):
    action = "neutralize" if int(version) % 2 == 0 else "strip"
    return f"""# hot-reload integration ruleset, version {version}
ruleset:
  name: {NAME}
  version: "{version}"
lists:
  trackers:
    domains: [tracker.example]
trackers:
  - id: tracker-pixels
    match:
      domain_in: trackers
    action: {action}
lures:
  - id: lure-v{version}
    match:
      domain_in: [{refused_domain(version)}]
      where: [envelope_from]
    action: reject
    reply: "550 5.7.1 {CUT_MARK} version {version}"
report:
  header: X-Pixelwarden
  header_on: all
"""


def invalid_texts(version):
    """Rulesets that must fail to load, by kind."""
    good = ruleset_text(version)
    return {
        "unknown-key": good.replace("lures:", "lurez:"),
        "yaml-syntax": good.replace("    action: reject", "    action: [reject"),
        "bad-regex": good.replace("lists:\n", "lists:\n  bad-patterns:\n"
                                  "    url_patterns: ['/open(unclosed']\n").replace(
            "lures:\n", "  - id: bad-patterns\n    match:\n      url_in: bad-patterns\n"
            "    action: neutralize\nlures:\n"),
        "empty": "",
        "bad-action": good.replace("action: reject", "action: explode"),
    }


def half_written(version):
    """The first bytes of version `version`, cut inside a quoted string (invalid YAML)."""
    text = ruleset_text(version)
    return text[:text.index(CUT_MARK) + 7], text[text.index(CUT_MARK) + 7:]


def write_atomic(path, text):
    """tmp file + rename: what editors and `kubectl cp`-style tools do (IN_MOVED_TO)."""
    tmp = os.path.join(os.path.dirname(path), ".tmp-" + os.path.basename(path))
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.rename(tmp, path)


class InPlaceWriter:
    """Rewrites a file in place and keeps it OPEN: truncation and writes raise only
    IN_MODIFY, which the watcher ignores, so the reload comes from the trigger under
    test (signal, HTTP, poll). close() then raises IN_CLOSE_WRITE (a no-op reload)."""

    def __init__(self, path, text=""):
        self.fd = os.open(path, os.O_WRONLY | os.O_TRUNC)
        self.write(text)

    def write(self, text):
        os.write(self.fd, text.encode("utf-8"))
        os.fsync(self.fd)

    def close(self):
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def html_message(idx, sender):
    html = (f'<html><body><p>Message {idx}.</p>'
            f'<img src="https://cdn.ok.example/logo.png" width="100" height="30" alt="logo">'
            f'<img src="https://tracker.example/o.gif?m={idx}" width="1" height="1" alt="">'
            f'</body></html>')
    return harness.make_message(subject=f"load {idx}", sender=sender, body=html + "\r\n",
                                content_type="text/html; charset=utf-8")


class Sent:
    __slots__ = ("idx", "sender", "data", "code", "text", "stage", "t0", "t1")

    def __init__(self, idx, sender, data):
        self.idx, self.sender, self.data = idx, sender, data
        self.code, self.text, self.stage, self.t0, self.t1 = None, "", "", 0.0, 0.0

    @property
    def latency(self):
        return self.t1 - self.t0


class Load:
    """`sessions` threads, each on its own SMTP connection (reopened every
    `per_connection` messages), sending until stop(); every message gets its own
    envelope sender m<idx>@<domain>, rotating over DOMAINS."""

    def __init__(self, stack, sessions=6, per_connection=50, rcpt="reader@corp.example",
                 message_factory=html_message):
        self.stack = stack
        self.sessions = sessions
        self.per_connection = per_connection
        self.rcpt = rcpt
        self.factory = message_factory
        self.sent = []
        self.errors = []
        self._lock = threading.Lock()
        self._next = 0
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, daemon=True)
                         for _ in range(sessions)]
        self.started = self.stopped = 0.0

    def start(self):
        self.started = time.monotonic()
        for t in self._threads:
            t.start()
        return self

    def stop(self):
        self._stop.set()
        for t in self._threads:
            t.join(timeout=60)
        self.stopped = time.monotonic()

    def count(self):
        with self._lock:
            return len(self.sent)

    def _take(self):
        with self._lock:
            idx = self._next
            self._next += 1
        sender = f"m{idx}@{DOMAINS[idx % len(DOMAINS)]}"
        return Sent(idx, sender, self.factory(idx, sender))

    def _run(self):
        conn = None
        used = 0
        try:
            while not self._stop.is_set():
                if conn is None or used >= self.per_connection:
                    if conn is not None:
                        conn.quit()
                    conn, used = self.stack.smtp(), 0
                s = self._take()
                s.t0 = time.monotonic()
                out = smtp_attempt(conn, s.data, s.sender, [self.rcpt])
                s.t1 = time.monotonic()
                s.code, s.text, s.stage = out.code, out.text, out.stage
                used += 1
                with self._lock:
                    self.sent.append(s)
        except (smtplib.SMTPException, OSError) as e:
            with self._lock:
                self.errors.append(repr(e))
        finally:
            if conn is not None:
                try:
                    conn.quit()
                except (smtplib.SMTPException, OSError):
                    pass


def refusing_version(text):
    m = re.search(r"version (\d+)", text)
    return m.group(1) if m else None


def loaded_versions(milter_log):
    """{version: sha256} from the milter's 'rules loaded' log lines."""
    out = {}
    for m in re.finditer(rf"rules loaded \(([^)]*)\): {NAME} version (\S+) sha256 ([0-9a-f]+)",
                         milter_log):
        out[m.group(2)] = m.group(3)
    return out


def loads_by_reason(milter_log):
    out = {}
    for m in re.finditer(rf"rules loaded \(([^)]*)\): {NAME} version", milter_log):
        out[m.group(1)] = out.get(m.group(1), 0) + 1
    return out


def p99(values):
    if not values:
        return 0.0
    v = sorted(values)
    return v[min(len(v) - 1, int(round(0.99 * (len(v) - 1))))]
