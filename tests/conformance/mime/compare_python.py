#!/usr/bin/env python3
"""Check mime_dump (the C++ walker + decoders) against Python's stdlib email package.

For every leaf part of every corpus message, both sides report the IMAP part path, the
content type and the sha256 of the decoded content. Known disagreements are listed, with
their reason, in expected-differences.tsv (file, path, kind, reason). A disagreement that
is not listed fails; a listed one that no longer occurs fails too, so the list stays honest.

Policy: compat32. It is the policy whose parser never raises on malformed headers and
keeps every header as the raw string the message carried (the default policy re-parses
structured headers and, on broken ones, substitutes its own interpretation). Payload
decoding (get_payload(decode=True): base64 via email._encoded_words.decode_b, QP via
quopri, identity otherwise) is the same code under both policies, and that decoding is
what we compare.

With --text, text/* leaves are also compared after conversion to UTF-8 (kind "text"):
pixelwarden's ICU-based mime::to_utf8 against Python's codecs, both strict, with the charset
the engine picks (a byte order mark wins over the label; unmarked "utf-16"/"utf-32" are
big-endian, RFC 2781; no label is us-ascii), the label read by Python's get_content_charset.

Usage: compare_python.py --dump PATH/mime_dump (--data DATA_DIR | --dir DIR [--glob PATTERN])
                         --expected FILE [--label NAME] [--text] [--update]
--data reads the outside corpora (DATA_DIR/mime, DATA_DIR/html-mail); --dir every file under
DIR whose name matches PATTERN (a --dir that does not exist exits 77: skipped). File names in
FILE are relative to DATA_DIR or DIR. --update rewrites FILE with the current disagreements (reasons of kept rows are kept,
new rows get "TODO", which a reviewer must replace).
"""

import argparse
import codecs
import email
import email.policy
import fnmatch
import hashlib
import json
import os
import subprocess
import sys

SKIP_EXT = {".html", ".xhtml", ".htm", ".tokens", ".tsv", ".md"}
SKIP_NAMES = ("LICENSE", "COPYING", "NOTICE", "README", "INDEX")


def message_files(data_dir):
    """Same selection as corpus_files.hpp."""
    out = []
    for sub in ("mime", "html-mail"):
        root = os.path.join(data_dir, sub)
        for dirpath, _dirs, files in os.walk(root):
            for name in files:
                if os.path.splitext(name)[1] in SKIP_EXT:
                    continue
                if any(s in name for s in SKIP_NAMES):
                    continue
                out.append(os.path.join(dirpath, name))
    return sorted(out)


def matching_files(root, pattern):
    """Same selection as corpus_files.hpp's matching_files."""
    out = []
    for dirpath, _dirs, files in os.walk(root):
        out.extend(os.path.join(dirpath, n) for n in files if fnmatch.fnmatchcase(n, pattern))
    return sorted(out)


BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"),
        (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))
UNMARKED = {"utf-16": "utf-16-be", "utf16": "utf-16-be", "ucs-2": "utf-16-be",
            "utf-32": "utf-32-be", "utf32": "utf-32-be", "ucs-4": "utf-32-be"}


def text_digest(m, payload):
    """sha256 of a text part's content in UTF-8, or "error"; see --text above."""
    charset = next((cs for bom, cs in BOMS if payload.startswith(bom)), None)
    if charset is None and payload[:3] == b"+/v" and payload[3:4] in (b"8", b"9", b"+", b"/"):
        charset = "utf-7"
    if charset is None:
        label = (m.get_content_charset() or "").strip()
        charset = UNMARKED.get(label, label) or "us-ascii"
    try:
        codecs.lookup(charset)  # bytes.decode skips the lookup for b"": an unknown label must fail
        return hashlib.sha256(payload.decode(charset).encode("utf-8")).hexdigest()
    except (LookupError, UnicodeError):
        return "error"


def join(base, n):
    return f"{base}.{n}" if base else str(n)


def visit(m, base, message_body, out, text=False):
    """Mirror of the IMAP numbering in milter/mime/walk.hpp."""
    ctype = m.get_content_type()
    is_mp = m.get_content_maintype() == "multipart" and isinstance(m.get_payload(), list)
    if message_body:
        path = (base + ".TEXT" if base else "") if is_mp else join(base, 1)
    else:
        path = base
    if is_mp:
        child_base = base if message_body else path
        for i, sub in enumerate(m.get_payload(), 1):
            visit(sub, join(child_base, i), False, out, text)
    elif m.is_multipart():
        subs = m.get_payload()
        if ctype in ("message/rfc822", "message/global") and len(subs) == 1:
            visit(subs[0], path, True, out, text)
        else:
            out[path] = (ctype, "python-parsed-as-header-blocks", None)
    else:
        payload = m.get_payload(decode=True) or b""
        digest = text_digest(m, payload) if text and m.get_content_maintype() == "text" else None
        out[path] = (ctype, hashlib.sha256(payload).hexdigest(), digest)


