#!/usr/bin/env python3
"""Static checks of deploy/ that promtool does not cover: the Grafana dashboard (valid
JSON, a ${datasource} variable on every panel and target, only metric names documented
in docs/metrics.md, layout), the alert rules and their unit tests (only documented
metric names), the metric names the code declares (exactly those documented), the
provisioning files, and the Kubernetes base (rules ConfigMap mounted as a
directory without subPath, Prometheus annotations pointing at the metrics port the
config listens on). Usage: check_deploy.py REPO_ROOT"""
import json
import os
import re
import sys

failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)


def documented_metric_names(root):
    """The first column of the reference table of docs/metrics.md, plus Prometheus' `up`."""
    with open(os.path.join(root, "docs", "metrics.md")) as f:
        names = set(re.findall(r"^\| `((?:pixelwarden|process)_[a-z_]+)` \|", f.read(), re.M))
    return names | {"up"}


def check_declared_metrics(root):
    """The code declares every documented pixelwarden_ metric and no other."""
    with open(os.path.join(root, "milter", "observe", "metrics.cpp")) as f:
        declared = set(re.findall(r'"(pixelwarden_[a-z_]+)"', f.read()))
    documented = {n for n in KNOWN if n.startswith("pixelwarden_")}
    for name in sorted(declared - documented):
        check(False, f"metrics.cpp declares {name}, docs/metrics.md does not document it")
    for name in sorted(documented - declared):
        check(False, f"docs/metrics.md documents {name}, metrics.cpp does not declare it")


def check_alerts(root):
    """Every metric name in the alert rules and their unit tests is documented."""
    for name in ("alerts.yml", "alerts_test.yml"):
        with open(os.path.join(root, "deploy", "prometheus", name)) as f:
            text = f.read()
        used = metric_names_in(text)
        check(used, f"{name}: no pixelwarden metric used")
        for metric in sorted(used):
            check(metric in KNOWN, f"{name}: unknown metric {metric}")


def metric_names_in(expr):
    names = set()
    for m in re.finditer(r"\b(pixelwarden_[a-z_]+|process_[a-z_]+)\b", expr):
        name = m.group(1)
        for suffix in ("_bucket", "_count", "_sum"):
            if name.endswith(suffix) and name[: -len(suffix)] in KNOWN:
                name = name[: -len(suffix)]
        names.add(name)
    return names


def check_dashboard(root):
    path = os.path.join(root, "deploy", "grafana", "pixelwarden.json")
    with open(path) as f:
        dash = json.load(f)
    variables = {v["name"]: v for v in dash["templating"]["list"]}
    check(variables.get("datasource", {}).get("type") == "datasource",
          "dashboard: no datasource variable")
    ids = set()
    for p in dash["panels"]:
        where = f"panel {p.get('title')!r}"
        check(p["id"] not in ids, f"{where}: duplicate id")
        ids.add(p["id"])
        g = p["gridPos"]
        check(g["x"] + g["w"] <= 24, f"{where}: wider than the grid")
        if p["type"] == "row":
            continue
        check(p.get("datasource", {}).get("uid") == "${datasource}",
              f"{where}: datasource is not ${{datasource}}")
        check(p.get("description"), f"{where}: no description")
        check(p["targets"], f"{where}: no targets")
        for t in p["targets"]:
            check(t.get("datasource", {}).get("uid") == "${datasource}",
                  f"{where} {t.get('refId')}: datasource is not ${{datasource}}")
            expr = t.get("expr", "")
            check(expr.count("(") == expr.count(")"), f"{where}: unbalanced parentheses")
            for name in metric_names_in(expr):
                check(name in KNOWN, f"{where}: unknown metric {name}")
            check('instance=~"$instance"' in expr or "pixelwarden_" not in expr,
                  f"{where}: does not filter by $instance")


