#!/usr/bin/env python3
"""Deterministic generator of MIME test messages for the conformance checks.

gen_mime.py --seed N --out DIR      writes DIR/*.eml and DIR/INDEX.tsv
gen_mime.py --seed N --verify DIR   regenerates in memory; fails unless DIR holds exactly
                                    those bytes (the generator is deterministic)

The set:
- every CTE x charset x nesting x line ending (CTES, CHARSETS in mime_build.py, NESTINGS
  below, EOLS): NAME = CTE__CHARSET__NESTING__EOL.eml;
- nesting depth around the walker's limits (32 by default, at most 256): depth-*__EOL.eml;
- the malformations the walker and decoders claim to handle (malformed.py):
  malformed-CLASS__EOL.eml.
INDEX.tsv has one row per message: file, sha256, class, description, so a failure that
names a file names its class. Content (words, line lengths, boundaries) comes from a
random.Random seeded with "SEED:NAME": a message does not change when others are added.
Python 3 standard library only.
"""

import argparse
import hashlib
import os
import random
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
import malformed  # noqa: E402
from mime_build import (CHARSETS, CTES, EOLS, Leaf, Lines, Multi, Rfc822, b64_lines,  # noqa: E402
                        charset_label, content_type, cte_headers, encode_body, encode_text,
                        multi, text_leaf, text_lines, top_headers, write)


def alternative(rng, cte, charset, eol, level):
    return multi(rng, "alternative", [text_leaf(rng, cte, charset, eol, False),
                                      text_leaf(rng, cte, charset, eol, True)], level)


def attachment(rng, cte, charset, eol):
    data = encode_text(text_lines(rng, charset, False), charset, eol)
    data[-1] += bytes(rng.randrange(0x80, 0x100) for _ in range(40))
    return Leaf([content_type("application/octet-stream", name="notes.bin"),
                 b'Content-Disposition: attachment; filename="notes.bin"'] + cte_headers(cte),
                encode_body(data, cte, eol))


def image(rng, eol):
    data = b"GIF89a" + bytes(rng.getrandbits(8) for _ in range(rng.randint(40, 300)))
    return Leaf([b"Content-Type: image/gif", b"Content-ID: <logo@gen.example>",
                 b"Content-Transfer-Encoding: base64"], b64_lines(data, 76))


def nested_message(rng, cte, charset, eol):
    inner = alternative(rng, cte, charset, eol, 2)
    inner.headers = [b"From: inner@example.org", b"Subject: forwarded"] + inner.headers
    return Rfc822([b"Content-Type: message/rfc822"], inner)


def digest_item(rng, cte, charset, eol, n):
    leaf = text_leaf(rng, cte, charset, eol, False)
    leaf.headers = [b"Subject: digest item %d" % n] + leaf.headers
    return Rfc822([], leaf)  # no headers: the default type in a digest is message/rfc822


NESTINGS = {
    "single": lambda r, c, s, e: text_leaf(r, c, s, e, True),
    "alternative": lambda r, c, s, e: alternative(r, c, s, e, 1),
    "mixed": lambda r, c, s, e: multi(r, "mixed", [text_leaf(r, c, s, e, False), attachment(r, c, s, e)]),
    "related": lambda r, c, s, e: Multi(
        [content_type("multipart/related", boundary="rel-1", type="text/html")], b"rel-1",
        [text_leaf(r, c, s, e, True), image(r, e)]),
    "rfc822": lambda r, c, s, e: multi(r, "mixed", [text_leaf(r, c, s, e, False), nested_message(r, c, s, e)]),
    "digest": lambda r, c, s, e: Multi(
        [content_type("multipart/digest", boundary="dig")], b"dig",
        [digest_item(r, c, s, e, 1), digest_item(r, c, s, e, 2)]),
}

# Leaf depth (the walker counts the top-level entity as 0) around the default limit of 32
# and the ceiling of 256; "message" alternates multipart and message/rfc822 levels.
DEPTHS = [(d, "multipart") for d in (2, 8, 31, 32, 33, 40, 64, 256, 257, 300)] + \
         [(d, "message") for d in (32, 33)]