def python_leaves(path, text):
    with open(path, "rb") as f:
        msg = email.message_from_bytes(f.read(), policy=email.policy.compat32)
    out = {}
    visit(msg, "", True, out, text)
    return out


def cpp_leaves(dump, files, text):
    result = {f: {} for f in files}
    malformed = set()
    chunk = 200
    for i in range(0, len(files), chunk):
        proc = subprocess.run([dump] + (["--text"] if text else []) + files[i:i + chunk],
                              capture_output=True, check=True)
        for line in proc.stdout.decode("utf-8").splitlines():
            row = json.loads(line)
            if row.get("message"):
                if row["malformed"]:
                    malformed.add(row["file"])
                continue
            result[row["file"]][row["path"]] = (row["content_type"], row["sha256"], row.get("text"))
    return result, malformed


def differences(py, cpp):
    """(path, kind) for every disagreement of one message."""
    out = []
    for path in sorted(set(py) | set(cpp)):
        if path not in cpp:
            out.append((path, "only-python"))
        elif path not in py:
            out.append((path, "only-cpp"))
        elif py[path][0] != cpp[path][0]:
            out.append((path, "content-type"))
        elif py[path][1] != cpp[path][1]:
            out.append((path, "decoded"))
        elif py[path][2] != cpp[path][2]:
            out.append((path, "text"))
    return out


def load_expected(path):
    rows = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip() or line.startswith("#"):
                continue
            file, part, kind, reason = line.rstrip("\n").split("\t", 3)
            rows[(file, part, kind)] = reason
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dump", required=True)
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--data")
    where.add_argument("--dir")
    ap.add_argument("--glob", default="*")
    ap.add_argument("--expected", required=True)
    ap.add_argument("--label", default="corpus")
    ap.add_argument("--text", action="store_true")
    ap.add_argument("--update", action="store_true")
    args = ap.parse_args()

    if args.data:
        data = os.path.realpath(args.data)
        files = message_files(data)
    else:
        if not os.path.isdir(args.dir):
            print(f"{args.label}: {args.dir} is not there: skipped")
            return 77
        data = os.path.realpath(args.dir)
        files = matching_files(data, args.glob)
    if not files:
        print(f"{args.label}: no messages found")
        return 1
    cpp, malformed = cpp_leaves(args.dump, files, args.text)
    found = {}
    total = agree = texts = text_agree = 0
    for f in files:
        py = python_leaves(f, args.text)
        rel = os.path.relpath(f, data)
        diffs = differences(py, cpp[f])
        total += len(set(py) | set(cpp[f]))
        agree += len(set(py) | set(cpp[f])) - len(diffs)
        converted = [p for p in py if p in cpp[f] and py[p][2] is not None and cpp[f][p][2] is not None]
        texts += len(converted)
        text_agree += sum(1 for p in converted if py[p][2] == cpp[f][p][2])
        for path, kind in diffs:
            found[(rel, path, kind)] = True
    expected = load_expected(args.expected) if os.path.exists(args.expected) else {}

    if args.update:
        header = ["# file\tpart path\tkind\treason (see compare_python.py)\n"]
        if os.path.exists(args.expected):
            with open(args.expected, encoding="utf-8") as f:
                header = [line for line in f if line.startswith("#")] or header
        with open(args.expected, "w", encoding="utf-8") as out:
            out.writelines(header)
            for key in sorted(found):
                out.write("\t".join(key) + "\t" + expected.get(key, "TODO") + "\n")
        print(f"wrote {len(found)} rows to {args.expected}")
        return 0

    new = sorted(k for k in found if k not in expected)
    gone = sorted(k for k in expected if k not in found)
    print(f"{args.label}: messages: {len(files)}, malformed (by the C++ walker): {len(malformed)}")
    print(f"{args.label}: leaf parts compared: {total}, agreeing: {agree} "
          f"({100.0 * agree / max(total, 1):.2f}%), known differences: {len(found) - len(new)}")
    if args.text:
        print(f"{args.label}: text parts converted to UTF-8 by both: {texts}, same text: {text_agree} "
              f"({100.0 * text_agree / max(texts, 1):.2f}%)")
    for k in new:
        print("NEW DIFFERENCE: " + "\t".join(k))
    for k in gone:
        print("LISTED BUT NO LONGER DIFFERENT (remove it): " + "\t".join(k))
    return 1 if new or gone else 0


if __name__ == "__main__":
    sys.exit(main())
