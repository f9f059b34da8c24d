#!/usr/bin/env python3
"""deploy.dashboard: deploy/grafana/pixelwarden.json conforms to Grafana's dashboard
schema types (npm @grafana/schema): the JSON is written as a TypeScript literal of type
Dashboard and `tsc --strict --noEmit` must accept it, so an unknown field, a wrong type
or a missing required field fails. One specialization, as the schema intends: an
annotation's target is the schema's generic DataQuery extended by the data source's
query model, here Prometheus' (expr, interval), as Grafana's own PromQuery does.

Also: the variables the dashboard promises (datasource, job, ruleset, instance: every
panel query filters by instance, instance is narrowed by ruleset) and the annotation for
ruleset reloads. Its PromQL is evaluated against a real Prometheus by
integration.prometheus.* (tests/integration/test_prometheus.py)."""

import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

import common

DASHBOARD = os.path.join(common.SOURCE, "deploy", "grafana", "pixelwarden.json")

PRELUDE = """import type { AnnotationQuery, Dashboard, DataQuery } from "@grafana/schema";

// Grafana's Prometheus query model (its PromQuery extends DataQuery the same way); the
// dashboard schema leaves a target's fields to the data source.
interface PromQuery extends DataQuery {
  expr: string;
  interval?: string;
  legendFormat?: string;
}
type PromDashboard = Omit<Dashboard, "annotations"> & {
  annotations?: { list?: Array<AnnotationQuery<PromQuery>> };
};
"""
SUFFIX = """
// ... and it is a Dashboard.
export const asDashboard: Dashboard = dashboard;
"""


def typecheck(dashboard):
    modules = os.path.join(common.NPM_CACHE, "node_modules")
    for pkg in ("typescript", "@grafana/schema"):
        if not os.path.isdir(os.path.join(modules, pkg)):
            print(f"SKIPPED: {pkg} not in {modules} (scripts/setup test installs it)",
                  file=sys.stderr)
            sys.exit(common.SKIP)
    tmp = tempfile.mkdtemp(prefix="pw-dash-")
    try:
        os.symlink(modules, os.path.join(tmp, "node_modules"))
        with open(os.path.join(tmp, "dashboard.ts"), "w") as f:
            f.write(PRELUDE + "export const dashboard: PromDashboard = "
                    + json.dumps(dashboard, indent=2) + ";\n" + SUFFIX)
        with open(os.path.join(tmp, "tsconfig.json"), "w") as f:
            json.dump({"compilerOptions": {"strict": True, "noEmit": True, "target": "ES2020",
                                           "module": "commonjs", "moduleResolution": "node",
                                           "skipLibCheck": True, "types": []},
                       "files": ["dashboard.ts"]}, f)
        r = subprocess.run([os.path.join(modules, ".bin", "tsc"), "-p", tmp],
                           capture_output=True, text=True, timeout=300)
        return r.returncode, r.stdout + r.stderr
    finally:
        shutil.rmtree(tmp, True)


class Dashboard(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open(DASHBOARD) as f:
            cls.dash = json.load(f)

    def test_schema_types(self):
        code, out = typecheck(self.dash)
        self.assertEqual(code, 0, out)

    def test_the_check_can_fail(self):
        """What the schema refused before: `current: {}` and a top-level `expr`."""
        bad = json.loads(json.dumps(self.dash))
        bad["templating"]["list"][1]["current"] = {}
        bad["annotations"]["list"][0]["expr"] = "up"
        code, out = typecheck(bad)
        self.assertNotEqual(code, 0)
        self.assertIn("missing the following properties from type 'VariableOption'", out)
        self.assertIn("'\"expr\"' does not exist in type 'AnnotationQuery<PromQuery>'", out)

    def test_variables_and_annotation(self):
        variables = {v["name"]: v for v in self.dash["templating"]["list"]}
        self.assertEqual(list(variables), ["datasource", "job", "ruleset", "instance"])
        self.assertIn('name=~"$ruleset"', variables["instance"]["query"]["query"])
        for name in ("job", "ruleset", "instance"):
            self.assertEqual(variables[name]["datasource"]["uid"], "${datasource}")
        notes = self.dash["annotations"]["list"]
        reload = [a for a in notes if a["name"] == "Ruleset reloads"]
        self.assertEqual(len(reload), 1)
        self.assertIn("pixelwarden_ruleset_last_reload_success_timestamp_seconds",
                      reload[0]["target"]["expr"])
        self.assertIn('instance=~"$instance"', reload[0]["target"]["expr"])
        for panel in self.dash["panels"]:
            for t in panel.get("targets", []):
                self.assertIn('instance=~"$instance"', t["expr"], panel["title"])


if __name__ == "__main__":
    common.main(tools=("node",), root=False)
