#!/usr/bin/env python3
"""Checks the layering of milter/: what each folder may include and link.

    check_layers.py [--root DIR]     exit 0 when clean, 1 listing every violation

The layers (README's code map; each folder is one static library, pw_<folder>):

    cli -> daemon -> observe -> engine -> {html, ruleset} -> {mime, url} -> base
                                   intel -> ruleset

A folder may include and link only itself and what it reaches through the arrows
(LAYERS below). Three kinds of checks, so a shortcut cannot hide in one place:
  1. every `#include "folder/..."` in milter/<folder>/ names an allowed folder;
  2. every `#include <...>` of a glue library (libmilter, civetweb, spdlog,
     prometheus-cpp) is in a folder that may use it (GLUE below): the pure layers see
     bytes and values, never the MTA, sockets or log sinks;
  3. milter/CMakeLists.txt: each layer library links only pw_ libraries of allowed
     folders and glue packages it may use, and adds no include directory of a higher
     layer or of libmilter (the shared include root milter/ is the same for all; check
     1 is what keeps a lower layer out of the higher folders under it).
"""
import argparse
import re
import sys
from pathlib import Path

# Direct dependencies of each folder; the allowed set is their transitive closure.
LAYERS = {
    "base": [],
    "mime": ["base"],
    "url": ["base"],
    "html": ["base", "url"],
    "ruleset": ["base", "url", "mime"],
    "intel": ["base", "url", "ruleset"],
    "engine": ["base", "mime", "html", "url", "ruleset"],
    "observe": ["base", "engine"],
    "daemon": ["engine", "observe"],
    "cli": ["daemon", "engine", "intel"],
}
PURE = ["base", "mime", "url", "html", "ruleset", "engine"]

# Glue libraries: header prefix, CMake link names, folders allowed to use them.
GLUE = {
    "libmilter": (("libmilter/",), ("PkgConfig::MILTER",), {"daemon"}),
    "civetweb": (("civetweb", "CivetServer"), ("CIVETWEB_LIB", "CIVETWEB_INCLUDE"), {"daemon"}),
    "spdlog": (("spdlog/",), ("spdlog::spdlog",), {"observe", "daemon", "cli"}),
    "prometheus": (("prometheus/",), ("prometheus-cpp::core",), {"observe", "daemon"}),
}

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]', re.M)


def allowed(folder):
    seen = {folder}
    todo = list(LAYERS[folder])
    while todo:
        f = todo.pop()
        if f not in seen:
            seen.add(f)
            todo.extend(LAYERS[f])
    return seen


def check_includes(milter):
    errors = []
    for folder in LAYERS:
        ok = allowed(folder)
        for path in sorted((milter / folder).glob("*.[ch]pp")):
            text = path.read_text(encoding="utf-8", errors="replace")
            for m in INCLUDE.finditer(text):
                line = text.count("\n", 0, m.start()) + 1
                where = f"milter/{folder}/{path.name}:{line}"
                header = m.group(2)
                top = header.split("/", 1)[0]
                if m.group(1) == '"' and "/" in header and top in LAYERS and top not in ok:
                    errors.append(f"{where}: {folder}/ includes {header} ({top}/ is not below {folder}/)")
                for lib, (prefixes, _, users) in GLUE.items():
                    if header.startswith(prefixes) and folder not in users:
                        errors.append(f"{where}: {folder}/ includes {lib} header <{header}>")
    return errors


def cmake_calls(text, command):
    """(target, [arguments]) of every command(target ...) call, comments removed."""
    text = re.sub(r"#[^\n]*", "", text)
    for m in re.finditer(rf"\b{command}\s*\(([^)]*)\)", text):
        args = m.group(1).split()
        if args:
            yield args[0], args[1:]


def check_cmake(milter):
    errors = []
    text = (milter / "CMakeLists.txt").read_text(encoding="utf-8")
    libs = {f"pw_{f}": f for f in LAYERS}
    declared = {t for t, _ in cmake_calls(text, "pixelwarden_library")}
    for folder in LAYERS:
        if f"pw_{folder}" not in declared:
            errors.append(f"milter/CMakeLists.txt: no pixelwarden_library(pw_{folder} {folder})")
    for target, args in cmake_calls(text, "target_link_libraries"):
        if target not in libs:
            continue
        folder = libs[target]
        ok = allowed(folder)
        for a in args:
            if a in libs and libs[a] not in ok:
                errors.append(f"milter/CMakeLists.txt: {target} links {a} ({libs[a]}/ is above {folder}/)")
            for lib, (_, names, users) in GLUE.items():
                if any(n in a for n in names) and folder not in users:
                    errors.append(f"milter/CMakeLists.txt: {target} links {lib} ({a})")
    for target, args in cmake_calls(text, "target_include_directories"):
        if target not in libs:
            continue
        folder = libs[target]
        ok = allowed(folder)
        for a in args:
            for lib, (_, names, users) in GLUE.items():
                if any(n in a for n in names) and folder not in users:
                    errors.append(f"milter/CMakeLists.txt: {target} adds {lib}'s include directory ({a})")
            m = re.search(r"/(\w+)/?\"?$", a)
            if m and m.group(1) in LAYERS and m.group(1) not in ok:
                errors.append(f"milter/CMakeLists.txt: {target} adds include directory {a} "
                              f"({m.group(1)}/ is above {folder}/)")
    return errors


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", default=Path(__file__).resolve().parents[2], type=Path,
                    help="the source tree (default: this checkout)")
    root = ap.parse_args().root
    milter = root / "milter"
    errors = check_includes(milter) + check_cmake(milter)
    for d in sorted(p for p in milter.iterdir() if p.is_dir() and any(p.glob("*.[ch]pp"))):
        if d.name not in LAYERS:
            errors.append(f"milter/{d.name}/: a folder check_layers.py does not place in a layer")
    for e in errors:
        print(e)
    files = sum(1 for f in LAYERS for _ in (milter / f).glob("*.[ch]pp"))
    print(f"layers: {files} files in {len(LAYERS)} folders, "
          f"{'clean' if not errors else f'{len(errors)} violations'}")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
