#!/usr/bin/env python3
"""`pixelwarden scan imap://...` against a real Dovecot (Debian's dovecot-imapd).

Starts Dovecot on loopback with its own config, passdb and mail directory in a temp dir,
fills an account over IMAP (Python's imaplib APPEND) with >= 1,000 messages in several
folders with planted lures and trackers, writes the same messages as a Maildir, then
checks: the IMAP scan finds exactly the planted messages with the same findings as the
Maildir scan; nothing is flagged \\Seen (EXAMINE + BODY.PEEK); --move-to Quarantine dry
run changes nothing; --apply moves exactly them (checked with imaplib); --undo brings
them back; --format doveadm emits commands that Dovecot's own doveadm runs; bad
credentials, a missing folder and a connection dropped mid-fetch each give a clear error,
exit 1 and a partial report, never a bare "0 matched". Prints the IMAP throughput.
Exits 77 (skipped) when Dovecot is not installed. The temp dir is kept on failure.
"""
import argparse
import imaplib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

RULES = """ruleset:
  name: imap-integration
  version: "1"
lists:
  trackers:
    domains: [t.tracker.example]
  lures:
    domains: [lure-news.example]
trackers:
  - id: known-trackers
    match:
      domain_in: trackers
    action: neutralize
lures:
  - id: lure-senders
    match:
      domain_in: lures
      where: [envelope_from, header_from, reply_to, sender, return_path, links, resources]
    action: reject
"""

FOLDERS = {"INBOX": 520, "Archive": 330, "Projects": 160, "Newsletters": 110}
PASSWORD = "s3cret-pw"

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def message(folder, i):
    """(message-id, bytes, kind): every 41st a lure, every 59th a tracker, every 97th a link lure."""
    mid = f"<{folder.lower()}-{i}@imap.test>"
    sender, html = "news@shop.example", "<p>Weekly news</p>"
    kind = "clean"
    if i % 41 == 7:
        sender, kind = "desk@lure-news.example", "lure"
    elif i % 59 == 11:
        html += '<img src="https://t.tracker.example/o.gif?u=%d" width="1" height="1">' % i
        kind = "tracker"
    elif i % 97 == 13:
        html = '<p>Read the <a href="https://agenda.lure-news.example/x">agenda</a></p>'
        kind = "link"
    body = (f"Return-Path: <{sender}>\r\nDelivered-To: alice@corp.example\r\nFrom: \"Desk\" <{sender}>\r\n"
            f"To: alice@corp.example\r\nSubject: {kind} {folder} {i}\r\nDate: Wed, 10 Mar 2021 09:00:00 +0000\r\n"
            f"Message-ID: {mid}\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
            f"{html}\r\n" + ("filler line to give the message some size\r\n" * (i % 40)))
    return mid, body.encode(), kind


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Dovecot:
    def __init__(self, tmp):
        self.tmp = tmp
        self.dir = os.path.join(tmp, "dovecot")
        self.port = free_port()
        self.start()

    def start(self, extra=""):
        for d in ("run", "state", "mail"):
            os.makedirs(os.path.join(self.dir, d), exist_ok=True)
        shutil.chown(os.path.join(self.dir, "mail"), "nobody", "nogroup")
        os.chmod(self.tmp, 0o755)
        os.chmod(self.dir, 0o755)
        with open(os.path.join(self.dir, "passwd"), "w") as f:
            f.write(f"alice:{{PLAIN}}{PASSWORD}\n")
        self.conf = os.path.join(self.dir, "dovecot.conf")
        d = self.dir
        with open(self.conf, "w") as f:
            f.write(f"""protocols = imap
listen = 127.0.0.1
base_dir = {d}/run
state_dir = {d}/state
log_path = {d}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
passdb {{
  driver = passwd-file
  args = scheme=PLAIN {d}/passwd
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={d}/mail/%u
}}
mail_location = maildir:{d}/mail/%u
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
}}
{extra}
""")
        subprocess.run(["dovecot", "-c", self.conf], check=True)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("dovecot did not listen")

    def stop(self):
        subprocess.run(["doveadm", "-c", self.conf, "stop"], check=False)
        for _ in range(100):  # until the listener is gone
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                time.sleep(0.1)
            except OSError:
                return

    def client(self):
        m = imaplib.IMAP4("127.0.0.1", self.port)
        m.login("alice", PASSWORD)
        return m


