#!/usr/bin/env python3
"""Hostile messages: what a remote sender can put in one message to stall the filter or
to slip a tracking pixel past it. Every message is either rewritten with its pixel
neutralized, or handled by the documented malformed policy (the shipped `neutralize`
quarantines what it could not fully inspect); none leaves with the pixel intact, and
none costs more than 2 s of CPU.

1. Offline, through `pixelwarden filter` and the shipped ruleset: each hostile message
   (header floods, charset tricks, MIME past the caps, oversize), CPU time per message
   from the child's rusage.
2. Through the daemon, over the milter protocol: 400,000 header fields (kept within
   `max_header_fields`, counted, quarantined), a 10 MB header section of large fields,
   one 10 MB field (over the packet limit: libmilter drops the session, the MTA's
   milter_default_action answers), each followed by a normal message that must still
   be filtered. The daemon's CPU time is read from /proc. What a session of 400,000
   fields costs is mostly libmilter's (a poll, two reads and a reply write per field),
   and that cost is the machine's: on some virtual machines the same session costs a
   filter that does nothing 4 to 5 s of CPU, on others under 1 s. So the same session is
   also sent to that filter (pw_noop_milter, PW_NOOP_MILTER), in interleaved rounds with
   both filters on one core, and the budget holds for what pixelwarden adds to it (the
   median of the rounds' differences).

Short form: as described. --long: the daemon part also sends 1,000,000 fields (its
CPU budget grows linearly: 5 s).
Needs no root (no Postfix).
"""

import json
import os
import resource
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time

import common
from common import harness
import milterproto

PIXEL_HOST = "pixel.tracker-test.example"
PIXEL = f'<img src="https://{PIXEL_HOST}/o.gif?u=1" width="1" height="1">'
CPU_BUDGET = 2.0


def html_doc():
    return f"<html><body><p>Hello</p>{PIXEL}</body></html>"


def headers(extra=""):
    return ("From: news@shop.example\r\nTo: reader@example.net\r\nSubject: hostile\r\n"
            "Message-ID: <h@shop.example>\r\nMIME-Version: 1.0\r\n" + extra)


def single(charset, body_bytes, cte="8bit"):
    return (headers(f"Content-Type: text/html; charset={charset}\r\n"
                    f"Content-Transfer-Encoding: {cte}\r\n\r\n").encode() + body_bytes)


def utf16le(s):
    return s.encode("utf-16-le")


def nested(depth):
    m = headers('Content-Type: multipart/mixed; boundary="b0"\r\n\r\n--b0\r\n')
    for i in range(1, depth + 1):
        m += f'Content-Type: multipart/mixed; boundary="b{i}"\r\n\r\n--b{i}\r\n'
    m += "Content-Type: text/html\r\n\r\n" + html_doc() + "\r\n"
    for i in range(depth, -1, -1):
        m += f"--b{i}--\r\n"
    return m.encode()


def many_parts(n):
    m = headers('Content-Type: multipart/mixed; boundary="p"\r\n\r\n')
    for _ in range(n):
        m += "--p\r\nContent-Type: text/plain\r\n\r\nx\r\n"
    m += "--p\r\nContent-Type: text/html\r\n\r\n" + html_doc() + "\r\n--p--\r\n"
    return m.encode()


def header_flood(n):
    parts = [headers()]
    parts.extend(f"X-H{i}: v{i}\r\n" for i in range(n))
    parts.append("Content-Type: text/html\r\n\r\n" + html_doc() + "\r\n")
    return "".join(parts).encode()


