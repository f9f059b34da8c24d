#!/usr/bin/env python3
"""The Kubernetes manifests of deploy/kubernetes (kustomize: base/, overlays/example/,
overlays/milter-service/, podmonitor/).

deploy.kubernetes.schema (no containers): `kubectl kustomize` renders the base, both
overlays and the example overlay with the podmonitor added, with whichever kubectl is
installed: Debian 12's kubernetes-client (kubectl 1.20, kustomize v2.0.3; what
scripts/setup installs where no kubectl is) or a current one (kustomize v5). Every
object is checked against the Kubernetes OpenAPI models of npm kubernetes-models (and
the Prometheus Operator's for the PodMonitor): unknown fields and wrong types by
`tsc --strict --noEmit` on the objects written as typed TypeScript literals, required
fields and formats by the models' validate(). Then what the deployment promises:
non-root uid, read-only root, no capabilities, resources, /healthz liveness, /readyz
readiness, preStop + grace period above the drain timeout, the rules ConfigMap mounted
as a directory (no subPath) under a name without a content hash (updates in place), the
config's ports, the PDB, the Service's milter port, the scrape annotations, and the
example overlay's Postfix sidecar on the shared unix socket.

deploy.kubernetes.play: the rendered example overlay runs with `podman kube play`
(host networking, the images of deploy.image_build, ports moved off the defaults): mail
through the pod's Postfix sidecar reaches pixelwarden over the unix socket in the
shared emptyDir, its pixel is neutralized; then a ConfigMap-style ..data swap in the
mounted rules directory (as the kubelet does it) is picked up without a restart and the
next message carries the new ruleset version."""

import copy
import json
import os
import re
import shutil
import smtplib
import subprocess
import sys
import tempfile
import time
import unittest

import yaml

import common
import k8s_types
from common import harness, support

K8S = os.path.join(common.SOURCE, "deploy", "kubernetes")


def render(path):
    """The objects `kubectl kustomize PATH` renders. A current kubectl warns on stderr
    that commonLabels, bases and patchesStrategicMerge are deprecated: the layout keeps
    them for kustomize v2.0.3 (Debian 12's kubectl)."""
    out = subprocess.run(["kubectl", "kustomize", path], capture_output=True, text=True,
                         timeout=120)
    if out.returncode != 0:
        raise AssertionError(f"kubectl kustomize {path}: {out.stderr}")
    return [d for d in yaml.safe_load_all(out.stdout) if d]


PODMONITOR_LINE = "  # - ../../podmonitor    # with the Prometheus Operator\n"


def render_example_with_podmonitor():
    """The example overlay with its commented-out podmonitor base line enabled, as a user
    would, in a copy of deploy/kubernetes."""
    tmp = tempfile.mkdtemp(prefix="pw-kust-")
    try:
        copy_dir = os.path.join(tmp, "kubernetes")
        shutil.copytree(K8S, copy_dir)
        path = os.path.join(copy_dir, "overlays", "example", "kustomization.yaml")
        with open(path) as f:
            text = f.read()
        if PODMONITOR_LINE not in text:
            raise AssertionError(f"no line {PODMONITOR_LINE!r} in the example overlay")
        with open(path, "w") as f:
            f.write(text.replace(PODMONITOR_LINE, PODMONITOR_LINE.replace("# ", "", 1)))
        return render(os.path.dirname(path))
    finally:
        shutil.rmtree(tmp, True)


def kubectl_version():
    out = subprocess.run(["kubectl", "version", "--client"], capture_output=True, text=True,
                         timeout=60)
    return " ".join((out.stdout + out.stderr).split())


def by_kind(docs, kind, name=None):
    found = [d for d in docs if d["kind"] == kind and (name is None or
                                                       d["metadata"]["name"] == name)]
    if len(found) != 1:
        raise AssertionError(f"expected one {kind} {name or ''}, found {len(found)}")
    return found[0]