class DropProxy:
    """Forwards one port to Dovecot and cuts every connection after `limit` bytes from the server."""

    def __init__(self, target_port, limit):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(4)
        self.port = self.sock.getsockname()[1]
        self.target, self.limit = target_port, limit
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            s = socket.create_connection(("127.0.0.1", self.target))
            threading.Thread(target=self.pipe, args=(c, s, None), daemon=True).start()
            threading.Thread(target=self.pipe, args=(s, c, self.limit), daemon=True).start()

    def pipe(self, src, dst, limit):
        sent = 0
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if limit is not None and sent + len(data) > limit:
                    dst.sendall(data[: limit - sent])
                    break
                dst.sendall(data)
                sent += len(data)
        except OSError:
            pass
        for x in (src, dst):
            try:
                x.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            x.close()

    def close(self):
        self.sock.close()


def fill(dovecot, maildir_root):
    """APPENDs every message to Dovecot and writes the same bytes as a Maildir; returns planted ids."""
    planted = {}
    m = dovecot.client()
    for folder, count in FOLDERS.items():
        if folder != "INBOX":
            m.create(folder)
        sub = maildir_root if folder == "INBOX" else os.path.join(maildir_root, "." + folder)
        for d in ("cur", "new", "tmp"):
            os.makedirs(os.path.join(sub, d), exist_ok=True)
        for i in range(count):
            mid, data, kind = message(folder, i)
            typ, _ = m.append(folder, None, None, data)
            assert typ == "OK"
            with open(os.path.join(sub, "cur", f"{i}.M{i}.test:2,"), "wb") as f:
                f.write(data)
            if kind != "clean":
                planted[mid] = folder
    m.logout()
    return planted


def by_message(out):
    """(folder, message id) -> sorted findings, from JSON Lines."""
    got = {}
    for line in out.splitlines():
        r = json.loads(line)
        got[(r["folder"], r["message_id"])] = sorted((f["rule"], f["where"], f["value"]) for f in r["findings"])
    return got


