#!/usr/bin/env python3
"""Differential oracle: the engine's HTML tokenizer and html::scan against html5lib.

    oracle.py --what tokens|resources --dump HTML_DUMP --inputs DIR --expected TSV
              [--generated N] [--seed S]

Inputs: every *.html of DIR (hand-written edge cases) and N documents of gen_html.py.
html_dump prints what the engine makes of each; html5lib_side.py what html5lib does:
  tokens     the token stream (start tags with their attributes after character-reference
             decoding, end tags, comments, doctype names, CDATA, raw text), compared in
             order. Text outside raw-text elements is not compared: the engine skips it.
  resources  every remote resource URL (vector, attribute, URL) and every absolute link,
             compared as multisets (html5lib's tree moves nodes, e.g. out of tables).
The engine works on raw bytes and keeps CR LF as they are (the rewriter must keep every
byte); html5lib normalizes line ends first, so the engine's strings are compared after
the same normalization, and raw text of title/textarea after character-reference
decoding (which html5lib's tokenizer does there, and the engine never needs).

Known, explained differences are listed in the expected-differences file, one per line:
    what <TAB> input <TAB> side (engine|html5lib: who has the extra item) <TAB> item <TAB> reason
A difference not listed fails, and so does a listed one that no longer occurs.
Exit 77 when html5lib is not installed (scripts/setup installs python3-html5lib).
"""
import argparse
import collections
import difflib
import html
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, str(Path(__file__).resolve().parent))
try:
    import html5lib  # noqa: F401  (Debian: python3-html5lib)
except ImportError:
    print("html5lib is not installed for this interpreter (apt-get install python3-html5lib)")
    sys.exit(77)
import gen_html  # noqa: E402
import html5lib_side  # noqa: E402

RCDATA = {"title", "textarea"}


def norm(s):
    return s.replace("\r\n", "\n").replace("\r", "\n")


def engine_tokens(tokens):
    out = []
    for t in tokens:
        if t[0] == "start":
            out.append(["start", t[1], [[k, norm(v)] for k, v in t[2]], t[3]])
        elif t[0] in ("comment", "cdata"):
            out.append([t[0], norm(t[1]).replace("\0", "\ufffd")])
        elif t[0] == "raw":
            text = norm(t[2]).replace("\0", "\ufffd")
            out.append(["raw", t[1], html.unescape(text) if t[1] in RCDATA else text])
        else:
            out.append(t)
    return out


def engine_resources(rec):
    items = [[r["vector"], r["attribute"], norm(r["url"])] for r in rec["resources"]]
    items += [["navigation", "", norm(u)] for u in rec["links"]]
    return items


def oracle_resources(doc, rcdata):
    res, links = html5lib_side.resources(doc, rcdata)
    return [list(r) for r in res] + [["navigation", "", u] for u in links]


def key(item):
    return json.dumps(item, ensure_ascii=False)


def diff_tokens(engine, oracle):
    """(matched, [(side, item)]) of two token sequences."""
    a, b = [key(t) for t in engine], [key(t) for t in oracle]
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    matched, diffs = 0, []
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            matched += i2 - i1
            continue
        diffs += [("engine", x) for x in a[i1:i2]]
        diffs += [("html5lib", x) for x in b[j1:j2]]
    return matched, diffs


def diff_multiset(engine, oracle):
    a = collections.Counter(key(i) for i in engine)
    b = collections.Counter(key(i) for i in oracle)
    matched = sum((a & b).values())
    diffs = [("engine", k) for k in sorted((a - b).elements())]
    diffs += [("html5lib", k) for k in sorted((b - a).elements())]
    return matched, diffs


def load_expected(path, what):
    expected = collections.Counter()
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) != 5 or not cols[4].strip():
            sys.exit(f"{path}:{n}: want what, input, side, item, reason (tab-separated)")
        if cols[0] == what:
            expected[(cols[1], cols[2], cols[3])] += 1
    return expected


def run_dump(dump, files):
    out = subprocess.run([dump, *map(str, files)], check=True, capture_output=True).stdout
    records = {}
    for line in out.decode("utf-8", "surrogateescape").split("\n")[:-1]:
        rec = json.loads(line)
        records[Path(rec["file"]).name] = rec
    return records


def main():
    ap = argparse.ArgumentParser(description="html5lib differential oracle")
    ap.add_argument("--what", choices=["tokens", "resources"], required=True)
    ap.add_argument("--dump", required=True)
    ap.add_argument("--inputs", required=True)
    ap.add_argument("--expected", required=True)
    ap.add_argument("--generated", type=int, default=400)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    handwritten = sorted(Path(args.inputs).glob("*.html"))
    if not handwritten:
        sys.exit(f"no *.html in {args.inputs}")
    with tempfile.TemporaryDirectory() as tmp:
        generated = []
        for name, text in gen_html.generate(args.generated, args.seed):
            p = Path(tmp) / name
            p.write_bytes(text.encode("utf-8"))
            generated.append(p)
        files = handwritten + generated
        records = run_dump(args.dump, files)

        expected = load_expected(args.expected, args.what)
        found = collections.Counter()
        n_engine = n_oracle = n_matched = 0
        agree_inputs = 0
        for f in files:
            text = f.read_bytes().decode("utf-8")
            tokens, doc, rcdata = html5lib_side.parse(text)
            rec = records[f.name]
            if args.what == "tokens":
                engine, oracle = engine_tokens(rec["tokens"]), tokens
                matched, diffs = diff_tokens(engine, oracle)
            else:
                engine, oracle = engine_resources(rec), oracle_resources(doc, rcdata)
                matched, diffs = diff_multiset(engine, oracle)
            n_engine += len(engine)
            n_oracle += len(oracle)
            n_matched += matched
            agree_inputs += not diffs
            for side, item in diffs:
                found[(f.name, side, item)] += 1

    new = found - expected
    vanished = expected - found
    for (name, side, item), n in sorted(new.items()):
        print(f"NEW {args.what}\t{name}\t{side}\t{item}" + (f"  (x{n})" if n > 1 else ""))
    for (name, side, item), n in sorted(vanished.items()):
        print(f"VANISHED {args.what}\t{name}\t{side}\t{item}  (listed in {Path(args.expected).name}, no longer occurs)")
    total = max(n_engine, n_oracle)
    print(f"{args.what}: {len(files)} inputs ({len(handwritten)} hand-written, {len(generated)} generated, "
          f"seed {args.seed}); engine {n_engine}, html5lib {n_oracle}, matched {n_matched} "
          f"({100.0 * n_matched / max(total, 1):.2f}%); inputs in full agreement {agree_inputs}/{len(files)}; "
          f"differences {sum(found.values())} ({sum(expected.values())} expected, "
          f"{sum(new.values())} new, {sum(vanished.values())} vanished)")
    sys.exit(1 if new or vanished else 0)


if __name__ == "__main__":
    main()
