"""Writes Kubernetes objects as a TypeScript module whose every object literal is
annotated with its kubernetes-models interface, so `tsc --strict --noEmit` rejects
unknown fields (TypeScript's excess-property check on object literals, nested ones too)
and wrong types; validate_k8s.js then checks the rest of the OpenAPI model at run time."""

import json


def module_of(api_version, kind):
    if "/" in api_version:
        group, version = api_version.split("/")
    else:
        group, version = None, api_version
    if group == "monitoring.coreos.com":
        return f"@kubernetes-models/prometheus-operator/{group}/{version}/{kind}"
    return f"kubernetes-models/{group}/{version}/{kind}" if group else \
        f"kubernetes-models/{version}/{kind}"


def typescript(docs):
    lines, seen = [], {}
    for i, doc in enumerate(docs):
        key = (doc["apiVersion"], doc["kind"])
        if key not in seen:
            alias = f"I{doc['kind']}_{len(seen)}"
            seen[key] = alias
            lines.append(f'import type {{ I{doc["kind"]} as {alias} }} from '
                         f'"{module_of(*key)}";')
    for i, doc in enumerate(docs):
        alias = seen[(doc["apiVersion"], doc["kind"])]
        name = doc.get("metadata", {}).get("name", "")
        lines.append(f"// {doc['kind']} {name}")
        lines.append(f"export const doc{i}: {alias} = {json.dumps(doc, indent=2)};")
    return "\n".join(lines) + "\n"


TSCONFIG = {
    "compilerOptions": {
        "strict": True,
        "noEmit": True,
        "target": "ES2020",
        "module": "commonjs",
        "moduleResolution": "node",
        "skipLibCheck": True,
        "types": [],
    },
}