def folder_ids(m, folder):
    typ, _ = m.select(folder, readonly=True)
    if typ != "OK":
        return set()
    typ, data = m.uid("SEARCH", None, "ALL")
    uids = data[0].split()
    ids = set()
    if uids:
        typ, data = m.uid("FETCH", b",".join(uids).decode(), "(BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
        for part in data:
            if isinstance(part, tuple):
                ids.add(part[1].decode().split(":", 1)[1].strip())
    return ids


def run(binary, rules, *args, env_password=PASSWORD, timeout=300):
    env = dict(os.environ)
    env.pop("PIXELWARDEN_IMAP_PASSWORD", None)
    if env_password is not None:
        env["PIXELWARDEN_IMAP_PASSWORD"] = env_password
    p = subprocess.run([binary, "scan", "--rules", rules] + list(args), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env, timeout=timeout)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pixelwarden", required=True)
    args = ap.parse_args()
    if shutil.which("dovecot") is None or shutil.which("doveadm") is None:
        print("dovecot-imapd is not installed: skipped")
        return 77
    tmp = tempfile.mkdtemp(prefix="pw-scan-imap-")
    rules = os.path.join(tmp, "rules.yaml")
    with open(rules, "w") as f:
        f.write(RULES)
    dovecot = Dovecot(tmp)
    proxy = None
    try:
        maildir = os.path.join(tmp, "reference", "alice", "Maildir")
        planted = fill(dovecot, maildir)
        total = sum(FOLDERS.values())
        base = f"imap://alice@127.0.0.1:{dovecot.port}"
        print(f"{total} messages in {len(FOLDERS)} folders, {len(planted)} planted")

        # The scan over IMAP equals the Maildir scan of the same messages.
        rc, md_out, err = run(args.pixelwarden, rules, "--jobs", "1", maildir)
        check(rc == 0, f"maildir scan exit {rc}: {err}")
        t0 = time.monotonic()
        rc, all_out, err = run(args.pixelwarden, rules, "--all", base + "/")
        elapsed = time.monotonic() - t0
        check(rc == 0, f"imap --all exit {rc}: {err}")
        check(len(all_out.splitlines()) == total, f"imap --all reports every message: {len(all_out.splitlines())}")
        print(f"IMAP throughput (loopback, --all, {total} messages): {total / elapsed:.0f} messages/s "
              f"({elapsed:.2f} s)")
        rc, im_out, err = run(args.pixelwarden, rules, base + "/")
        check(rc == 0, f"imap scan exit {rc}: {err}")
        imap_found, md_found = by_message(im_out), by_message(md_out)
        check({mid for _, mid in imap_found} == set(planted), f"imap finds exactly the planted: {len(imap_found)} vs {len(planted)}")
        check(imap_found == md_found, "imap findings == maildir findings of the same messages")
        check(all(json.loads(l)["uid"] for l in im_out.splitlines()), "records carry the UID")
        check(f"{len(planted)} messages matched" in err, f"summary: {err}")

        c = dovecot.client()
        for folder in FOLDERS:
            c.select(folder, readonly=True)
            typ, data = c.uid("SEARCH", None, "SEEN")
            check(data[0].split() == [], f"{folder}: the scan set \\Seen on {len(data[0].split())} messages")
        before = {f: folder_ids(c, f) for f in FOLDERS}
        c.logout()

        # Failures (before any move, so UIDs are in delivery order): a clear error, exit 1, a partial report, never a bare "0 matched".
        rc, out, err = run(args.pixelwarden, rules, base + "/INBOX", env_password="wrong")
        check(rc == 1 and "login denied for alice" in err and "INCOMPLETE" in err, f"bad credentials: {rc} {err}")
        rc, out, err = run(args.pixelwarden, rules, base + "/INBOX", env_password=None)
        check(rc == 2 and "PIXELWARDEN_IMAP_PASSWORD" in err, f"no password: usage error: {rc} {err}")
        rc, out, err = run(args.pixelwarden, rules, base + "/Missing", base + "/Archive")
        archive = {mid for mid, f in planted.items() if f == "Archive"}
        check(rc == 1 and "/Missing: cannot open the folder" in err and "INCOMPLETE" in err, f"missing folder: {rc} {err}")
        check({json.loads(l)["message_id"] for l in out.splitlines()} == archive, "the other folder is still scanned")
        proxy = DropProxy(dovecot.port, 200_000)
        rc, out, err = run(args.pixelwarden, rules, f"imap://alice@127.0.0.1:{proxy.port}/INBOX")
        got = len(out.splitlines())
        inbox = len([m for m, f in planted.items() if f == "INBOX"])
        check(rc == 1 and "INBOX: UID FETCH" in err and "of 520 messages of the folder" in err and "INCOMPLETE" in err,
              f"dropped connection: {rc} {err}")
        check(0 < got < inbox, f"dropped connection: a partial report ({got} of {inbox})")

        # --format doveadm: Dovecot's own tool runs the emitted commands (dry: a search only).
        rc, dv, err = run(args.pixelwarden, rules, "--format", "doveadm", "--move-to", "Quarantine", base + "/")
        cmds = [l for l in dv.splitlines() if l.startswith("doveadm ")]
        check(rc == 0 and len(cmds) == len(planted), f"doveadm lines {len(cmds)} != {len(planted)}")
        check(all(l.startswith("doveadm move -u 'alice' 'Quarantine' mailbox '") for l in cmds), "doveadm move syntax")
        sample = cmds[0].replace("doveadm move -u 'alice' 'Quarantine' ", "doveadm -c '%s' search -u 'alice' " % dovecot.conf, 1)
        p = subprocess.run(["sh", "-c", sample], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        check(p.returncode == 0 and len(p.stdout.splitlines()) == 1,
              f"doveadm runs the emitted query and finds one message: {p.returncode} {p.stdout} {p.stderr}")

        # Dry run changes nothing; --apply moves exactly the planted; --undo restores.
        rc, _, err = run(args.pixelwarden, rules, "--move-to", "Quarantine", base + "/")
        check(rc == 0 and f"{len(planted)} messages would be moved to Quarantine (dry run" in err, f"dry run: {err}")
        c = dovecot.client()
        check({f: folder_ids(c, f) for f in FOLDERS} == before and not folder_ids(c, "Quarantine"),
              "the dry run changed the mailboxes")
        c.logout()
        journal = os.path.join(tmp, "moves.jsonl")
        rc, _, err = run(args.pixelwarden, rules, "--move-to", "Quarantine", "--apply", "--journal", journal, base + "/")
        check(rc == 0 and f"{len(planted)} messages moved to Quarantine, 0 failed" in err, f"apply: {rc} {err}")
        c = dovecot.client()
        check(folder_ids(c, "Quarantine") == set(planted), "Quarantine holds exactly the planted messages")
        for f in FOLDERS:
            check(folder_ids(c, f) == before[f] - {m for m, pf in planted.items() if pf == f},
                  f"{f}: exactly its planted messages left")
        c.logout()
        rc, _, err = run(args.pixelwarden, rules, "--undo", journal)
        check(rc == 0 and f"{len(planted)} messages restored" in err, f"undo: {rc} {err}")
        c = dovecot.client()
        check({f: folder_ids(c, f) for f in FOLDERS} == before, "undo brought every message back to its folder")
        check(not folder_ids(c, "Quarantine"), "Quarantine is empty after the undo")
        c.logout()

        # A server without MOVE: UID COPY + \Deleted + UID EXPUNGE of exactly those UIDs.
        dovecot.stop()
        dovecot.start("imap_capability = IMAP4rev1 LITERAL+ UIDPLUS UNSELECT NAMESPACE")
        c = dovecot.client()
        c.select("INBOX")
        typ, data = c.uid("SEARCH", None, "ALL")
        bystander = data[0].split()[0].decode()
        c.uid("STORE", bystander, "+FLAGS", "(\\Deleted)")  # a user's own deleted message
        c.logout()
        journal2 = os.path.join(tmp, "moves-nomove.jsonl")
        rc, _, err = run(args.pixelwarden, rules, "--move-to", "Quarantine", "--apply", "--journal", journal2, base + "/")
        check(rc == 0 and f"{len(planted)} messages moved to Quarantine, 0 failed" in err, f"apply without MOVE: {rc} {err}")
        c = dovecot.client()
        check(folder_ids(c, "Quarantine") == set(planted), "without MOVE: Quarantine holds exactly the planted")
        c.select("INBOX", readonly=True)
        typ, data = c.uid("SEARCH", None, "DELETED")
        check(data[0].split() == [bystander.encode()], "without MOVE: the user's own deleted message is not expunged")
        c.logout()
        rc, _, err = run(args.pixelwarden, rules, "--undo", journal2)
        check(rc == 0 and f"{len(planted)} messages restored" in err, f"undo without MOVE: {rc} {err}")
        c = dovecot.client()
        check({f: folder_ids(c, f) for f in FOLDERS} == before and not folder_ids(c, "Quarantine"),
              "without MOVE: undo brought every message back")
        c.logout()

    finally:
        if proxy:
            proxy.close()
        dovecot.stop()
    if failures:
        print(f"{len(failures)} failures; kept {tmp}")
        return 1
    shutil.rmtree(tmp)
    print("scan imap integration: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