def hostile_messages():
    """(name, bytes, extra config) of every message the campaign sent."""
    doc = html_doc()
    qp_split = doc.replace(PIXEL_HOST, "pixel.tracker=\r\n-test.example")
    b64 = __import__("base64").encodebytes(doc.encode()).replace(b"\n", b"\r\n")
    return [
        ("400k header fields", header_flood(400_000), {}),
        ("one 10 MB header field", headers("X-Big: " + "x" * (10 << 20) + "\r\n"
                                           "Content-Type: text/html\r\n\r\n" + doc).encode(), {}),
        ("UTF-16LE part with a stray trailing byte", single("utf-16le", utf16le(doc) + b"\x41"), {}),
        ("UTF-16 part with a BOM and an unpaired surrogate",
         single("utf-16", b"\xff\xfe\x00\xd8" + utf16le(doc)), {}),
        ("UTF-16 part, base64, odd length", single(
            "utf-16le", __import__("base64").encodebytes(utf16le(doc) + b"\x00\xd8\x41"), "base64"), {}),
        ("UTF-32LE label on ASCII HTML", single("utf-32le", doc.encode()), {}),
        ("ibm-1047 label on ASCII HTML", single("ibm-1047", doc.encode()), {}),
        ("cp037 label on ASCII HTML", single("cp037", doc.encode()), {}),
        ("real EBCDIC HTML labelled cp037", single("cp037", doc.encode("cp037")), {}),
        ("unknown charset label", single("x-no-such-charset", doc.encode()), {}),
        ("nesting 40 deep", nested(40), {}),
        ("nesting 300 deep", nested(300), {}),
        ("2,500 parts", many_parts(2500), {}),
        ("body over max_message_bytes", single("utf-8", doc.encode() + b" " * 4096),
         {"milter": {"max_message_bytes": 2048}}),
        ("missing final boundary", headers('Content-Type: multipart/alternative; boundary="x"\r\n\r\n'
                                           "--x\r\nContent-Type: text/html\r\n\r\n" + doc).encode(), {}),
        ("QP soft break inside the URL host", single("utf-8", qp_split.encode(), "quoted-printable"), {}),
        ("base64 HTML with CRLF lines", single("utf-8", b64, "base64"), {}),
        ("unknown transfer encoding", single("utf-8", doc.encode(), "x-custom"), {}),
        ("duplicate Content-Type, first one wins", headers(
            "Content-Type: text/html\r\nContent-Type: text/plain\r\n\r\n" + doc).encode(), {}),
    ]


def child_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def filter_one(root, name, msg, extra, checks):
    src = os.path.join(root, "in.eml")
    out = os.path.join(root, "out.eml")
    verdict_path = os.path.join(root, "verdict.json")
    with open(src, "wb") as f:
        f.write(msg)
    cmd = [os.environ["PIXELWARDEN_BIN"], "filter", "-o", out, "--verdict", verdict_path]
    if extra:
        cfg = os.path.join(root, "config.yaml")
        with open(cfg, "w", encoding="utf-8") as f:
            for section, values in extra.items():
                f.write(f"{section}:\n" + "".join(f"  {k}: {v}\n" for k, v in values.items()))
            f.write(f"rules:\n  path: {os.path.join(common.SOURCE, 'rules', 'default.yaml')}\n")
        cmd += ["--config", cfg]
    else:
        cmd += ["--rules", os.path.join(common.SOURCE, "rules", "default.yaml")]
    before = child_cpu()
    r = subprocess.run(cmd + [src], capture_output=True, timeout=120)
    cpu = child_cpu() - before
    if not checks.check(r.returncode == 0, f"{name}: filter exit {r.returncode} "
                        f"{r.stderr.decode(errors='replace')[:200]}"):
        return
    with open(verdict_path, encoding="utf-8") as f:
        v = json.load(f)
    with open(out, "rb") as f:
        delivered = f.read()
    neutralized = PIXEL_HOST.encode() not in delivered and \
        PIXEL_HOST.encode("utf-16-le") not in delivered and \
        PIXEL_HOST.encode("cp037") not in delivered
    held = v["action"] == "quarantine"
    how = "neutralized" if neutralized else ("held by policy" if held else "PIXEL INTACT")
    checks.check(neutralized or held, f"{name}: {how} (action={v['action']}, "
                 f"skipped={v['skipped']}, trackers={len(v['trackers'])})")
    checks.check(cpu <= CPU_BUDGET, f"{name}: {cpu:.2f}s CPU in filter, ruleset load included "
                 f"(want <= {CPU_BUDGET}s)")