def seconds(value):
    m = re.fullmatch(r"(\d+)(ms|s|m)?", str(value))
    n = int(m.group(1))
    return {"ms": n / 1000, "s": n, None: n, "m": n * 60}[m.group(2)]


def node_dir():
    modules = os.path.join(common.NPM_CACHE, "node_modules")
    for pkg in ("typescript", "kubernetes-models", "@kubernetes-models/prometheus-operator"):
        if not os.path.isdir(os.path.join(modules, pkg)):
            print(f"SKIPPED: {pkg} not in {modules} (scripts/setup test installs it)",
                  file=sys.stderr)
            sys.exit(common.SKIP)
    return modules


class Schema(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        print(f"\nkustomize of: {kubectl_version()}")
        cls.base = render(os.path.join(K8S, "base"))
        cls.example = render(os.path.join(K8S, "overlays", "example"))
        cls.service = render(os.path.join(K8S, "overlays", "milter-service"))
        cls.monitored = render_example_with_podmonitor()
        cls.podmonitor = by_kind(cls.monitored, "PodMonitor")

    def typecheck(self, docs, expect_ok=True):
        tmp = tempfile.mkdtemp(prefix="pw-k8s-")
        self.addCleanup(shutil.rmtree, tmp, True)
        os.symlink(node_dir(), os.path.join(tmp, "node_modules"))
        with open(os.path.join(tmp, "manifests.ts"), "w") as f:
            f.write(k8s_types.typescript(docs))
        with open(os.path.join(tmp, "tsconfig.json"), "w") as f:
            json.dump(dict(k8s_types.TSCONFIG, files=["manifests.ts"]), f)
        with open(os.path.join(tmp, "docs.json"), "w") as f:
            json.dump(docs, f)
        shutil.copy(os.path.join(common.HERE, "validate_k8s.mjs"), tmp)
        tsc = subprocess.run([os.path.join(tmp, "node_modules", ".bin", "tsc"), "-p", tmp],
                             capture_output=True, text=True, timeout=300)
        val = subprocess.run(["node", "validate_k8s.mjs", "docs.json"], cwd=tmp,
                             capture_output=True, text=True, timeout=300)
        if expect_ok:
            self.assertEqual(tsc.returncode, 0, tsc.stdout + tsc.stderr)
            self.assertEqual(val.returncode, 0, val.stdout + val.stderr)
        return tsc, val

    def test_models(self):
        docs = self.base + self.example + self.service + [self.podmonitor]
        _, val = self.typecheck(docs)
        print("\n" + val.stdout)

    def test_the_checks_can_fail(self):
        """An unknown field, a wrong type and a missing required field are caught."""
        docs = copy.deepcopy(self.example)
        pod = by_kind(docs, "Deployment")["spec"]["template"]["spec"]
        pw = [c for c in pod["containers"] if c["name"] == "pixelwarden"][0]
        pw["livenessProbe"]["httpGet"]["paht"] = "/healthz"
        tsc, _ = self.typecheck(docs, expect_ok=False)
        self.assertIn("'\"paht\"' does not exist in type 'IHTTPGetAction'", tsc.stdout)
        docs = copy.deepcopy(self.base)
        dep = by_kind(docs, "Deployment")
        dep["spec"]["replicas"] = "2"
        del dep["spec"]["template"]["spec"]["containers"][0]["name"]
        _, val = self.typecheck(docs, expect_ok=False)
        self.assertIn("spec/replicas must be integer", val.stdout)
        self.assertIn("must have required property name", val.stdout)

    def check_pixelwarden(self, docs, milter_service):
        dep = by_kind(docs, "Deployment", "pixelwarden")
        pod = dep["spec"]["template"]["spec"]
        c = [c for c in pod["containers"] if c["name"] == "pixelwarden"][0]
        self.assertEqual(c["args"][0], "run")      # the image's ENTRYPOINT is the binary
        sc = c["securityContext"]
        self.assertTrue(sc["runAsNonRoot"])
        self.assertEqual(sc["runAsUser"], 999)
        self.assertTrue(sc["readOnlyRootFilesystem"])
        self.assertFalse(sc["allowPrivilegeEscalation"])
        self.assertEqual(sc["capabilities"]["drop"], ["ALL"])
        self.assertIn("memory", c["resources"]["limits"])
        self.assertIn("cpu", c["resources"]["requests"])
        self.assertEqual(c["livenessProbe"]["httpGet"]["path"], "/healthz")
        self.assertEqual(c["readinessProbe"]["httpGet"]["path"], "/readyz")
        # The config the pod runs, from the ConfigMap the config volume names.
        volumes = {v["name"]: v for v in pod["volumes"]}
        mounts = {m["name"]: m for m in c["volumeMounts"]}
        for m in c["volumeMounts"]:
            self.assertNotIn("subPath", m, "a subPath mount never sees ConfigMap updates")
        cfg_map = by_kind(docs, "ConfigMap", volumes["config"]["configMap"]["name"])
        config_path = c["args"][c["args"].index("--config") + 1]
        self.assertEqual(os.path.dirname(config_path), mounts["config"]["mountPath"])
        config = yaml.safe_load(cfg_map["data"][os.path.basename(config_path)])
        # Grace period >= preStop + drain_timeout.
        pre = c["lifecycle"]["preStop"]["exec"]["command"]
        self.assertEqual(pre[0], "sleep")
        self.assertGreaterEqual(pod["terminationGracePeriodSeconds"],
                                int(pre[1]) + seconds(config["milter"]["drain_timeout"]))
        # The rules: a ConfigMap without a content hash (updated in place, hot reload),
        # mounted as a directory holding the entry file and its list.
        rules_map = volumes["rules"]["configMap"]["name"]
        self.assertEqual(rules_map, "pixelwarden-rules")
        rules = by_kind(docs, "ConfigMap", rules_map)
        self.assertEqual(os.path.dirname(config["rules"]["path"]), mounts["rules"]["mountPath"])
        self.assertIn(os.path.basename(config["rules"]["path"]), rules["data"])
        self.assertTrue(config["rules"]["watch"])
        ruleset = yaml.safe_load(rules["data"]["rules.yaml"])
        for lst in ruleset.get("lists", {}).values():
            if "file" in lst:
                self.assertIn(lst["file"], rules["data"])
        # Metrics: the port the config listens on, annotated for scraping.
        metrics_port = int(config["metrics"]["listen"].rsplit(":", 1)[1])
        ports = {p["name"]: p["containerPort"] for p in c.get("ports", [])}
        self.assertEqual(ports["metrics"], metrics_port)
        ann = dep["spec"]["template"]["metadata"]["annotations"]
        self.assertEqual(ann["prometheus.io/scrape"], "true")
        self.assertEqual(ann["prometheus.io/port"], str(metrics_port))
        self.assertEqual(ann["prometheus.io/path"], "/metrics")
        # Writable only: the emptyDir of the lock (and unix socket).
        self.assertIn("emptyDir", volumes[mounts["run"]["name"]])
        self.assertEqual(mounts["run"]["mountPath"], "/run/pixelwarden")
        # The PDB selects exactly the Deployment's pods.
        pdb = by_kind(docs, "PodDisruptionBudget")
        self.assertEqual(pdb["spec"]["selector"]["matchLabels"],
                         dep["spec"]["selector"]["matchLabels"])
        self.assertEqual(pdb["spec"]["maxUnavailable"], 1)
        if not milter_service:
            return config, pod
        self.assertEqual(config["milter"]["socket"], f"inet:{ports['milter']}@0.0.0.0")
        svc = by_kind(docs, "Service", "pixelwarden")
        self.assertEqual(svc["spec"]["selector"], dep["spec"]["selector"]["matchLabels"])
        self.assertEqual([(p["port"], p["targetPort"]) for p in svc["spec"]["ports"]],
                         [(8894, "milter")])
        return config, pod

    def test_base(self):
        """The base: the pod with its TCP config, and no Service (an overlay adds one)."""
        self.check_pixelwarden(self.base, milter_service=False)
        self.assertNotIn("Service", {d["kind"] for d in self.base})
        pod = by_kind(self.base, "Deployment")["spec"]["template"]["spec"]
        self.assertEqual([p["name"] for p in pod["containers"][0]["ports"]], ["metrics"])

    def test_milter_service(self):
        self.check_pixelwarden(self.service, milter_service=True)

    def test_podmonitor(self):
        """Added to the example overlay: it selects the pods by the name label and scrapes
        their metrics port, in the overlay's namespace; the rest is the overlay."""
        pod = by_kind(self.monitored, "Deployment")["spec"]["template"]
        self.assertEqual(self.podmonitor["metadata"]["namespace"], "mail")
        for key, value in self.podmonitor["spec"]["selector"]["matchLabels"].items():
            self.assertEqual(pod["metadata"]["labels"][key], value)
        ports = {p["name"] for c in pod["spec"]["containers"] for p in c.get("ports", [])}
        self.assertIn(self.podmonitor["spec"]["podMetricsEndpoints"][0]["port"], ports)
        self.assertEqual([d for d in self.monitored if d["kind"] != "PodMonitor"],
                         self.example)

    def test_shipped_rules_and_configs_load(self):
        """The rules ConfigMap passes `pixelwarden rules check` (warnings too), and each
        config ConfigMap passes `pixelwarden run --check` with it."""
        binary = os.environ.get("PIXELWARDEN_BIN", "")
        self.assertTrue(os.access(binary, os.X_OK), f"PIXELWARDEN_BIN={binary!r}")
        tmp = tempfile.mkdtemp(prefix="pw-k8s-rules-")
        self.addCleanup(shutil.rmtree, tmp, True)
        rules = by_kind(self.base, "ConfigMap", "pixelwarden-rules")["data"]
        for name, text in rules.items():
            with open(os.path.join(tmp, name), "w") as f:
                f.write(text)
        entry = os.path.join(tmp, "rules.yaml")
        r = subprocess.run([binary, "rules", "check", entry], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("0 warning(s)", r.stdout)
        for docs in (self.base, self.example, self.service):
            for cm in (d for d in docs if d["kind"] == "ConfigMap"
                       and d["metadata"]["name"].startswith("pixelwarden-config")):
                path = os.path.join(tmp, "pixelwarden.yaml")
                with open(path, "w") as f:
                    f.write(cm["data"]["pixelwarden.yaml"])
                r = subprocess.run([binary, "run", "--check", "--config", path, "--rules",
                                    entry], capture_output=True, text=True)
                self.assertEqual(r.returncode, 0, r.stdout + r.stderr)

    def test_example_gateway_pod(self):
        config, pod = self.check_pixelwarden(self.example, milter_service=False)
        self.assertTrue(all(d["metadata"].get("namespace") == "mail"
                            for d in self.example if d["kind"] != "Namespace"))
        postfix = [c for c in pod["containers"] if c["name"] == "postfix"][0]
        env = {e["name"]: e["value"] for e in postfix["env"]}
        sock = config["milter"]["socket"]
        self.assertTrue(sock.startswith("unix:/run/pixelwarden/"), sock)
        self.assertEqual(env["PIXELWARDEN_MILTER"], sock)
        self.assertEqual(env["MILTER_DEFAULT_ACTION"], "tempfail")
        run = [m for m in postfix["volumeMounts"] if m["name"] == "run"][0]
        self.assertEqual(run["mountPath"], "/run/pixelwarden")
        self.assertNotIn("pixelwarden", {d["metadata"]["name"] for d in self.example
                                         if d["kind"] == "Service"})
        smtp = by_kind(self.example, "Service", "mail-gateway")
        self.assertEqual(smtp["spec"]["ports"][0]["port"], 25)
        self.assertEqual(smtp["spec"]["selector"],
                         by_kind(self.example, "Deployment")["spec"]["selector"]["matchLabels"])


POD = "pixelwarden-pod"


class KubePlay(unittest.TestCase):
    """The example overlay under podman kube play."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="pw-kube-")
        os.chmod(self.tmp, 0o755)
        self.smtp_port = harness.free_port()
        self.http_port = harness.free_port()
        self.sink = harness.SmtpSink().start()
        self.addCleanup(self.sink.stop)
        docs = render(os.path.join(K8S, "overlays", "example"))
        self.kube = os.path.join(self.tmp, "kube.yaml")
        with open(self.kube, "w") as f:
            yaml.safe_dump_all(self.localize(docs), f)
        common.podman("kube", "down", self.kube, check=False)
        r = common.podman("kube", "play", "--network", "host", self.kube, timeout=300)
        self.addCleanup(self.down)
        print("\n" + r.stdout)

    def down(self):
        if harness.failed_so_far(self):
            for c in ("pixelwarden", "postfix"):
                try:
                    r = common.podman("logs", self.container(c), check=False)
                    print(f"--- {c}\n{(r.stdout + r.stderr)[-3000:]}")
                except AssertionError as e:
                    print(e)
        common.podman("kube", "down", self.kube, check=False)
        for v in common.podman("volume", "ls", "-q", check=False).stdout.split():
            if v.startswith("pixelwarden-"):
                common.podman("volume", "rm", "-f", v, check=False)
        shutil.rmtree(self.tmp, True)

    def localize(self, docs):
        """Only what this machine needs: the local images, host networking without the
        default ports (so they are moved: SMTP and HTTP to free ports, `ports`
        dropped), mail relayed to the test's sink, and the test ruleset."""
        out = []
        for d in docs:
            if d["kind"] in ("Namespace", "Service", "PodDisruptionBudget"):
                continue            # podman kube play runs pods and ConfigMaps only
            d = copy.deepcopy(d)
            d["metadata"].pop("namespace", None)
            if d["kind"] == "ConfigMap" and d["metadata"]["name"].startswith("pixelwarden-config"):
                cfg = yaml.safe_load(d["data"]["pixelwarden.yaml"])
                cfg["metrics"]["listen"] = f"127.0.0.1:{self.http_port}"
                d["data"]["pixelwarden.yaml"] = yaml.safe_dump(cfg)
            if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "pixelwarden-rules":
                rules = os.path.join(self.tmp, "rules-1")
                common.write_rules(rules, "1")
                d["data"] = {}
                for n in os.listdir(rules):
                    with open(os.path.join(rules, n)) as f:
                        d["data"][n] = f.read()
            if d["kind"] == "Deployment":
                d["spec"]["replicas"] = 1
                spec = d["spec"]["template"]["spec"]
                for c in spec["containers"]:
                    c.pop("ports", None)
                    c.pop("readinessProbe", None)
                    c.pop("livenessProbe", None)
                    if c["name"] == "pixelwarden":
                        c["image"] = common.IMAGE
                    if c["name"] == "postfix":
                        c["image"] = common.POSTFIX_IMAGE
                        env = {e["name"]: e for e in c["env"]}
                        env["RELAYHOST"]["value"] = f"[127.0.0.1]:{self.sink.port}"
                        env["RELAY_DOMAINS"]["value"] = ""
                        c["env"].append({"name": "SMTP_LISTEN",
                                         "value": f"127.0.0.1:{self.smtp_port}"})
                        c["env"].append({"name": "POSTFIX_EXTRA", "value":
                                         "smtp_dns_support_level = disabled;"
                                         "smtpd_peername_lookup = no"})
            out.append(d)
        return out

    def container(self, name):
        """The container of the pod (podman names Deployment pods NAME-pod-0, ...)."""
        names = common.podman("ps", "--format", "{{.Names}}").stdout.split()
        found = [n for n in names if re.fullmatch(rf"{POD}(-\d+)?-{name}", n)]
        if len(found) != 1:
            raise AssertionError(f"no single container {name} of the pod in {names}")
        return found[0]

    def rules_dir(self):
        for m in common.inspect(self.container("pixelwarden"))["Mounts"]:
            if m["Destination"] == "/etc/pixelwarden/rules":
                return m["Source"]
        raise AssertionError("no mount on /etc/pixelwarden/rules")

    def version_in_force(self):
        info = support.ruleset_info(common.metrics(self.http_port))
        return info[1] if info else None

    def send(self, subject, sender="news@shop.example"):
        with smtplib.SMTP("127.0.0.1", self.smtp_port, timeout=30) as s:
            s.sendmail(sender, ["bob@example.net"], common.newsletter(subject))
        return self.sink.wait_for_subject(subject, timeout=60).data

    def test_gateway_pod_and_configmap_swap(self):
        common.wait(lambda: common.http(self.http_port, "/readyz")[0] == 200, 60,
                    "pixelwarden /readyz in the pod")
        common.wait(lambda: harness.port_open(self.smtp_port), 60, "the sidecar's smtpd")
        info = common.inspect(self.container("pixelwarden"))
        with open(f"/proc/{info['State']['Pid']}/status") as f:
            self.assertIn("Uid:\t999\t999\t999\t999", f.read())
        self.assertTrue(info["HostConfig"]["ReadonlyRootfs"])
        # The unix socket in the shared emptyDir, seen from the Postfix container.
        ls = common.podman("exec", self.container("postfix"), "sh", "-c",
                           "test -S /run/pixelwarden/milter.sock && echo socket").stdout
        self.assertEqual(ls.strip(), "socket")

        got = self.send("kube news 1")
        self.assertNotIn(b"tracker-one.example", got)
        self.assertEqual(support.verdict_header(got)["ruleset"].split("/")[1], "1")
        self.assertEqual(support.metric(common.metrics(self.http_port),
                                        "pixelwarden_trackers_total", action="neutralize"), 1)

        # The kubelet's update of a ConfigMap volume: a new timestamped directory, the
        # ..data symlink renamed over, the file names pointing through ..data. The first
        # swap turns podman's plain files into that layout, the second is exactly the
        # kubelet's (only ..data changes).
        mount = self.rules_dir()
        pid = info["State"]["Pid"]
        for n, stamp in ((2, "..2026_12_03_10_00_00.111"), (3, "..2026_12_03_10_05_00.222")):
            new = os.path.join(mount, stamp)
            common.write_rules(new, str(n))
            os.chmod(new, 0o755)
            old = os.path.realpath(os.path.join(mount, "..data")) \
                if os.path.islink(os.path.join(mount, "..data")) else None
            os.symlink(stamp, os.path.join(mount, "..data_tmp"))
            os.rename(os.path.join(mount, "..data_tmp"), os.path.join(mount, "..data"))
            for name in ("rules.yaml", "lure-domains.txt"):
                link = os.path.join(mount, name)
                if not os.path.islink(link):
                    os.symlink(os.path.join("..data", name), link + ".tmp")
                    os.rename(link + ".tmp", link)
            if old:
                shutil.rmtree(old)
            version = str(n)
            common.wait(lambda: self.version_in_force() == version, 30,
                        f"ruleset version {version} in /metrics")
            got = self.send(f"kube news {n}")
            self.assertEqual(support.verdict_header(got)["ruleset"].split("/")[1], version)
        # Reloaded in place: the same process, no failure.
        self.assertEqual(common.inspect(self.container("pixelwarden"))["State"]["Pid"], pid)
        samples = common.metrics(self.http_port)
        self.assertEqual(support.reloads(samples, "failure"), 0)
        self.assertGreaterEqual(support.reloads(samples, "success"), 2)


if __name__ == "__main__":
    play = "KubePlay" in sys.argv[1:]
    common.main(tools=("kubectl", "node") + (("podman", "postfix") if play else ()), root=play)
