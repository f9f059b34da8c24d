#!/usr/bin/env python3
"""The real-browser test: what Chromium fetches from mail before and after the filter.

Every row of the resource table (milter/html/resource_table.cpp, published in
docs/ruleset.md) is one case: its sample becomes one part of a test message, which
`pixelwarden filter` filters under `remote_content: neutralize`. The HTML parts of the
original and of the filtered message (extracted with Python's `email` package, each with
its MIME charset) are loaded in Chromium (chromium.py: chromium-headless-shell, scripting
off, every request through a logging proxy on loopback that answers nothing remote). Each
case has its own host, so every request is attributed to its case. Checks:

- before the filter, Chromium fetches a row's URL exactly when the table says it does
  (the table's `chromium` column is a measured fact, not a belief);
- after the filter, nothing remote is requested at all;
- under the shipped default ruleset (rules/default.yaml), the hidden pixels of
  PIXEL_CASES are fetched before and not after, and the named legitimate images of
  LEGITIMATE_CASES are still fetched after;
- no request goes to a host no case owns (a background request of the browser).

A case whose handling is not in the engine yet is listed in expected-failures.txt
beside this file: it must still fail (a listed case that passes fails the test, so the
list shrinks as the engine gains the handling and cannot go stale).

--corpus DIR: the real HTML mail of the outside corpora (DIR/html-mail), filtered under
`remote_content: neutralize`: nothing remote may be requested after the filter.

--hostile: the messages of tests/reliability/hostile_messages.py instead, each filtered
with the default ruleset as that test does; the HTML of the message as delivered (for a
message held by the malformed/oversize policy: as it would be released) is loaded, and a
delivered (accepted) message must not make the browser request its pixel.

Exit status: 0 pass, 1 fail, 77 when chromium-headless-shell or the binary is missing.
"""

import argparse
import collections
import email
import email.policy
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, HERE)
import chromium  # noqa: E402

SKIP = 77
HOST_SUFFIX = ".remote.example"
NEUTRALIZE_RULES = 'ruleset:\n  name: browser-neutralize\n  version: "1"\nremote_content:\n  action: neutralize\n'

# Hidden pixels the invisibility heuristic must catch under the default ruleset; their
# hosts are on no tracker list, so only the heuristic decides them.
PIXEL_CASES = {
    "pixel-size-attributes": '<p>Hello</p><img src="{URL}" width="1" height="1" alt="">',
    "pixel-inline-style": '<p>Hello</p><img src="{URL}" style="width:1px;height:1px" alt="">',
    "pixel-hidden-ancestor": '<p>Hello</p><div style="display:none"><img src="{URL}" alt=""></div>',
    "pixel-class-size": '<style>.px{width:1px;height:1px}</style><p>Hello</p><img class="px" src="{URL}" alt="">',
    "pixel-id-size": '<style>#t{width:0;height:0}</style><p>Hello</p><img id="t" src="{URL}" alt="">',
    "pixel-class-hidden-ancestor":
        '<style>.hide{display:none}</style><p>Hello</p><div class="hide"><img src="{URL}" alt=""></div>',
    "pixel-class-visibility":
        '<style>img.t{visibility:hidden}</style><p>Hello</p><img class="t" src="{URL}" alt="">',
}
# Legitimate images that the default ruleset must leave alone (fetched after the filter).
LEGITIMATE_CASES = {
    "legit-hero": '<h1>Autumn sale</h1><img src="{URL}" width="600" height="300" alt="Our autumn collection">',
    "legit-logo-class":
        '<style>.logo{border:0;display:block}</style><img class="logo" src="{URL}" width="120" height="40" alt="Shop">',
    "legit-cell-background":
        '<table><tr><td style="background-image:url({URL})" width="600" height="200">Sale</td></tr></table>',
}


class Checks:
    def __init__(self):
        self.failures = []

    def check(self, ok, what):
        print(("ok    " if ok else "FAIL  ") + what)
        if not ok:
            self.failures.append(what)
        return ok


def url_of(case_id):
    return f"http://{case_id}{HOST_SUFFIX}/r.png"


def fill(sample, case_id):
    return sample.replace("{URL}", url_of(case_id)).replace("{HOST}", case_id + HOST_SUFFIX)


def read_expected_failures(path):
    out = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                out[line.split()[0]] = line
    return out


# --- messages -------------------------------------------------------------------------

def leaf(part_type, case_id, html):
    return (f"Content-Type: {part_type}; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n"
            f"Content-Description: pw-case {case_id}\r\n\r\n{html}\r\n")


