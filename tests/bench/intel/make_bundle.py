#!/usr/bin/env python3
"""Writes a STIX 2.1 bundle of N indicators (default 1,000,000) for the import benchmark.

Each indicator has the shape of the suite's tests/data/intel/stix/news-impersonation.json
ones: id, created_by_ref, created/modified, name, indicator_types, labels, a
domain-name pattern (every 10th an OR of a domain and a URL), pattern_type, valid_from,
valid_until on every 4th, kill_chain_phases and a TLP marking; plus one identity, one
campaign and one `indicates` relationship per 1,000 indicators. Deterministic (ids
from a counter) so two runs import the same thing.

    make_bundle.py OUT.json [N]
"""
import sys
import uuid

NS = uuid.UUID("6ba7b811-9dad-11d1-80b4-00c04fd430c8")


def ident(kind, n):
    return f"{kind}--{uuid.uuid5(NS, f'{kind}-{n}')}"


def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    identity = ident("identity", 0)
    campaign = ident("campaign", 0)
    with open(out, "w", encoding="utf-8") as f:
        f.write('{"type": "bundle", "id": "%s", "objects": [\n' % ident("bundle", 0))
        f.write('{"type": "identity", "spec_version": "2.1", "id": "%s", "created": '
                '"2026-11-20T09:00:00.000Z", "modified": "2026-11-20T09:00:00.000Z", '
                '"name": "Bench CERT", "identity_class": "organization"},\n' % identity)
        f.write('{"type": "campaign", "spec_version": "2.1", "id": "%s", "created": '
                '"2026-11-20T09:00:00.000Z", "modified": "2026-11-20T09:00:00.000Z", '
                '"name": "Fake Newsroom"},\n' % campaign)
        for i in range(n):
            iid = ident("indicator", i)
            dom = f"news-{i:07d}.lure{i % 97}.example"
            if i % 10 == 0:
                pattern = f"[domain-name:value = '{dom}' OR url:value = 'https://px.{dom}/o.gif?u={i}']"
            else:
                pattern = f"[domain-name:value = '{dom}']"
            until = ', "valid_until": "2099-01-01T00:00:00Z"' if i % 4 == 0 else ""
            f.write('{"type": "indicator", "spec_version": "2.1", "id": "%s", "created_by_ref": "%s", '
                    '"created": "2026-11-20T09:05:00.000Z", "modified": "2026-11-20T09:05:00.000Z", '
                    '"name": "Lure sender domain", "indicator_types": ["malicious-activity"], '
                    '"labels": ["phishing"], "pattern": "%s", "pattern_type": "stix", '
                    '"pattern_version": "2.1", "valid_from": "2026-11-02T00:00:00Z"%s, '
                    '"kill_chain_phases": [{"kill_chain_name": "mitre-attack", "phase_name": '
                    '"reconnaissance"}], "object_marking_refs": '
                    '["marking-definition--f88d31f6-486f-44da-b317-01333bde0b82"]},\n'
                    % (iid, identity, pattern, until))
            if i % 1000 == 0:
                f.write('{"type": "relationship", "spec_version": "2.1", "id": "%s", "created": '
                        '"2026-11-20T09:06:00.000Z", "modified": "2026-11-20T09:06:00.000Z", '
                        '"relationship_type": "indicates", "source_ref": "%s", "target_ref": "%s"},\n'
                        % (ident("relationship", i), iid, campaign))
        f.write('{"type": "marking-definition", "spec_version": "2.1", "id": '
                '"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", "created": '
                '"2017-01-20T00:00:00.000Z", "definition_type": "tlp", "name": "TLP:AMBER", '
                '"definition": {"tlp": "amber"}}\n]}\n')


if __name__ == "__main__":
    main()