def daemon_cpu(pid):
    with open(f"/proc/{pid}/stat", encoding="utf-8") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def send_message(milter, header_fields, body):
    """One message over the milter protocol, headers pipelined (a reader thread takes the
    replies, so neither side blocks on a full socket). Returns the end-of-message reply
    codes, or None when the milter dropped the session.

    The reader takes the header replies in batches, a few milliseconds apart. Read one by
    one, a reader that keeps up sleeps on the socket and each reply's write must wake it:
    that costs the filter's system call more than the reply itself, and whether the reader
    keeps up depends on which side is a little faster, so one filter's session cost 3.2 s
    in one round and 5.5 s in the next."""
    c = milterproto.MilterConn.open(milter, timeout=120)
    try:
        c.negotiate()
        c.connect_step()
        c.helo()
        c.mail("<news@shop.example>")
        c.rcpt("<reader@example.net>")
        replies = []

        def read_replies():
            pending = bytearray()
            try:
                while len(replies) < len(header_fields):
                    time.sleep(0.002)
                    chunk = c.sock.recv(1 << 20)
                    if not chunk:
                        return
                    pending += chunk
                    at = 0
                    while len(pending) - at >= 4:
                        (n,) = struct.unpack_from("!I", pending, at)
                        if len(pending) - at - 4 < n:
                            break
                        replies.append(bytes(pending[at + 4:at + 5]))
                        at += 4 + n
                    del pending[:at]
            except OSError:
                pass

        reader = threading.Thread(target=read_replies)
        reader.start()
        buf = bytearray()
        try:
            for name, value in header_fields:
                buf += milterproto.packet(b"L", name.encode() + b"\0" + value.encode() + b"\0")
                if len(buf) > (1 << 20):
                    c.sock.sendall(buf)
                    buf.clear()
            c.sock.sendall(buf)
        except OSError:
            reader.join()
            return None
        reader.join()
        if len(replies) != len(header_fields):
            return None
        c.command(b"N")
        c.send(b"B", body)
        c.reply()
        c.send(b"E")
        codes = []
        while True:
            code, _ = c.reply()
            codes.append(code)
            if code in (b"a", b"c", b"r", b"t", b"d", b"y"):
                return codes
    except (OSError, ConnectionError):
        return None
    finally:
        c.close()


