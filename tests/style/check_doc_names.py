#!/usr/bin/env python3
"""Every function a page names in backticks, `name()` or `ns::Type::name()`, exists in
milter/: some source declares or calls `name(`. Keeps ARCHITECTURE.md true while the
code is renamed under it.

    check_doc_names.py [--root DIR] PAGE...      exit 1 listing the names not found
    check_doc_names.py --self-test               a planted name must be reported
"""
import argparse
import re
import sys
import tempfile
from pathlib import Path

NAME = re.compile(r"`(?:[A-Za-z_][\w]*::)*([A-Za-z_]\w*)\(\)`")


def sources_text(root):
    return "\n".join(p.read_text(encoding="utf-8", errors="replace")
                     for p in sorted((root / "milter").rglob("*.[ch]pp")))


def missing(root, pages):
    code = sources_text(root)
    out = []
    for page in pages:
        text = Path(page).read_text(encoding="utf-8")
        for m in NAME.finditer(text):
            if not re.search(r"\b" + re.escape(m.group(1)) + r"\s*\(", code):
                line = text.count("\n", 0, m.start()) + 1
                out.append(f"{page}:{line}: `{m.group(0)[1:-1]}` names nothing in milter/")
    return out


def self_test(root):
    with tempfile.NamedTemporaryFile("w", suffix=".md", delete=False) as f:
        f.write("`mime::walk()` is real, `engine::no_such_function_here()` is not.\n")
    found = missing(root, [f.name])
    Path(f.name).unlink()
    ok = len(found) == 1 and "no_such_function_here" in found[0]
    print("self-test:", "ok" if ok else f"FAILED: {found}")
    return 0 if ok else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[2])
    ap.add_argument("--self-test", action="store_true")
    ap.add_argument("pages", nargs="*")
    args = ap.parse_args()
    if args.self_test:
        return self_test(args.root)
    bad = missing(args.root, [str(args.root / p) for p in args.pages])
    for b in bad:
        print(b)
    print(f"doc names: {', '.join(args.pages)}: {'all found' if not bad else f'{len(bad)} missing'}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