def deep(rng, eol, depth, how):
    entity = text_leaf(rng, "qp", "utf-8", eol, True)
    for level in range(depth, 0, -1):
        if how == "message" and level % 2 == 0:
            entity.headers = [b"Subject: level %d" % level] + entity.headers
            entity = Rfc822([b"Content-Type: message/rfc822"], entity)
        else:
            b = b"d%d" % level
            entity = Multi([content_type("multipart/mixed", boundary=b.decode())], b, [entity])
    return entity


def render(name, entity, eol, tweak=None):
    out = Lines(eol)
    entity.headers = top_headers(name) + entity.headers
    write(out, entity)
    if tweak:
        tweak(out)
    return bytes(out.out)


def messages(seed):
    """(file name, class, description, bytes) for the whole set, in a fixed order."""
    def rng_for(name):
        return random.Random("%d:%s" % (seed, name))

    for cte in CTES:
        for charset in CHARSETS:
            for nesting, build in NESTINGS.items():
                for eol in EOLS:
                    name = "%s__%s__%s__%s" % (cte, charset, nesting, eol)
                    entity = build(rng_for(name), cte, charset, eol)
                    yield (name + ".eml", "cte=%s charset=%s nesting=%s eol=%s" % (cte, charset, nesting, eol),
                           "%s text in %s, %s" % (cte, charset_label(charset), nesting), render(name, entity, eol))
    for depth, how in DEPTHS:
        for eol in EOLS:
            name = "depth-%d-%s__%s" % (depth, how, eol)
            entity = deep(rng_for(name), eol, depth, how)
            yield (name + ".eml", "depth=%d nesting=%s eol=%s" % (depth, how, eol),
                   "a leaf at depth %d under %s levels" % (depth, how), render(name, entity, eol))
    for cls, (what, build) in malformed.CASES.items():
        for eol in EOLS:
            name = "malformed-%s__%s" % (cls, eol)
            entity, tweak = build(rng_for(name), eol)
            yield (name + ".eml", "malformed=%s eol=%s" % (cls, eol), what, render(name, entity, eol, tweak))


def index_rows(seed):
    for file, cls, what, data in messages(seed):
        yield file, hashlib.sha256(data).hexdigest(), cls, what, data


def generate(seed, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    for old in os.listdir(out_dir):
        if old.endswith(".eml"):
            os.remove(os.path.join(out_dir, old))
    index = ["# file\tsha256\tclass\tdescription (written by gen_mime.py --seed %d)" % seed]
    for file, digest, cls, what, data in index_rows(seed):
        with open(os.path.join(out_dir, file), "wb") as f:
            f.write(data)
        index.append("\t".join((file, digest, cls, what)))
    with open(os.path.join(out_dir, "INDEX.tsv"), "w", encoding="utf-8") as f:
        f.write("\n".join(index) + "\n")
    print("gen_mime: %d messages in %s" % (len(index) - 1, out_dir))


def verify(seed, out_dir):
    """Regenerates and compares every file's bytes; returns the number of problems."""
    problems = 0
    expected = set()
    for file, digest, _cls, _what, _data in index_rows(seed):
        expected.add(file)
        path = os.path.join(out_dir, file)
        have = hashlib.sha256(open(path, "rb").read()).hexdigest() if os.path.exists(path) else "absent"
        if have != digest:
            print("differs from a fresh generation: %s" % file)
            problems += 1
    extra = sorted(f for f in os.listdir(out_dir) if f.endswith(".eml") and f not in expected)
    for f in extra:
        print("not generated by this seed: %s" % f)
    print("gen_mime --verify: %d messages, %d differ, %d extra" % (len(expected), problems, len(extra)))
    return problems + len(extra)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, required=True)
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--out")
    where.add_argument("--verify")
    args = ap.parse_args()
    if args.out:
        generate(args.seed, args.out)
        return 0
    return 1 if verify(args.seed, args.verify) else 0


if __name__ == "__main__":
    sys.exit(main())