class NoopMilter:
    """pw_noop_milter (the libmilter floor, answering every step) on a free port, with
    TCP_NODELAY on its listener as the daemon sets it (milter.cpp): each reply is then its
    own segment, and on loopback the writer's system call delivers it and wakes the reader.
    Without it the floor's replies coalesce and 400,000 of them cost it 1.5 to 2.5 s less
    system time than the daemon's (measured pinned to one core, 5 rounds: 3.2 s against
    4.7 to 5.7 s); with it the two agree within the rounds' spread."""

    socket_path = None

    def __init__(self, binary):
        self.port = harness.free_port()
        self.proc = subprocess.Popen([binary, "-p", f"inet:{self.port}@127.0.0.1", "-m", "plain",
                                      "-N", "1"],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        harness.wait_until(lambda: self.proc.poll() is not None or harness.port_open(self.port),
                           what="pw_noop_milter listening")
        if self.proc.poll() is not None:
            raise RuntimeError(f"pw_noop_milter exited with {self.proc.returncode}")

    def stop(self):
        harness.stop_process(self.proc)


# Five rounds each: on a virtual machine whose host slows it for minutes at a time, three
# rounds could all land in a slow stretch for one filter and not the other (pixelwarden
# 7.67 / 6.92 / 6.56 s against 4.95 / 4.83 / 4.43 s for the no-op filter in one CI run,
# 4.26 s and 4.07 s at best in the next). The session's CPU is mostly libmilter's system
# calls, and with TCP_NODELAY (both filters) each reply either finds the client awake or
# wakes it: a round's system time swings between about 3.2 and 5.5 s for either filter.
FLOOR_ROUNDS = 5


def daemon_part(root, checks, long_form):
    rules = os.path.join(common.SOURCE, "rules", "default.yaml")
    milter = harness.Milter(os.path.join(root, "daemon"), rules, log_level="info")
    os.makedirs(milter.root, exist_ok=True)
    base = [("From", " news@shop.example"), ("To", " reader@example.net"),
            ("Subject", " s"), ("MIME-Version", " 1.0"), ("Content-Type", " text/html")]
    body = (html_doc() + "\r\n").encode()
    cases = [("400,000 header fields", base + [(f"X-H{i}", f" v{i}") for i in range(400_000)]),
             ("10 MB header section (200 fields of 50 KiB)",
              base + [(f"X-B{i}", " " + "y" * 51200) for i in range(200)])]
    if long_form:
        cases.append(("1,000,000 header fields",
                      base + [(f"X-H{i}", f" v{i}") for i in range(1_000_000)]))
    noop_bin = os.environ.get("PW_NOOP_MILTER", "")
    noop = None
    try:
        # Both filters (every thread they start) on one core, this client on the others:
        # a round's cost then does not depend on where the scheduler put each side.
        cpus = sorted(os.sched_getaffinity(0))
        if len(cpus) > 1:
            os.sched_setaffinity(0, {cpus[-1]})
        try:
            milter.start()
            if os.access(noop_bin, os.X_OK):
                noop = NoopMilter(noop_bin)
            else:
                print("PW_NOOP_MILTER not set: the daemon's whole CPU time is held to the budget")
        finally:
            if len(cpus) > 1:
                os.sched_setaffinity(0, set(cpus[:-1]))
        pid = milter.proc.pid
        for name, fields in cases:
            cpu, floor, took = [], [], 0.0
            for _ in range(FLOOR_ROUNDS if noop else 1):
                if noop:
                    before = daemon_cpu(noop.proc.pid)
                    floor_codes = send_message(noop, fields, body)
                    floor.append(daemon_cpu(noop.proc.pid) - before)
                    checks.check(floor_codes is not None,
                                 f"pw_noop_milter, {name}: replies {floor_codes}")
                before = daemon_cpu(pid)
                t0 = time.monotonic()
                codes = send_message(milter, fields, body)
                took = max(took, time.monotonic() - t0)
                cpu.append(daemon_cpu(pid) - before)
                checks.check(codes is not None and b"q" in codes,
                             f"daemon, {name}: end-of-message replies {codes} "
                             "(want quarantine 'q')")
            # 2 s for up to 400,000 fields (the acceptance); past that, linear growth.
            budget = CPU_BUDGET * max(1.0, len(fields) / 400_000)
            # Each round sends the session to the no-op filter, then at once to the
            # daemon: the median of the rounds' differences is what the daemon adds, a
            # round slowed by the host counting once, not as the best of one side against
            # the best of the other.
            added = (statistics.median(c - f for c, f in zip(cpu, floor)) if floor
                     else min(cpu))
            rounds = " / ".join(f"{c:.2f}" for c in cpu)
            floor_text = (f"; a no-op libmilter filter, same session: "
                          f"{' / '.join(f'{c:.2f}' for c in floor)}s" if floor else "")
            checks.check(added <= budget, f"daemon, {name}: {rounds}s daemon CPU{floor_text}; "
                         f"added {added:.2f}s, median of the rounds' differences "
                         f"(want <= {budget:.1f}s); "
                         f"{took:.1f}s wall at most, incl. the client")
            checks.check(milter.proc.poll() is None, f"daemon alive after {name}")
        before = daemon_cpu(pid)
        codes = send_message(milter, base + [("X-Big", " " + "x" * (10 << 20))], body)
        cpu = daemon_cpu(pid) - before
        checks.check(codes is None, "daemon, one 10 MB field: the session is dropped "
                     "(over milter.max_packet_bytes; the MTA's milter_default_action answers)")
        checks.check(cpu <= CPU_BUDGET, f"daemon, one 10 MB field: {cpu:.2f}s daemon CPU")
        checks.check(milter.proc.poll() is None, "daemon alive after the 10 MB field")
        codes = send_message(milter, base, body)
        checks.check(codes is not None and b"b" in codes and b"q" not in codes,
                     f"daemon, a normal message afterwards: replies {codes} "
                     "(want a body replacement 'b')")
    finally:
        milter.stop(timeout=10)
        if noop:
            noop.stop()
    return milter


def main():
    args = common.arguments(__doc__, "the daemon part also sends 1,000,000 header fields")
    common.need_binary()
    checks = common.Checks("hostile_messages")
    root = tempfile.mkdtemp(prefix="pw-rel-hostile-")
    try:
        for name, msg, extra in hostile_messages():
            filter_one(root, name, msg, extra, checks)
        daemon_part(root, checks, args.long)
    finally:
        failed = bool(checks.failures)
        if failed or os.environ.get("PIXELWARDEN_KEEP_TMP") == "1":
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())
