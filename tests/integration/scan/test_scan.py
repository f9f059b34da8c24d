#!/usr/bin/env python3
"""End-to-end test of `pixelwarden scan` on generated mail stores.

Builds, in a temp dir, a Maildir tree (cur/new, Maildir++ subfolders, a tmp/ delivery in
progress, Dovecot files), an mboxrd file (>From escapes, an escaped "From " body line
after an empty line), an mboxo file (an unescaped "From " line after an empty line: the
documented ambiguity, it splits), a gzip mbox and a directory of .eml files, with planted
lure and tracker messages among clean ones. Then runs the real binary and checks: every
planted message is found and nothing else, offsets point at the right messages, the three
formats agree, --jobs does not change the output, filters work, errors are reported with
exit 1, usage errors exit 2, and the store is unchanged (contents and mtimes).
The temp dir is kept on failure.
"""
import argparse
import csv
import gzip
import hashlib
import io
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile

RULES = """ruleset:
  name: scan-integration
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

RCPT = "mp@parliament.example"


def message(mid, kind, date="Wed, 10 Mar 2021 09:00:00 +0100", rcpt=RCPT, body_extra=""):
    """An RFC 5322 message; kind: clean | plain | lure | lure_reply_to | lure_link | tracker | css_tracker | malformed."""
    sender = "news@shop.example"
    reply_to = ""
    html = '<p>Weekly news</p><img src="https://cdn.shop.example/logo.png" width="200" height="50">'
    ctype = "text/html; charset=utf-8"
    if kind == "lure":
        sender = "editor@lure-news.example"
    elif kind == "lure_reply_to":
        reply_to = "Reply-To: <desk@lure-news.example>\n"
    elif kind == "lure_link":
        html = '<p>Read the <a href="https://www.lure-news.example/agenda">agenda</a></p>'
    elif kind == "lure_resource":
        html = '<p>Logo</p><img src="https://img.lure-news.example/logo.png" width="200" height="50">'
    elif kind == "tracker":
        html += '<img src="https://t.tracker.example/open.gif?id=42" width="1" height="1">'
    elif kind == "css_tracker":
        html = '<table style="background:url(https://t.tracker.example/bg.png)"><tr><td>x</td></tr></table>'
    elif kind == "plain":
        ctype = "text/plain; charset=utf-8"
        html = "Hello,\nsee you tomorrow.\n"
    return_path = "bounce@mail.lure-news.example" if kind == "lure_envelope" else sender
    head = (f"Return-Path: <{return_path}>\nDelivered-To: {rcpt}\nFrom: \"Sender\" <{sender}>\n{reply_to}"
            f"To: {rcpt}\nSubject: {kind} {mid}\nDate: {date}\nMessage-ID: <{mid}@test>\nMIME-Version: 1.0\n")
    if kind == "malformed":
        return (head + 'Content-Type: multipart/mixed; boundary="zz"\n\n--zz\nContent-Type: text/html\n\n'
                "<p>no closing boundary" + body_extra + "\n")
    return head + f"Content-Type: {ctype}\n\n{html}\n{body_extra}"


def mboxrd_escape(msg):
    return re.sub(r"(?m)^(>*From )", r">\1", msg)


def write(path, data, mode="w"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, mode) as f:
        f.write(data)


class Store:
    def __init__(self, root):
        self.root = root
        self.planted = {}  # message id -> {"path": ..., "offset": ... or None, "rcpt": ...}
        self.clean = set()
        self.offsets = {}  # mbox path -> [(offset, message id)]

    def put(self, rel, mid, kind, **kw):
        path = os.path.join(self.root, rel)
        write(path, message(mid, kind, **kw))
        self.note(mid, kind, path, None, kw.get("rcpt", RCPT))

    def note(self, mid, kind, path, offset, rcpt=RCPT):
        if kind in ("clean", "plain", "malformed"):
            self.clean.add(mid)
        else:
            self.planted[mid] = {"path": path, "offset": offset, "rcpt": rcpt}

    def mbox(self, rel, entries, rd=True, compress=False):
        data = ""
        path = os.path.join(self.root, rel)
        for mid, kind, extra in entries:
            offset = len(data.encode())
            body = message(mid, kind, body_extra=extra)
            data += "From sender@example.org Wed Mar 10 09:00:00 2021\n" + (mboxrd_escape(body) if rd else body) + "\n"
            self.note(mid, kind, path, offset)
        if compress:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with gzip.open(path, "wb") as f:
                f.write(data.encode())
        else:
            write(path, data)
        return data


def build_store(root):
    s = Store(root)
    md = "Maildir"
    s.put(f"{md}/cur/1000.M1.host:2,S", "clean-1", "clean")
    s.put(f"{md}/cur/1001.M2.host:2,S", "lure-1", "lure")
    s.put(f"{md}/new/1002.M3.host", "plain-1", "plain")
    s.put(f"{md}/new/1003.M4.host", "tracker-1", "tracker", rcpt="aide@parliament.example")
    s.put(f"{md}/.Archive/cur/1005.M6.host:2,S", "lure-link-1", "lure_link")
    s.put(f"{md}/.Archive/cur/1006.M7.host:2,S", "clean-2", "clean")
    s.put(f"{md}/.Archive.2020/new/1007.M8.host", "css-tracker-1", "css_tracker",
          date="Tue, 10 Mar 2020 09:00:00 +0000")
    s.put(f"{md}/.Archive.2020/cur/1008.M9.host:2,", "malformed-1", "malformed")
    # A delivery in progress is not mail yet: never reported.
    write(os.path.join(root, md, "tmp", "1004.M5.host"), message("in-delivery", "lure"))
    write(os.path.join(root, md, "dovecot.index"), "\0\1binary index")
    write(os.path.join(root, md, "subscriptions"), "Archive\n")
    write(os.path.join(root, md, ".Archive", "maildirfolder"), "")
    os.makedirs(os.path.join(root, md, ".Archive", "new"), exist_ok=True)
    os.makedirs(os.path.join(root, md, ".Archive.2020", "tmp"), exist_ok=True)

    # mboxrd: an escaped "From " body line after an empty line is body text.
    s.mbox("mail/archive.mbox", [
        ("mbox-clean-1", "clean", "\nFrom the editor: thanks for reading.\n>From a quote\n"),
        ("mbox-lure-1", "lure", "\nFrom here on, read carefully.\n"),
        ("mbox-clean-2", "plain", "From the start of this line.\n"),
        ("mbox-tracker-1", "tracker", ""),
        ("mbox-clean-3", "clean", ""),
    ])
    # mboxo: the unescaped "From " line after an empty line is a separator (ambiguity).
    s.mboxo_data = s.mbox("mail/old-mboxo", [
        ("mboxo-lure-1", "lure_reply_to", "\nFrom the desk of the editor\nsecond part\n"),
        ("mboxo-clean-1", "clean", ""),
    ], rd=False)
    s.mbox("mail/compressed.mbox.gz", [
        ("gz-clean-1", "clean", ""),
        ("gz-tracker-1", "tracker", ""),
    ], compress=True)
    s.put("exports/lure.eml", "eml-lure-1", "lure_reply_to")
    s.put("exports/lure-envelope.eml", "eml-lure-envelope-1", "lure_envelope")
    s.put("exports/lure-resource.eml", "eml-lure-resource-1", "lure_resource")
    s.put("exports/nested/clean.eml", "eml-clean-1", "clean")
    write(os.path.join(root, "exports", "notes.txt"), "not mail\n")
    return s


def snapshot(root):
    snap = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            st = os.lstat(p)
            digest = None
            if os.path.isfile(p):
                with open(p, "rb") as f:
                    digest = hashlib.sha256(f.read()).hexdigest()
            snap[p] = (st.st_ino, st.st_mtime_ns, st.st_size, st.st_mode, digest)
    return snap


class Runner:
    def __init__(self, binary, rules):
        self.binary = binary
        self.rules = rules

    def run(self, *args, rules=None):
        cmd = [self.binary, "scan", "--rules", rules or self.rules] + list(args)
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
        return p.returncode, p.stdout.decode(), p.stderr.decode()


failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def without_timing(jsonl):
    """The report lines with the verdicts' elapsed_us (a measurement) taken out."""
    return re.sub(r'"elapsed_us":\d+', '"elapsed_us":0', jsonl)


