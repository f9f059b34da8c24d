#!/usr/bin/env python3
"""Self-test of check_layers.py: a copy of this checkout's milter/ passes, and each
deliberate violation planted in a fresh copy fails with a message naming it."""
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CHECKER = HERE / "check_layers.py"

# (what is planted, file under milter/, text appended or (old, new) replaced, expected output)
CASES = [
    ("engine includes daemon", "engine/inspect.hpp", '#include "daemon/session.hpp"\n',
     "engine/ includes daemon/session.hpp"),
    ("mime includes cli", "mime/walk.cpp", '#include "cli/cli.hpp"\n', "mime/ includes cli/cli.hpp"),
    ("url includes engine", "url/url.cpp", '#include "engine/inspect.hpp"\n',
     "url/ includes engine/inspect.hpp"),
    ("html includes ruleset", "html/scan.cpp", '#include "ruleset/ruleset.hpp"\n',
     "html/ includes ruleset/ruleset.hpp"),
    ("ruleset includes observe", "ruleset/holder.cpp", '#include "observe/metrics.hpp"\n',
     "ruleset/ includes observe/metrics.hpp"),
    ("ruleset includes libmilter", "ruleset/holder.hpp", "#include <libmilter/mfapi.h>\n",
     "ruleset/ includes libmilter header <libmilter/mfapi.h>"),
    ("engine includes spdlog", "engine/inspect.cpp", "#  include <spdlog/spdlog.h>\n",
     "engine/ includes spdlog header"),
    ("url links engine", "CMakeLists.txt",
     ("target_link_libraries(pw_url ${PW_SCOPE_pw_url} pw_base",
      "target_link_libraries(pw_url ${PW_SCOPE_pw_url} pw_base pw_engine"),
     "pw_url links pw_engine"),
    ("engine links libmilter", "CMakeLists.txt",
     ("target_link_libraries(pw_engine ${PW_SCOPE_pw_engine} pw_mime",
      "target_link_libraries(pw_engine ${PW_SCOPE_pw_engine} PkgConfig::MILTER pw_mime"),
     "pw_engine links libmilter"),
    ("mime gets daemon's include directory", "CMakeLists.txt",
     ("pixelwarden_library(pw_mime mime)\n",
      'pixelwarden_library(pw_mime mime)\ntarget_include_directories(pw_mime PUBLIC '
      '"${CMAKE_CURRENT_SOURCE_DIR}/daemon")\n'),
     "pw_mime adds include directory"),
    ("a folder outside the layers", "extra/x.hpp", "#pragma once\n",
     "milter/extra/: a folder check_layers.py does not place in a layer"),
]


def run(root):
    p = subprocess.run([sys.executable, str(CHECKER), "--root", str(root)],
                       capture_output=True, text=True)
    return p.returncode, p.stdout + p.stderr


def main():
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        clean = Path(tmp) / "clean"
        shutil.copytree(ROOT / "milter", clean / "milter")
        rc, out = run(clean)
        if rc != 0:
            print(f"FAIL: the unmodified tree is not clean:\n{out}")
            failures += 1
        for i, (what, rel, edit, expect) in enumerate(CASES):
            tree = Path(tmp) / f"case{i}"
            shutil.copytree(clean / "milter", tree / "milter")
            path = tree / "milter" / rel
            path.parent.mkdir(exist_ok=True)
            path.touch()
            text = path.read_text(encoding="utf-8")
            if isinstance(edit, tuple):
                if edit[0] not in text:
                    print(f"FAIL: {what}: cannot plant it, {rel} has no {edit[0]!r}")
                    failures += 1
                    continue
                text = text.replace(edit[0], edit[1], 1)
            else:
                text += edit
            path.write_text(text, encoding="utf-8")
            rc, out = run(tree)
            if rc != 1 or expect not in out:
                print(f"FAIL: {what}: exit {rc}, expected 1 and {expect!r} in:\n{out}")
                failures += 1
            else:
                print(f"ok: {what}: {out.splitlines()[0]}")
    print(f"check_layers self-test: {len(CASES) + 1 - failures}/{len(CASES) + 1} passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