def case_part(case_id, part_type, html):
    """One case as a MIME part. An AMP part travels as AMP does: in a
    multipart/alternative beside a plain-text and an HTML version."""
    if part_type == "text/html":
        return leaf(part_type, case_id, html)
    b = f"alt-{case_id}"
    return (f'Content-Type: multipart/alternative; boundary="{b}"\r\n\r\n'
            f"--{b}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHello\r\n"
            f"--{b}\r\n{leaf(part_type, case_id, html)}"
            f"--{b}\r\n{leaf('text/html', case_id + '-html-version', '<p>Hello</p>')}"
            f"--{b}--\r\n")


def message(cases):
    """cases: [(id, part_type, html)] -> one multipart/mixed message, one part each."""
    out = ["From: news@shop.example\r\nTo: reader@example.net\r\nSubject: resource cases\r\n"
           "Message-ID: <browser-cases@shop.example>\r\nMIME-Version: 1.0\r\n"
           'Content-Type: multipart/mixed; boundary="case-boundary"\r\n\r\n']
    for case_id, part_type, html in cases:
        out.append("--case-boundary\r\n" + case_part(case_id, part_type, html))
    out.append("--case-boundary--\r\n")
    return "".join(out).encode()


def run_filter(binary, root, name, msg, rules=None, config=None):
    """(verdict, delivered bytes) of `pixelwarden filter`."""
    src, out, verdict = (os.path.join(root, f"{name}.{x}") for x in ("in.eml", "out.eml", "verdict.json"))
    with open(src, "wb") as f:
        f.write(msg)
    cmd = [binary, "filter", "-o", out, "--verdict", verdict]
    cmd += ["--config", config] if config else ["--rules", rules]
    r = subprocess.run(cmd + [src], capture_output=True, timeout=300)
    if r.returncode != 0:
        raise RuntimeError(f"pixelwarden filter {name}: exit {r.returncode}: {r.stderr.decode(errors='replace')[:300]}")
    with open(verdict, encoding="utf-8") as f:
        v = json.load(f)
    with open(out, "rb") as f:
        return v, f.read()


def rendered_parts(raw):
    """[(label, bytes, charset or None)] of the parts a client renders as HTML: text/html
    and AMP (text/x-amp-html), as Python's email package reads them."""
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    out = []
    for i, part in enumerate(msg.walk()):
        if part.is_multipart() or part.get_content_type() not in ("text/html", "text/x-amp-html"):
            continue
        desc = part.get("Content-Description", "")
        label = desc.split(" ", 1)[1] if desc.startswith("pw-case ") else f"part{i}"
        out.append((label, part.get_payload(decode=True) or b"", part.get_content_charset()))
    return out


# --- the browser ----------------------------------------------------------------------

def render(browser, proxy, phase, parts):
    """Loads every part; returns (requests, seconds, parts not idle in time)."""
    urls = []
    for label, body, charset in parts:
        ctype = f"text/html; charset={charset}" if charset else "text/html"  # else Chromium sniffs
        urls.append(proxy.add_page(f"/{phase}/{label}", body, ctype))
    proxy.take()
    t0 = time.monotonic()
    idle = browser.load(urls)
    time.sleep(0.5)  # a late request still lands in this phase
    return proxy.take(), time.monotonic() - t0, [u for u, s in idle.items() if s is None]


def by_case(requests, case_ids):
    got = collections.defaultdict(list)
    for method, host, target in requests:
        owner = host[:-len(HOST_SUFFIX)] if host.endswith(HOST_SUFFIX) else None
        got[owner if owner in case_ids else None].append(f"{method} {target}")
    return got