def mid_of(rec):
    return (rec.get("message_id") or "").strip("<>").replace("@test", "")


def check_found(store, recs, label):
    found = {mid_of(r): r for r in recs}
    check(set(found) == set(store.planted), f"{label}: reported {sorted(found)} != planted {sorted(store.planted)}")
    for mid, where in store.planted.items():
        r = found.get(mid)
        if r is None:
            continue
        check(r["path"] == where["path"], f"{label}: {mid} path {r['path']} != {where['path']}")
        check(r["mbox_offset"] == where["offset"], f"{label}: {mid} offset {r['mbox_offset']} != {where['offset']}")
        v = r["verdict"]
        check(bool(v["lures"]) or bool(v["trackers"]), f"{label}: {mid} reported without a match")
        kind = "lure" if "lure" in mid else "tracker"
        check(bool(v["lures"] if kind == "lure" else v["trackers"]), f"{label}: {mid} lacks its {kind} match")


def check_offsets(store, recs):
    """Reads each mbox at the reported offset and checks the message there is the one reported."""
    for r in recs:
        if r["mbox_offset"] is None:
            continue
        path = r["path"]
        opener = gzip.open if path.endswith(".gz") else open
        with opener(path, "rb") as f:
            data = f.read()
        off = r["mbox_offset"]
        check(data[off:off + 5] == b"From " and (off == 0 or data[off - 2:off] == b"\n\n"),
              f"offset {off} in {path} is not a separator")
        end = data.find(b"\n\nFrom ", off + 1)
        chunk = data[off:end if end >= 0 else len(data)]
        check(r["message_id"].encode() in chunk, f"offset {off} in {path} does not hold {r['message_id']}")


