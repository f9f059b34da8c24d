#!/usr/bin/env python3
"""Validates audit logs against docs/audit-log.schema.json with Debian's python3-jsonschema.

    audit_schema.py FILE...     exit 0 when every line of every file is valid; otherwise
                                prints one problem per line and exits 1

The shared integration harness runs it on the audit log of every stack it stops
(harness.check_audit_log), so every audit line any integration test causes is checked.
Beyond the schema, a line must carry what an investigation cannot do without: a
timestamp, at least one recipient, and a Message-ID unless the line says the headers
were never seen (a refusal at DATA).
"""
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA_PATH = os.path.join(HERE, "..", "..", "docs", "audit-log.schema.json")


def validator():
    import jsonschema
    with open(SCHEMA_PATH, encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def problems_of_line(v, text):
    """Every problem of one audit line (empty when it is valid)."""
    try:
        line = json.loads(text)
    except ValueError as e:
        return [f"not JSON: {e}"]
    out = [f"{'/'.join(str(p) for p in e.absolute_path) or '(line)'}: {e.message}"
           for e in v.iter_errors(line)]
    if isinstance(line, dict):
        if not line.get("timestamp"):
            out.append("no timestamp")
        # A refusal at DATA (refuse_at_data) never sees the headers, and says so.
        if not line.get("message_id") and "headers" not in (line.get("stages_not_seen") or []):
            out.append("no Message-ID")
        if not (line.get("envelope") or {}).get("rcpt"):
            out.append("no recipients")
    return out


def problems(paths):
    v = validator()
    out = []
    for path in paths:
        try:
            with open(path, "rb") as f:
                raw = f.read()
        except FileNotFoundError:
            continue
        if raw and not raw.endswith(b"\n"):
            out.append(f"{path}: the last line is not terminated")
        for n, line in enumerate(raw.split(b"\n"), 1):
            if not line:
                continue
            try:
                text = line.decode("utf-8")
            except UnicodeDecodeError as e:
                out.append(f"{path}:{n}: not UTF-8: {e}")
                continue
            out.extend(f"{path}:{n}: {p}" for p in problems_of_line(v, text))
    return out


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    found = problems(argv[1:])
    for p in found:
        print(p)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
