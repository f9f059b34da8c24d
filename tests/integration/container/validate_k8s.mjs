// validate_k8s.mjs DOCS.json: every Kubernetes object in DOCS.json (a JSON array)
// against its OpenAPI model from kubernetes-models (the core API) or
// @kubernetes-models/prometheus-operator (PodMonitor): required fields, types, formats.
// Unknown fields are caught by the TypeScript pass (k8s_types.py, tsc --strict).
// Run from a directory whose node_modules has the packages (the npm cache of
// scripts/setup). Prints one line per object; exits 1 on any error or on a kind it has
// no model for.
import { readFileSync } from "node:fs";

function modulePath(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : [null, apiVersion];
  if (group === "monitoring.coreos.com") {
    return `@kubernetes-models/prometheus-operator/${group}/${version}/${kind}`;
  }
  return group ? `kubernetes-models/${group}/${version}/${kind}` : `kubernetes-models/${version}/${kind}`;
}

let failed = 0;
for (const doc of JSON.parse(readFileSync(process.argv[2], "utf8"))) {
  const name = `${doc.kind}/${doc.metadata && doc.metadata.name}`;
  try {
    const Model = (await import(modulePath(doc.apiVersion, doc.kind)))[doc.kind];
    new Model(doc).validate();
    console.log(`ok   ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e.message}`);
  }
}
process.exit(failed ? 1 : 0);