def resource_cases(checks, args, browser, proxy, root):
    rows = [json.loads(line) for line in subprocess.run(
        [args.table_dump], capture_output=True, check=True, text=True).stdout.splitlines()]
    expected_failures = read_expected_failures(args.expected)
    rule_files = {"neutralize": os.path.join(root, "neutralize.yaml"),
                  "default": os.path.join(SOURCE, "rules", "default.yaml")}
    with open(rule_files["neutralize"], "w", encoding="utf-8") as f:
        f.write(NEUTRALIZE_RULES)

    # case id -> (policy, fetched before?, fetched after?, what)
    cases = {r["id"]: ("neutralize", r["chromium"], False, r["construct"]) for r in rows}
    cases.update({k: ("default", True, False, "hidden pixel") for k in PIXEL_CASES})
    cases.update({k: ("default", True, True, "legitimate image") for k in LEGITIMATE_CASES})
    for name in expected_failures:
        checks.check(name in cases, f"expected-failures.txt: {name} is a case")
    messages = {
        "neutralize": [(r["id"], r["part_type"], "<!doctype html>" + fill(r["sample"], r["id"])) for r in rows],
        "default": [(k, "text/html", "<!doctype html><html><body>" + fill(v, k) + "</body></html>")
                    for k, v in {**PIXEL_CASES, **LEGITIMATE_CASES}.items()],
    }
    before, after = [], []
    for policy, parts in messages.items():
        msg = message(parts)
        verdict, delivered = run_filter(args.binary, root, policy, msg, rules=rule_files[policy])
        checks.check(verdict["action"] == "accept" and verdict["skipped"] is None,
                     f"{policy}: the case message is accepted and read in full "
                     f"(action={verdict['action']}, skipped={verdict['skipped']})")
        before += rendered_parts(msg)
        after += rendered_parts(delivered)
    ids = set(cases)
    got_before, seconds_before, slow_before = render(browser, proxy, "before", before)
    got_after, seconds_after, slow_after = render(browser, proxy, "after", after)
    req_before, req_after = by_case(got_before, ids), by_case(got_after, ids)
    print(f"Chromium: {sum(map(len, req_before.values()))} requests before the filter "
          f"({len(before)} pages, {seconds_before:.1f} s), {sum(map(len, req_after.values()))} after "
          f"({len(after)} pages, {seconds_after:.1f} s)")
    checks.check(not slow_before and not slow_after,
                 f"every page reached network idle (not: {slow_before + slow_after})")
    checks.check(not req_before[None] and not req_after[None],
                 f"no request outside the cases' hosts: {req_before[None] + req_after[None]}")

    still_failing = []
    for case_id, (policy, want_before, want_after, what) in cases.items():
        b, a = req_before.get(case_id, []), req_after.get(case_id, [])
        checks.check(bool(b) == want_before,
                     f"{case_id}: before the filter Chromium {'fetches' if b else 'does not fetch'} "
                     f"({what}; the table says {'it does' if want_before else 'it does not'}) {b}")
        ok_after = bool(a) == want_after
        label = (f"{case_id}: after the filter ({policy}) "
                 f"{'fetched' if a else 'nothing fetched'} {a if a else ''}")
        if case_id in expected_failures:
            if ok_after:
                checks.check(False, f"{label}: passes now; remove it from expected-failures.txt")
            else:
                still_failing.append(case_id)
                print(f"xfail {label}")
        else:
            checks.check(ok_after, label)
    fetching = [c for c, v in cases.items() if v[1]]
    print(f"{len(cases)} cases ({len(rows)} table rows, {len(PIXEL_CASES)} hidden pixels, "
          f"{len(LEGITIMATE_CASES)} legitimate images), {len(fetching)} fetch before the filter; "
          f"expected failures still failing: {len(still_failing)} {still_failing}")


def hostile_cases(checks, args, browser, proxy, root):
    sys.path.insert(0, os.path.join(SOURCE, "tests", "reliability"))
    import hostile_messages as hm  # noqa: E402 (the reliability test's own messages)
    before, after, verdicts = [], [], {}
    for n, (name, msg, extra) in enumerate(hm.hostile_messages()):
        label = f"h{n}"
        config = None
        if extra:
            config = os.path.join(root, f"{label}.yaml")
            with open(config, "w", encoding="utf-8") as f:
                for section, values in extra.items():
                    f.write(f"{section}:\n" + "".join(f"  {k}: {v}\n" for k, v in values.items()))
                f.write(f"rules:\n  path: {os.path.join(SOURCE, 'rules', 'default.yaml')}\n")
        verdict, delivered = run_filter(args.binary, root, label, msg, config=config,
                                        rules=os.path.join(SOURCE, "rules", "default.yaml"))
        verdicts[label] = (name, verdict)
        before += [(f"{label}-{p}", body, cs) for p, body, cs in rendered_parts(msg)]
        after += [(f"{label}-{p}", body, cs) for p, body, cs in rendered_parts(delivered)]
    got_before, _, _ = render(browser, proxy, "hostile-before", before)
    got_after, seconds, slow = render(browser, proxy, "hostile-after", after)
    pixel = hm.PIXEL_HOST
    checks.check(all(h == pixel for _, h, _ in got_before + got_after),
                 f"no request but the campaign's pixel: {[r for r in got_before + got_after if r[1] != pixel]}")
    # The page a request came from is not in the proxied request (scripting is off, no
    # Referer is reliable for every vector): render the delivered parts of each message
    # again one message at a time when anything was fetched, to name the message.
    print(f"hostile: {len(got_before)} pixel requests from the {len(before)} HTML parts as sent, "
          f"{len(got_after)} from the {len(after)} parts as delivered ({seconds:.1f} s)")
    by_message = collections.defaultdict(list)
    for label, body, cs in after:
        by_message[label.split("-", 1)[0]].append((label, body, cs))
    for label, (name, verdict) in verdicts.items():
        parts = by_message.get(label, [])
        fetched = []
        if got_after and parts:
            fetched, _, _ = render(browser, proxy, f"hostile-{label}", parts)
        held = verdict["action"] == "quarantine"
        how = ("held by the malformed/oversize policy" if held else f"delivered ({verdict['action']})")
        if held:
            print(f"note  {name}: {how}, skipped={verdict['skipped']}, "
                  f"{len(fetched)} pixel requests if released")
        else:
            # Every hostile message carries its pixel in an HTML part: a delivered one
            # without any would pass this check vacuously.
            checks.check(bool(parts) and not fetched, f"{name}: {how}: {len(parts)} HTML parts, "
                         f"{len(fetched)} pixel requests {fetched if fetched else ''}")
    checks.check(not slow, f"every page reached network idle (not: {slow})")