def check_provisioning(root):
    base = os.path.join(root, "deploy", "grafana", "provisioning")
    for sub, key in (("dashboards", "providers:"), ("datasources", "datasources:")):
        files = os.listdir(os.path.join(base, sub))
        check(files, f"provisioning/{sub}: empty")
        for name in files:
            with open(os.path.join(base, sub, name)) as f:
                text = f.read()
            check("apiVersion: 1" in text and key in text, f"provisioning/{sub}/{name}: shape")


def check_kubernetes(root):
    """deploy/kubernetes/base without kustomize (the deploy.kubernetes.* tests render it):
    the rules ConfigMap generated from files that exist, mounted as a directory without
    subPath, the config's rules path in that mount, the metrics port annotated."""
    import yaml  # python3-yaml (scripts/setup)
    base = os.path.join(root, "deploy", "kubernetes", "base")
    maps = {}
    for d in (base, os.path.join(base, "rules")):
        with open(os.path.join(d, "kustomization.yaml")) as f:
            kust = yaml.safe_load(f)
        for gen in kust.get("configMapGenerator", []):
            maps[gen["name"]] = dict(gen, dir=d, options=kust.get("generatorOptions", {}))
    check({"pixelwarden-config", "pixelwarden-rules"} <= set(maps), "kubernetes: ConfigMaps")
    check(maps["pixelwarden-rules"]["options"].get("disableNameSuffixHash"),
          "kubernetes: the rules ConfigMap name must not change with its content")
    check(not maps["pixelwarden-config"]["options"].get("disableNameSuffixHash"),
          "kubernetes: the config ConfigMap name must change with its content (rolls pods)")

    def entries(gen):
        out = {}
        for spec in gen["files"]:
            key, _, path = spec.rpartition("=")
            out[key or os.path.basename(path)] = os.path.join(gen["dir"], path)
        return out

    for gen in maps.values():
        for path in entries(gen).values():
            check(os.path.isfile(path), f"kubernetes: {path} missing")
    with open(os.path.join(base, "deployment.yaml")) as f:
        pod = yaml.safe_load(f)["spec"]["template"]
    container = [c for c in pod["spec"]["containers"] if c["name"] == "pixelwarden"][0]
    volumes = {v["name"]: v for v in pod["spec"]["volumes"]}
    for mount in container["volumeMounts"]:
        check("subPath" not in mount, f"kubernetes: {mount['name']} uses subPath (no updates)")
    config_path = container["args"][container["args"].index("--config") + 1]
    with open(entries(maps["pixelwarden-config"])[os.path.basename(config_path)]) as f:
        config = f.read()
    rules_path = re.search(r"^  path: (\S+)", config, re.M).group(1)
    rules_mount = [m["mountPath"] for m in container["volumeMounts"] if m["name"] == "rules"][0]
    check(volumes["rules"]["configMap"]["name"] == "pixelwarden-rules",
          "kubernetes: the rules volume is not the rules ConfigMap")
    check(os.path.dirname(rules_path) == rules_mount,
          f"kubernetes: rules path {rules_path} not in the rules mount {rules_mount}")
    check(os.path.basename(rules_path) in entries(maps["pixelwarden-rules"]),
          "kubernetes: rules ConfigMap lacks the entry file")
    port = int(re.search(r"listen: [^\s:]+:(\d+)", config).group(1))
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    check(ports.get("metrics") == port, "kubernetes: metrics containerPort != metrics.listen")
    ann = pod["metadata"]["annotations"]
    check(ann.get("prometheus.io/scrape") == "true", "kubernetes: scrape annotation")
    check(ann.get("prometheus.io/port") == str(port), "kubernetes: port annotation")
    check(ann.get("prometheus.io/path") == "/metrics", "kubernetes: path annotation")


if __name__ == "__main__":
    root = sys.argv[1]
    KNOWN = documented_metric_names(root)
    check(len(KNOWN) > 20, f"docs/metrics.md: metric table not found ({len(KNOWN)} names)")
    check_declared_metrics(root)
    check_dashboard(root)
    check_alerts(root)
    check_provisioning(root)
    check_kubernetes(root)
    for f in failures:
        print("FAIL", f)
    print(f"{len(failures)} failures")
    sys.exit(1 if failures else 0)