def test_main(runner, store, root):
    before = snapshot(root)
    rc, out, err = runner.run(root)
    check(rc == 0, f"exit {rc}, stderr: {err}")
    recs = [json.loads(line) for line in out.splitlines()]
    check_found(store, recs, "json")
    check_offsets(store, recs)
    check(all(r["date"] and re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", r["date"]) for r in recs),
          "dates are ISO 8601 UTC")
    lure = next((r for r in recs if mid_of(r) == "lure-1"), None)
    check(lure is not None and lure["date"] == "2021-03-10T08:00:00Z", "Date converted to UTC")
    check(lure is not None and lure["verdict"]["envelope"]["rcpt"] == [RCPT], "envelope reconstructed")
    check("messages matched" in err and "matches per rule" in err, f"summary missing: {err}")
    check("aide@parliament.example" in err and RCPT in err, "per-recipient summary")
    check(re.search(r"\b22 messages\b", err) is not None, f"22 messages scanned (mboxo splits one): {err}")
    check("scan: ruleset scan-integration version 1 sha256 " in err, f"summary names the ruleset: {err}")
    after = snapshot(root)
    check(before == after, "the store changed (contents, sizes, modes or mtimes)")
    return out


# Per planted lure: the (where, indicator) it must be reported with, in json, csv and table.
EXPECTED_FINDINGS = {
    "lure-1": ("header_from", "lure-news.example"),
    "mbox-lure-1": ("envelope_from", "lure-news.example"),
    "eml-lure-1": ("reply_to", "lure-news.example"),
    "lure-link-1": ("links", "www.lure-news.example"),
    "eml-lure-envelope-1": ("envelope_from", "mail.lure-news.example"),
    "eml-lure-resource-1": ("resources", "img.lure-news.example"),
    "tracker-1": ("resources:img", "https://t.tracker.example/open.gif?id=42"),
}


def test_formats(runner, store, root, json_out):
    recs = [json.loads(line) for line in json_out.splitlines()]
    by_mid = {mid_of(r): r for r in recs}
    for mid, (where, value) in EXPECTED_FINDINGS.items():
        found = [(f["where"], f["value"]) for f in by_mid.get(mid, {}).get("findings", [])]
        check((where, value) in found, f"json: {mid} lacks finding {where} {value}: {found}")
    check(by_mid["lure-1"]["subject"] == "lure lure-1", "json: subject")
    check(by_mid["lure-1"]["folder"] == "INBOX" and by_mid["lure-link-1"]["folder"] == "Archive",
          "json: Maildir++ folder")
    check(all(f["action"] == "reject" for f in by_mid["lure-1"]["findings"]), "json: action today")
    rc, out, _ = runner.run("--format", "csv", root)
    check(rc == 0, "csv exit 0")
    rows = list(csv.reader(io.StringIO(out, newline="")))
    header = rows[0]
    check(header == ["path", "mbox_offset", "folder", "uid", "message_id", "date", "from", "to", "subject",
                     "rule", "kind", "action_today", "where", "indicator", "source", "campaign",
                     "decision_today"],
          f"csv header {header}")
    rows = [dict(zip(header, r)) for r in rows[1:]]
    ids = {r["message_id"].strip("<>").replace("@test", "") for r in rows}
    check(ids == set(store.planted), f"csv rows {sorted(ids)}")
    check(len(rows) == sum(len(r["findings"]) for r in recs), "csv: one row per finding")
    for mid, (where, value) in EXPECTED_FINDINGS.items():
        hit = [r for r in rows if mid_of({"message_id": r["message_id"]}) == mid
               and r["where"] == where and r["indicator"] == value]
        check(len(hit) == 1 and hit[0]["path"] == store.planted[mid]["path"] and hit[0]["rule"],
              f"csv: {mid} row with {where} {value} and its path")
    order = []
    for r in rows:
        key = (r["path"], r["mbox_offset"])
        if not order or order[-1] != key:
            order.append(key)
    check(order == [(r["path"], "" if r["mbox_offset"] is None else str(r["mbox_offset"])) for r in recs],
          "csv and json in the same order")
    rc, out, _ = runner.run("--format", "table", root)
    check(rc == 0 and out.startswith("DATE") and "INDICATOR" in out.splitlines()[0], "table header")
    for mid, (where, value) in EXPECTED_FINDINGS.items():
        line = next((l for l in out.splitlines() if where in l.split() and value in l.split()), None)
        check(line is not None, f"table: {mid} finding {where} {value} on a line")
        path = store.planted[mid]["path"]
        check(path in out, f"table: location {path}")
    for jobs in ("1", "3"):
        rc, out, _ = runner.run("--jobs", jobs, root)
        check(without_timing(out) == without_timing(json_out), f"--jobs {jobs} changes the output")


def test_filters(runner, store, root):
    rc, out, err = runner.run("--all", os.path.join(root, "mail", "archive.mbox"))
    ids = [mid_of(json.loads(line)) for line in out.splitlines()]
    check(ids == ["mbox-clean-1", "mbox-lure-1", "mbox-clean-2", "mbox-tracker-1", "mbox-clean-3"],
          f"mboxrd split: {ids}")
    rc, out, err = runner.run("--all", os.path.join(root, "mail", "old-mboxo"))
    recs = [json.loads(line) for line in out.splitlines()]
    check(len(recs) == 3 and recs[1]["message_id"] is None, "mboxo: the unescaped From after an empty line splits")
    off = store.mboxo_data.encode().find(b"\n\nFrom the desk") + 2
    check(len(recs) == 3 and recs[1]["mbox_offset"] == off, "mboxo: split offset")
    rc, out, _ = runner.run("--rule", "known-trackers", root)
    ids = {mid_of(json.loads(line)) for line in out.splitlines()}
    check(ids == {m for m in store.planted if "tracker" in m}, f"--rule known-trackers: {sorted(ids)}")
    rc, out, _ = runner.run("--since", "2021-01-01", "--until", "2021-03-10", root)
    ids = {mid_of(json.loads(line)) for line in out.splitlines()}
    check(ids == {m for m in store.planted if m != "css-tracker-1"}, f"--since/--until inclusive day: {sorted(ids)}")
    rc, out, _ = runner.run("--until", "2021-03-09", root)
    check({mid_of(json.loads(l)) for l in out.splitlines()} == {"css-tracker-1"}, "--until excludes later mail")


def test_prefilter(runner, store, root):
    """A hunt for a lure rule skips parts without its domains; the report is that of a full scan."""
    rc, fast, err = runner.run("--rule", "lure-senders", root)
    check(rc == 0, f"prefiltered hunt exit {rc}: {err}")
    check("scan: prefilter: 1 domains of 1 hunted rules" in err, f"the hunt says it prefilters: {err}")
    rc, full, err = runner.run("--rule", "lure-senders", "--no-prefilter", root)
    check(rc == 0 and "prefilter" not in err, f"--no-prefilter exit {rc}: {err}")
    check(without_timing(fast) == without_timing(full), "the prefilter changes the report")
    ids = {mid_of(json.loads(line)) for line in fast.splitlines()}
    check(ids == {m for m in store.planted if "lure" in m}, f"--rule lure-senders: {sorted(ids)}")
    check(any(m.startswith("lure-link") for m in ids), "a lure found only in a link is still found")
    rc, _, err = runner.run("--rule", "known-trackers", root)
    check("scan: no prefilter: rule known-trackers is a tracker rule" in err, f"trackers are not prefiltered: {err}")


def test_errors(runner, store, root):
    bad = os.path.join(root, "broken", "bad.mbox")
    write(bad, "Subject: not an mbox\n\nbody\n")
    missing = os.path.join(root, "does-not-exist")
    rc, out, err = runner.run(root, missing)
    check(rc == 1, f"errors exit 1, got {rc}")
    check("bad.mbox" in err and "does-not-exist" in err, f"errors named on stderr: {err}")
    ids = {mid_of(json.loads(line)) for line in out.splitlines()}
    check(ids == set(store.planted), "the scan goes on after errors")
    os.remove(bad)
    rc, _, _ = runner.run()
    check(rc == 2, "no path: usage error 2")
    rc, _, _ = runner.run("--format", "xml", root)
    check(rc == 2, "bad format: usage error 2")
    rc, _, _ = runner.run("--since", "yesterday", root)
    check(rc == 2, "bad date: usage error 2")
    rc, out, err = runner.run("--rule", "lure", root)
    check(rc == 2 and out == "", f"unknown --rule: usage error 2, nothing reported (rc {rc})")
    check("--rule lure: the ruleset has no rule with this id; did you mean lure-senders?" in err,
          f"unknown --rule names the close id: {err}")


def test_default_rules(runner, root, source_dir):
    """The planted lure matches the shipped default ruleset too."""
    default = os.path.join(source_dir, "rules", "default.yaml")
    rc, out, err = runner.run(os.path.join(root, "Maildir", "cur"), rules=default)
    check(rc == 0, f"default rules exit {rc}: {err}")
    recs = [json.loads(line) for line in out.splitlines()]
    lure = [r for r in recs if mid_of(r) == "lure-1"]
    check(len(lure) == 1 and any("lure-news.example" in l["value"] for l in lure[0]["verdict"]["lures"]),
          "default ruleset finds the planted lure")
    check(not any(mid_of(r) == "clean-1" for r in recs), "default ruleset: clean newsletter not reported")


def files_of(root):
    """path -> (inode, sha256) of every regular file under root."""
    out = {}
    for dirpath, _, filenames in os.walk(root):
        for name in filenames:
            p = os.path.join(dirpath, name)
            with open(p, "rb") as f:
                out[p] = (os.stat(p).st_ino, hashlib.sha256(f.read()).hexdigest())
    return out


def test_move(runner, store, root, tmp):
    """--move-to: the dry run changes nothing, --apply moves exactly the Maildir matches, --undo restores."""
    md = os.path.join(root, "Maildir")
    planted_md = {m: w["path"] for m, w in store.planted.items() if w["path"].startswith(md + os.sep)}
    before = snapshot(root)
    rc, out, err = runner.run("--move-to", "Quarantine", root)
    check(rc == 0, f"dry run exit {rc}: {err}")
    check(snapshot(root) == before, "the dry run changed the store (contents, inodes' mtimes, new folders)")
    for path in planted_md.values():
        check(f"would move {path} -> " in err, f"dry run names {path}")
    check(f"{len(planted_md)} messages would be moved to Quarantine (dry run" in err, f"dry-run summary: {err}")
    check("archive.mbox@" in err and "never modified" in err, "mbox matches are listed as not moved")
    rc, _, err = runner.run("--move-to", "Quarantine", "--all", root)
    check(rc == 2, "--move-to with --all is a usage error")

    files_before = files_of(root)
    journal = os.path.join(tmp, "moves.jsonl")
    rc, out, err = runner.run("--move-to", "Quarantine", "--apply", "--journal", journal, root)
    check(rc == 0, f"--apply exit {rc}: {err}")
    check(f"{len(planted_md)} messages moved to Quarantine, 0 failed" in err, f"apply summary: {err}")
    files_after = files_of(root)
    moved = {p for p in files_before if p not in files_after}
    check(moved == set(planted_md.values()), f"moved exactly the Maildir matches: {sorted(moved)}")
    for path in planted_md.values():
        rel = os.path.relpath(path, md).split(os.sep)
        target = os.path.join(md, ".Quarantine", rel[-2], rel[-1])
        check(files_after.get(target) == files_before[path], f"{path} renamed (same inode and bytes) to {target}")
    check(os.path.isfile(os.path.join(md, ".Quarantine", "maildirfolder")), "Maildir++ folder created")
    with open(journal) as f:
        lines = [json.loads(l) for l in f]
    check(len(lines) == len(planted_md) and all(l["op"] == "move" for l in lines), "one journal line per move")
    rc, out, err = runner.run(md)
    got = {mid_of(json.loads(l)) for l in out.splitlines() if json.loads(l)["folder"] == "Quarantine"}
    check(got == set(planted_md), f"the moved messages are found in Quarantine: {sorted(got)}")

    rc, _, err = runner.run("--undo", journal)
    check(rc == 0 and f"{len(planted_md)} messages restored" in err, f"undo: {rc} {err}")
    restored = files_of(root)
    check({p: v for p, v in restored.items() if "/.Quarantine/" not in p} == files_before,
          "undo restores byte-identical files with the same names")
    rc, _, err = runner.run("--undo", journal)
    check(rc == 0 and f"{len(planted_md)} already in place" in err, f"a second undo is harmless: {err}")
    shutil.rmtree(os.path.join(md, ".Quarantine"))


def test_shard(runner, root):
    """--shard I/N for N = 1..5: the shards' outputs are disjoint and together equal one run."""
    for extra in ([], ["--all"]):
        rc, full, _ = runner.run(*extra, root)
        full_lines = sorted(without_timing(full).splitlines())
        for n in range(1, 6):
            union = []
            for i in range(n):
                rc, out, err = runner.run(*extra, "--shard", f"{i}/{n}", "--jobs", "2", root)
                check(rc == 0, f"--shard {i}/{n} exit {rc}: {err}")
                union += without_timing(out).splitlines()
            check(len(union) == len(set(union)), f"N={n} {extra}: shards overlap")
            check(sorted(union) == full_lines, f"N={n} {extra}: union of shards != the single run")
    rc, _, _ = runner.run("--shard", "3/3", root)
    check(rc == 2, "--shard 3/3 is a usage error")
    rc, _, _ = runner.run("--shard", "1", root)
    check(rc == 2, "--shard without /N is a usage error")
    # The partition depends on paths relative to the scanned directory, not on its location.
    moved = root + "-elsewhere"
    shutil.copytree(root, moved, symlinks=True)
    try:
        rc, a, _ = runner.run("--all", "--shard", "1/3", root)
        rc, b, _ = runner.run("--all", "--shard", "1/3", moved)
        check([mid_of(json.loads(l)) for l in a.splitlines()] == [mid_of(json.loads(l)) for l in b.splitlines()],
              "the same shard of a copy mounted elsewhere holds the same messages")
    finally:
        shutil.rmtree(moved)


def test_new_since(runner, store, root, tmp):
    """--new-since OLD: only what the update can newly find."""
    new_rules = os.path.join(tmp, "rules-new.yaml")
    write(new_rules, RULES + """  - id: lure-image-hosts
    match:
      domain_in: [img.lure-news.example]
      where: [resources]
    action: quarantine
""")
    rc, out, err = runner.run("--new-since", runner.rules, root, rules=new_rules)
    check(rc == 0, f"--new-since exit {rc}: {err}")
    recs = [json.loads(l) for l in out.splitlines()]
    check([mid_of(r) for r in recs] == ["eml-lure-resource-1"], f"--new-since reports the new rule's match only: {out}")
    check(recs and [f["rule"] for f in recs[0]["findings"]] == ["lure-image-hosts"], "only the new finding")
    check("1 rules added, 0 changed, 0 removed" in err and "hunting 1 rules" in err, f"diff summary: {err}")
    rc, out, err = runner.run("--new-since", runner.rules, root)
    check(rc == 0 and out == "" and "hunting 0 rules" in err, "the same ruleset: nothing new")


def test_large_messages(runner, tmp, source_dir):
    """A scan keeps its large buffers: a second large message does not fault its pages in again.

    With glibc's defaults every buffer of a several-MB part was mapped fresh for each
    message and unmapped after it (about 2.7 page faults per page of message, three times
    the CPU: docs/capacity.md); `scan` keeps them for the run. Measured with the shipped
    ruleset as the minor faults the scan of six copies takes beyond those of one, per
    extra copy: about 1,700 before, none after, for a message of 1,329 pages. (Where the
    kernel backs every mapping with huge pages, THP "always", both pass.)"""
    body = "".join(f'<p><a href="https://www.shop.example/a/{i}">item {i}</a> '
                   f'<img src="https://cdn.shop.example/i/{i}.png" width="80" height="20"></p>\n'
                   for i in range(40000))
    big = (message("large", "clean").split("Content-Type:")[0] +
           "Content-Type: text/html; charset=utf-8\n\n<html><body>" + body + "</body></html>\n")
    env = {k: v for k, v in os.environ.items() if k != "GLIBC_TUNABLES"}
    rules = os.path.join(source_dir, "rules", "default.yaml")

    def faults(copies):
        d = os.path.join(tmp, f"large-{copies}")
        os.makedirs(d)
        for k in range(copies):
            write(os.path.join(d, f"m{k}.eml"), big)
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_minflt
        p = subprocess.run([runner.binary, "scan", "--rules", rules, "--jobs", "1", "--all", d],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=120)
        check(p.returncode == 0 and len(p.stdout.splitlines()) == copies,
              f"large messages: exit {p.returncode}, {len(p.stdout.splitlines())} reports: {p.stderr.decode()}")
        return resource.getrusage(resource.RUSAGE_CHILDREN).ru_minflt - before

    one, six = faults(1), faults(6)
    per_copy = (six - one) / 5
    pages = len(big) // 4096
    print(f"large messages: {len(big)} bytes ({pages} pages), minor faults {one} for one, {six} for six: "
          f"{per_copy:.0f} per extra copy")
    check(per_copy < pages / 4, f"large messages: {per_copy:.0f} page faults per extra {pages}-page message")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pixelwarden", required=True)
    ap.add_argument("--source-dir", required=True)
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="pw-scan-it-")
    root = os.path.join(tmp, "store")
    rules = os.path.join(tmp, "rules.yaml")
    write(rules, RULES)
    store = build_store(root)
    runner = Runner(args.pixelwarden, rules)
    json_out = test_main(runner, store, root)
    test_formats(runner, store, root, json_out)
    test_filters(runner, store, root)
    test_prefilter(runner, store, root)
    test_errors(runner, store, root)
    test_default_rules(runner, root, args.source_dir)
    test_move(runner, store, root, tmp)
    test_shard(runner, root)
    test_new_since(runner, store, root, tmp)
    test_large_messages(runner, tmp, args.source_dir)
    if failures:
        print(f"{len(failures)} failures; store kept in {tmp}")
        return 1
    shutil.rmtree(tmp)
    print("scan integration: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
