#!/usr/bin/env python3
"""deploy/kubernetes/retro-hunt-job.yaml, run as far as this machine allows.

No Kubernetes here: the manifest is checked for the facts the hunt depends on (Indexed
completion mode, SHARDS = completions, read-only mail volume, the rules ConfigMap passes
`pixelwarden rules check`), then the container's own shell command is run once per index
with JOB_COMPLETION_INDEX set, as the Job controller would, with the image's paths mapped
to a generated store, a results directory and the ConfigMap's rules. The merge the
manifest documents (cat shard-*.jsonl) must equal one unsharded scan, shards disjoint.
The temp dir is kept on failure.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pixelwarden", required=True)
    ap.add_argument("--source-dir", required=True)
    args = ap.parse_args()
    with open(os.path.join(args.source_dir, "deploy", "kubernetes", "retro-hunt-job.yaml")) as f:
        docs = [d for d in yaml.safe_load_all(f) if d]
    kinds = {d["kind"]: d for d in docs}
    check(set(kinds) == {"ConfigMap", "Job"}, f"kinds {sorted(kinds)}")
    job, cm = kinds["Job"], kinds["ConfigMap"]
    spec = job["spec"]
    pod = spec["template"]["spec"]
    container = pod["containers"][0]
    env = {e["name"]: e["value"] for e in container["env"]}
    shards = spec["completions"]
    check(spec.get("completionMode") == "Indexed", "completionMode Indexed")
    check(int(env["SHARDS"]) == shards, f"SHARDS {env['SHARDS']} != completions {shards}")
    check(pod["restartPolicy"] == "Never", "restartPolicy Never (a failed index is retried as a new pod)")
    mounts = {m["name"]: m for m in container["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    check(mounts["mail"].get("readOnly") is True and volumes["mail"]["persistentVolumeClaim"].get("readOnly") is True,
          "the mail volume is mounted read-only")
    check(volumes["rules"]["configMap"]["name"] == cm["metadata"]["name"], "rules volume names the ConfigMap")
    script = container["args"][0]
    check(container["command"] == ["/bin/sh", "-c"], "the command is a shell")
    check("${JOB_COMPLETION_INDEX}/${SHARDS}" in script, "the script shards by JOB_COMPLETION_INDEX/SHARDS")

    tmp = tempfile.mkdtemp(prefix="pw-job-")
    try:
        rules_dir = os.path.join(tmp, "hunt")
        os.makedirs(rules_dir)
        for name, text in cm["data"].items():
            with open(os.path.join(rules_dir, name), "w") as f:
                f.write(text)
        p = subprocess.run([args.pixelwarden, "rules", "check", os.path.join(rules_dir, "rules.yaml")],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        check(p.returncode == 0, f"the ConfigMap's rules: {p.stdout.decode()}")
        store = os.path.join(tmp, "mail")
        gen = os.path.join(args.source_dir, "tests", "bench", "scan", "gen_store.py")
        p = subprocess.run([sys.executable, gen, "-n", "600", "--attachment-bytes", "2000", store],
                           stdout=subprocess.PIPE, check=True)
        results = os.path.join(tmp, "results")
        os.makedirs(results)
        local = (script.replace("/usr/sbin/pixelwarden", args.pixelwarden)
                 .replace("/etc/pixelwarden/hunt", rules_dir)
                 .replace(" /mail", " " + store)
                 .replace("/results", results))
        for i in range(shards):
            run_env = dict(os.environ, JOB_COMPLETION_INDEX=str(i), **env)
            p = subprocess.run(["/bin/sh", "-c", local], env=run_env)
            check(p.returncode == 0, f"index {i} exit {p.returncode}")
        files = sorted(f for f in os.listdir(results) if re.fullmatch(r"shard-\d+\.jsonl", f))
        check(len(files) == shards, f"one result file per index: {files}")
        strip = lambda s: re.sub(r'"elapsed_us":\d+', '"elapsed_us":0', s)
        merged = []
        for name in files:
            with open(os.path.join(results, name)) as f:
                merged += strip(f.read()).splitlines()
        for name in os.listdir(results):
            if name.endswith(".log"):
                with open(os.path.join(results, name)) as f:
                    check("INCOMPLETE" not in f.read(), f"{name}: incomplete")
        p = subprocess.run([args.pixelwarden, "scan", "--rules", os.path.join(rules_dir, "rules.yaml"),
                            "--format", "json", store], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        full = strip(p.stdout.decode()).splitlines()
        check(len(full) > 0, "the store has matches")
        check(len(merged) == len(set(merged)), "shards are disjoint")
        check(sorted(merged) == sorted(full), f"merged shards ({len(merged)}) == one scan ({len(full)})")
        print(f"{shards} shards, {len(full)} reported messages, merged == unsharded")
    finally:
        if not failures:
            shutil.rmtree(tmp)
        else:
            print("kept", tmp)
    if failures:
        return 1
    print("retro-hunt job manifest: all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
