"""Static check of deploy/audit-shipping/vector.toml (Vector is not packaged in Debian,
so it cannot run here): the TOML parses, every component's inputs exist, and every
audit-line field the config reads is a top-level field the audit schema requires, so a
renamed field cannot silently break shipping.

    check_audit_shipping.py SOURCE_DIR
"""
import json
import os
import re
import sys
import tomllib


def main(root):
    with open(os.path.join(root, "deploy", "audit-shipping", "vector.toml"), "rb") as f:
        config = tomllib.load(f)
    with open(os.path.join(root, "docs", "audit-log.schema.json"), encoding="utf-8") as f:
        schema = json.load(f)
    problems = []
    components = {name for kind in ("sources", "transforms", "sinks")
                  for name in config.get(kind, {})}
    for kind in ("transforms", "sinks"):
        for name, c in config.get(kind, {}).items():
            for i in c.get("inputs", []):
                if i not in components:
                    problems.append(f"{kind}.{name}: unknown input {i}")
    text = json.dumps(config)
    fields = set(re.findall(r"\{\{ *([a-z_]+) *\}\}", text))
    fields |= set(re.findall(r"string!\(\.([a-z_]+)\)", text))
    required = set(schema["required"])
    for field in sorted(fields - {"message"}):
        if field not in required:
            problems.append(f"field {field} is not a required field of the audit schema")
    if not {"host", "action", "decision", "timestamp"} <= fields:
        problems.append(f"expected the config to read host, action, decision, timestamp; got {sorted(fields)}")
    for p in problems:
        print("FAIL", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