def corpus_cases(checks, args, browser, proxy, root):
    """Real HTML mail (the outside corpus, tests/README.md): every .eml and .html file
    under CORPUS/html-mail, filtered under `remote_content: neutralize`; after the
    filter no page may request anything remote."""
    top = os.path.join(args.corpus, "html-mail")
    files = sorted(os.path.join(d, f) for d, _, names in os.walk(top) for f in names
                   if f.endswith((".eml", ".html", ".htm")))
    checks.check(bool(files), f"the corpus has mail: {len(files)} files under {top}")
    rules = os.path.join(root, "neutralize.yaml")
    with open(rules, "w", encoding="utf-8") as f:
        f.write(NEUTRALIZE_RULES)
    before, after, held = [], [], []
    for n, path in enumerate(files):
        with open(path, "rb") as f:
            raw = f.read()
        if not path.endswith(".eml"):
            raw = (b"From: corpus@example.org\r\nTo: reader@example.net\r\nSubject: corpus\r\n"
                   b"MIME-Version: 1.0\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + raw)
        verdict, delivered = run_filter(args.binary, root, f"c{n}", raw, rules=rules)
        if verdict["action"] != "accept":
            held.append(f"{os.path.relpath(path, top)}: {verdict['action']} {verdict['skipped']}")
        before += [(f"c{n}-{p}", body, cs) for p, body, cs in rendered_parts(raw)]
        after += [(f"c{n}-{p}", body, cs) for p, body, cs in rendered_parts(delivered)]
    got_before, seconds_before, _ = render(browser, proxy, "corpus-before", before)
    got_after, seconds_after, slow = render(browser, proxy, "corpus-after", after)
    print(f"corpus: {len(files)} files, {len(before)} HTML parts: {len(got_before)} remote requests before the "
          f"filter ({seconds_before:.1f} s), {len(got_after)} after ({seconds_after:.1f} s); "
          f"not accepted: {held}")
    offenders = sorted({os.path.relpath(files[int(label[1:].split("-", 1)[0])], top)
                        for label, body, _ in after
                        for _, host, _ in got_after if host.encode() in body})
    checks.check(not got_after, f"corpus: nothing remote requested after the filter "
                 f"{[f'{m} {t}' for m, _, t in got_after[:20]]} {offenders[:20]}")
    if slow:
        print(f"note  {len(slow)} pages did not reach network idle in time")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--binary", default=os.environ.get("PIXELWARDEN_BIN",
                                                      os.path.join(SOURCE, "build", "release", "milter", "pixelwarden")))
    p.add_argument("--table-dump", default=os.path.join(SOURCE, "build", "release", "tests", "conformance",
                                                        "browser", "resource_table_dump"))
    p.add_argument("--expected", default=os.path.join(HERE, "expected-failures.txt"))
    p.add_argument("--hostile", action="store_true", help="the hostile messages of tests/reliability")
    p.add_argument("--corpus", help="the outside corpora folder: its html-mail/ instead")
    p.add_argument("--keep", action="store_true", help="keep the temp dir")
    args = p.parse_args()
    if not chromium.find_browser():
        print(f"SKIP: {chromium.EXECUTABLE} is not installed (scripts/setup test installs it)")
        return SKIP
    for tool in ([args.binary] if args.hostile or args.corpus else [args.binary, args.table_dump]):
        if not os.access(tool, os.X_OK):
            print(f"SKIP: {tool} is not built")
            return SKIP
    t0 = time.monotonic()
    checks = Checks()
    root = tempfile.mkdtemp(prefix="pw-browser-")
    proxy = chromium.Proxy()
    browser = chromium.Browser(proxy)
    try:
        for problem in browser.check_harness():
            checks.check(False, f"harness: {problem}")
        if not checks.failures:
            checks.check(True, "harness: one <img> page gives exactly one proxied request; scripting is off")
            mode = hostile_cases if args.hostile else corpus_cases if args.corpus else resource_cases
            mode(checks, args, browser, proxy, root)
    finally:
        browser.close()
        proxy.close()
        if checks.failures or args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)
    print(f"{len(checks.failures)} failures, {time.monotonic() - t0:.1f} s")
    return 1 if checks.failures else 0


if __name__ == "__main__":
    sys.exit(main())
