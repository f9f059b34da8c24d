#!/usr/bin/env python3
"""Generates a mail store for benchmarking `pixelwarden scan`.

Mix (by count): 60% HTML newsletters without trackers, 20% newsletters with tracking
pixels (known tracker domains, a per-recipient token, an invisible image), 10% plain
text, 8% with a base64 attachment (--attachment-bytes, default 1 MB), 2% lures
(sender on lure-news.example). Written as a Maildir (cur/ and new/ plus Maildir++
subfolders) or, with --mbox, as one mboxrd file. Deterministic for a given --seed.

Size: the newsletters average ~25 KB, so the attachments dominate: N=100,000 with 1 MB
attachments is ~11 GB (use --attachment-bytes 150000 for a ~2 GB store). --clean-only
leaves out trackers and lures (for the "mail without trackers" throughput target).
Prints the planted counts as JSON on stdout.
"""
import argparse
import base64
import json
import os
import random

WORDS = ("parliament committee budget hearing report minister agenda vote amendment session "
         "policy security briefing analysis market energy climate digital europe election").split()
TRACKER_URLS = [
    "https://t.tracker.example/open.gif?id={n}",
    "https://list-manage.com/track/open.php?u=abc{n}&id=def&e=1",
    "https://click.tracker.example/o/{n}.png",
]


def paragraph(rng, words=60):
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def newsletter_html(rng, n, tracked, rcpt):
    rows = []
    for i in range(rng.randint(12, 30)):
        rows.append(
            f'<tr><td style="padding:12px;font:14px Arial,sans-serif;color:#333">'
            f'<img src="https://cdn.shop.example/img/{n}-{i}.jpg" width="560" height="200" alt="">'
            f"<h2>{paragraph(rng, 6)}</h2><p>{paragraph(rng)}</p>"
            f'<a href="https://www.shop.example/article/{n}/{i}">Read more</a></td></tr>')
    pixel = ""
    if tracked:
        url = rng.choice(TRACKER_URLS).format(n=n)
        token = base64.urlsafe_b64encode(rcpt.encode()).decode().rstrip("=")
        pixel = (f'<img src="{url}" width="1" height="1" alt="">'
                 f'<img src="https://img.shop.example/p.gif?u={token}" style="display:none">')
    return ("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><style>td{line-height:1.4}</style></head>"
            "<body><table width=\"600\" cellpadding=\"0\" cellspacing=\"0\">" + "".join(rows) +
            "</table>" + pixel + "</body></html>")


def headers(n, sender, rcpt, subject, extra=""):
    day = 1 + n % 28
    return (f"Return-Path: <{sender}>\r\nDelivered-To: {rcpt}\r\nFrom: <{sender}>\r\nTo: {rcpt}\r\n"
            f"Subject: {subject}\r\nDate: Mon, {day} Mar 2021 10:{n % 60:02d}:00 +0000\r\n"
            f"Message-ID: <bench-{n}@{sender.split('@')[1]}>\r\nMIME-Version: 1.0\r\n{extra}")


def qp_wrap(html):
    # Soft line breaks every 76 characters, as real newsletters are sent.
    lines = []
    for i in range(0, len(html), 75):
        chunk = html[i:i + 75].replace("=", "=3D")
        lines.append(chunk)
    return "=\r\n".join(lines)


def make_message(rng, n, kind, rcpt, attachment_bytes):
    if kind == "plain":
        return headers(n, "friend@friend.example", rcpt, "Tomorrow",
                       "Content-Type: text/plain; charset=utf-8\r\n") + "\r\n" + "\r\n".join(
                           paragraph(rng, 12) for _ in range(20)) + "\r\n"
    if kind == "attachment":
        data = base64.encodebytes(rng.randbytes(attachment_bytes)).decode().replace("\n", "\r\n")
        return (headers(n, "office@partner.example", rcpt, "Report",
                        'Content-Type: multipart/mixed; boundary="b"\r\n') +
                "\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n--b\r\n"
                "Content-Type: application/pdf; name=\"report.pdf\"\r\nContent-Transfer-Encoding: base64\r\n"
                "Content-Disposition: attachment; filename=\"report.pdf\"\r\n\r\n" + data + "--b--\r\n")
    sender = "editor@lure-news.example" if kind == "lure" else "news@shop.example"
    html = newsletter_html(rng, n, kind == "tracked", rcpt)
    return (headers(n, sender, rcpt, "Weekly news",
                    'Content-Type: multipart/alternative; boundary="a"\r\n') +
            "\r\n--a\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + paragraph(rng, 40) +
            "\r\n--a\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
            qp_wrap(html) + "\r\n--a--\r\n")


def pick_kind(rng, clean_only):
    r = rng.random()
    if clean_only:
        r *= 0.78  # the same proportions without the tracked and lure share
    if r < 0.60:
        return "newsletter"
    if r < 0.70:
        return "plain"
    if r < 0.78:
        return "attachment"
    if r < 0.98:
        return "tracked"
    return "lure"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out", help="store directory (Maildir) or file (--mbox)")
    ap.add_argument("-n", type=int, default=100_000)
    ap.add_argument("--attachment-bytes", type=int, default=1_000_000)
    ap.add_argument("--mbox", action="store_true")
    ap.add_argument("--clean-only", action="store_true")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    counts = {}
    total = 0
    mbox = open(args.out, "wb") if args.mbox else None
    folders = ["", ".Archive", ".Newsletters"]
    for n in range(args.n):
        kind = pick_kind(rng, args.clean_only)
        counts[kind] = counts.get(kind, 0) + 1
        rcpt = f"user{n % 50}@parliament.example"
        data = make_message(rng, n, kind, rcpt, args.attachment_bytes).encode()
        total += len(data)
        if mbox:
            body = b"\n".join((b">" + l if l.lstrip(b">").startswith(b"From ") else l) for l in data.split(b"\n"))
            mbox.write(b"From bench@example.org Mon Mar  1 10:00:00 2021\n" + body + b"\n")
        else:
            d = os.path.join(args.out, folders[n % 3], "cur" if n % 2 else "new")
            os.makedirs(d, exist_ok=True)
            with open(os.path.join(d, f"{1600000000 + n}.M{n}P1.bench:2,S"), "wb") as f:
                f.write(data)
    if mbox:
        mbox.close()
    print(json.dumps({"messages": args.n, "bytes": total, "kinds": counts}))


if __name__ == "__main__":
    main()
