#!/usr/bin/env python3
"""Real-Prometheus test: a real Prometheus server (/usr/bin/prometheus, scrape and rule
evaluation every second, deploy/prometheus/alerts.yml loaded) scrapes pixelwarden's
/metrics while test traffic goes through; then EVERY PromQL expression of EVERY panel
of deploy/grafana/pixelwarden.json and EVERY alert rule is evaluated through
/api/v1/query and compared with what the traffic must have produced
(prometheus/traffic.py says what is sent and what the test ruleset makes of it).
Finally the conditions that can be provoked locally are provoked (a reload failure, the
target going down) and the alert states checked through /api/v1/alerts.

Backends (--backend):
  replay  the real observe::Metrics driven by prometheus/metrics_replay with the
          verdicts of traffic.py (no MTA, no engine): checks the dashboard, the alerts
          and the metrics code against a real Prometheus.
  daemon  the real `pixelwarden run` behind a private Postfix (harness.py), mail sent
          over SMTP: checks the whole chain.
Temp dirs are kept on failure (path printed). Finishes in well under 3 minutes.
"""
import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "prometheus"))
import harness  # noqa: E402
import traffic  # noqa: E402

SCRAPE = 1  # seconds: scrape and rule evaluation interval


def wait_for(what, check, timeout=30.0, step=0.25):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            last = check()
            if last:
                return last
        except Exception as e:  # noqa: BLE001 - retried until the deadline
            last = e
        time.sleep(step)
    raise AssertionError(f"timed out waiting for {what} (last: {last!r})")


# ---------------------------------------------------------------- backends

class ReplayBackend:
    """The real Metrics class fed the verdicts of traffic.py, served over HTTP."""

    def __init__(self, replay_bin, workdir):
        self.proc = subprocess.Popen([replay_bin], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        self.lock = threading.Lock()
        backend = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                body = backend.dump().encode()
                self.send_response(200 if self.path == "/metrics" else 404)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.address = f"127.0.0.1:{self.server.server_address[1]}"
        r = traffic.RULESET
        self.command(f"ruleset {r['name']} {r['version']} replay-sha256 {r['trackers']} "
                     f"{r['lures']} {r['allow']} 2 0.01")
        self.ruleset_sha256 = "replay-sha256"

    def command(self, line):
        with self.lock:
            self.proc.stdin.write(line + "\n")
            self.proc.stdin.flush()

    def dump(self):
        with self.lock:
            self.proc.stdin.write("dump\n")
            self.proc.stdin.flush()
            out = []
            for line in self.proc.stdout:
                if line.startswith("# EOF"):
                    break
                out.append(line)
            return "".join(out)

    def send(self, m):
        self.command("open")
        size = len(traffic.message_bytes(m))
        self.command(f"message {m['action']} {int(m['modified'])} 0.0004 {size}")
        for rule, action, vector, vendor in m["trackers"]:
            self.command(f"tracker {rule} {action} {vector} {vendor if vendor != rule else '-'}")
        for rule, where, action in m["lures"]:
            self.command(f"lure {rule} {where} {action}")
        for vector in m["vectors"] or []:
            self.command(f"vector {vector}")
        self.command("end")
        self.command("close")

    def break_ruleset(self):
        self.command("reload failure")

    def stop_daemon(self):
        self.server.shutdown()
        self.server.server_close()

    def close(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(timeout=10)


class DaemonBackend:
    """`pixelwarden run` behind a private Postfix, through harness.start(pixelwarden=,
    workdir=, rules=): an environment with .metrics_address "host:port",
    .send(bytes, mail_from=, rcpt=) (returns after the MTA answered), .stop_daemon()
    (SIGTERM pixelwarden only) and .stop()."""

    def __init__(self, pixelwarden_bin, workdir):
        self.rules_dir = os.path.join(workdir, "rules")
        os.makedirs(self.rules_dir)
        shutil.copy(os.path.join(HERE, "prometheus", "rules", "test.yaml"),
                    os.path.join(self.rules_dir, "rules.yaml"))
        self.env = harness.start(pixelwarden=pixelwarden_bin, workdir=workdir,
                                 rules=os.path.join(self.rules_dir, "rules.yaml"))
        self.address = self.env.metrics_address
        self.ruleset_sha256 = None  # computed by the daemon; checked non-empty

    def send(self, m):
        self.env.send(traffic.message_bytes(m), mail_from=m["from"],
                      rcpt=["bob@corp.example"])

    def break_ruleset(self):
        shutil.copy(os.path.join(HERE, "prometheus", "rules", "broken.yaml"),
                    os.path.join(self.rules_dir, "rules.yaml"))
        req = urllib.request.Request(f"http://{self.address}/-/reload", method="POST")
        try:
            urllib.request.urlopen(req, timeout=10).read()
        except urllib.error.HTTPError:
            pass  # a failed reload may well answer 4xx/5xx; the metric is what counts

    def stop_daemon(self):
        self.env.stop_daemon()

    def close(self):
        self.env.stop()


# ---------------------------------------------------------------- prometheus

class Prometheus:
    def __init__(self, binary, workdir, target, alerts):
        self.port = harness.free_port()
        config = os.path.join(workdir, "prometheus.yml")
        with open(config, "w") as f:
            f.write(f"""global:
  scrape_interval: {SCRAPE}s
  evaluation_interval: {SCRAPE}s
rule_files: ["{alerts}"]
scrape_configs:
  - job_name: pixelwarden
    static_configs:
      - targets: ["{target}"]
""")
        self.log = open(os.path.join(workdir, "prometheus.log"), "w")
        self.proc = subprocess.Popen(
            [binary, f"--config.file={config}",
             f"--storage.tsdb.path={os.path.join(workdir, 'tsdb')}",
             f"--web.listen-address=127.0.0.1:{self.port}"],
            stdout=self.log, stderr=subprocess.STDOUT)
        wait_for("prometheus ready", lambda: urllib.request.urlopen(
            f"http://127.0.0.1:{self.port}/-/ready", timeout=2).status == 200)

    def api(self, path, **params):
        url = f"http://127.0.0.1:{self.port}/api/v1/{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        with urllib.request.urlopen(url, timeout=10) as r:
            body = json.load(r)
        assert body["status"] == "success", body
        return body["data"]

    def query(self, expr):
        """The result as {frozenset(labels.items()): value} (scalars under key ())."""
        data = self.api("query", query=expr)
        if data["resultType"] == "scalar":
            return {(): float(data["result"][1])}
        return {frozenset(r["metric"].items()): float(r["value"][1]) for r in data["result"]}

    def alert_states(self):
        return {a["labels"]["alertname"]: a["state"] for a in self.api("alerts")["alerts"]}

    def close(self):
        harness.stop_process(self.proc, timeout=20)
        self.log.close()


# ---------------------------------------------------------------- expectations

class Counts:
    """What a set of messages must have produced, from traffic.py."""

    def __init__(self, messages):
        self.messages = len(messages)
        self.by_action, self.trackers, self.vendors, self.lures, self.vectors = {}, {}, {}, {}, {}
        self.modified = 0
        for m in messages:
            add(self.by_action, m["action"])
            self.modified += int(m["modified"])
            for rule, action, vector, vendor in m["trackers"]:
                add(self.trackers, (rule, action, vector))
                add(self.vendors, vendor)
            for lure in m["lures"]:
                add(self.lures, lure)
            for vector in m["vectors"] or []:
                add(self.vectors, vector)

    def sum_by(self, table, *positions):
        out = {}
        for key, n in table.items():
            add(out, tuple(key[p] for p in positions), n)
        return out


def add(table, key, n=1):
    table[key] = table.get(key, 0) + n


def sent_messages():
    by_name = {m["name"]: m for m in traffic.MESSAGES}
    burst = [by_name[name] for name, n in traffic.BURST.items() for _ in range(n)]
    return by_name, burst


class Checker:
    def __init__(self):
        self.failures = []
        self.checked = 0

    def fail(self, where, msg):
        self.failures.append(f"{where}: {msg}")

    # increase()/rate() extrapolate the samples in a window to its edges, by up to about
    # one scrape interval at each end: the tolerance follows from the window's length.
    window_rel = 0.2

    def approx(self, where, got, want, rel=None):
        """increase()/rate() extrapolate to the window edges (see window_rel)."""
        rel = self.window_rel if rel is None else rel
        self.checked += 1
        if not math.isclose(got, want, rel_tol=rel, abs_tol=0.5 if want >= 1 else 0.05):
            self.fail(where, f"got {got}, want ~{want}")

    def series(self, where, result, labels, want, rel=None):
        """result keyed by the `labels` tuple must be ~want (a dict) exactly on its keys."""
        got = {tuple(dict(k).get(n, "") for n in labels): v for k, v in result.items()}
        if set(got) != set(want):
            self.fail(where, f"label sets {sorted(got)} != {sorted(want)}")
            return
        for key, value in want.items():
            self.approx(f"{where} {key}", got[key], value, rel)

    def positive_on(self, where, result, labels, keys, all_keys=None):
        """Exactly `keys` are > 0 (rates); anything else present is 0."""
        got = {tuple(dict(k).get(n, "") for n in labels): v for k, v in result.items()}
        self.checked += 1
        positive = {k for k, v in got.items() if v > 0}
        if positive != set(keys):
            self.fail(where, f"positive on {sorted(positive)}, want {sorted(keys)}")
        if all_keys is not None and not set(all_keys) <= set(got):
            self.fail(where, f"missing zero series: {sorted(set(all_keys) - set(got))}")

    def between(self, where, result, lo, hi):
        self.checked += 1
        if not result:
            self.fail(where, "no result")
        for k, v in result.items():
            if not lo <= v <= hi:
                self.fail(where, f"{dict(k)} = {v} not in [{lo}, {hi}]")

    def empty(self, where, result, want_empty=True):
        self.checked += 1
        if bool(result) == want_empty:
            self.fail(where, f"{'non-empty' if want_empty else 'empty'} result {result}")


def substitute(expr, rng):
    """Grafana's variables. Both windows open just after the warm-up round was scraped,
    so rates and increases cover the last round only (a new series' first sample is
    not an increase to Prometheus)."""
    return (expr.replace("$__rate_interval", f"{rng}s").replace("$__range", f"{rng}s")
            .replace("$job", "pixelwarden").replace("$instance", ".*")
            .replace("$ruleset", ".*"))


def panel_expectations(c, window, total, sha256):
    """title -> [checker per target]. Every panel target must have one: a new panel
    without an expectation fails the test."""
    blocked = {k: v for k, v in window.trackers.items() if k[1] not in ("keep", "monitor")}
    all_actions = [(a,) for a in ("accept", "reject", "tempfail", "discard", "quarantine")]
    sizes = traffic.RULESET
    return {
        "Messages": [lambda r, w: c.series(w, r, (), {(): window.messages})],
        "Pixels blocked": [lambda r, w: c.series(w, r, (), {(): sum(blocked.values())})],
        "Lure hits": [lambda r, w: c.series(w, r, (), {(): sum(window.lures.values())})],
        "Modified ratio": [lambda r, w: c.series(w, r, (), {(): window.modified / window.messages})],
        "Ruleset in force": [lambda r, w: check_ruleset_info(c, w, r, sha256)],
        "Pixels blocked per hour by rule": [
            lambda r, w: c.positive_on(w, r, ("rule",), window.sum_by(blocked, 0))],
        "Pixels blocked per hour by vector": [
            lambda r, w: c.positive_on(w, r, ("vector",), window.sum_by(blocked, 2))],
        "Top tracking services": [
            lambda r, w: c.series(w, r, ("vendor",), {(k,): v for k, v in window.vendors.items()})],
        "Trackers by rule and action": [
            lambda r, w: c.series(w, r, ("rule", "action"), window.sum_by(window.trackers, 0, 1))],
        "Remote resources by vector": [
            lambda r, w: c.positive_on(w, r, ("vector",), {(k,) for k in window.vectors},
                                       all_keys=[("img",), ("iframe",), ("css_url",)]),
            lambda r, w: c.series(w, r, (), {(): sum(window.trackers.values()) /
                                             sum(window.vectors.values())}, rel=0.1)],
        "Lure hits by rule and where": [
            lambda r, w: c.positive_on(w, r, ("rule", "where"), window.sum_by(window.lures, 0, 1))],
        "Lure hits by action": [
            lambda r, w: c.series(w, r, ("rule", "where", "action"), window.lures)],
        "Messages by action": [
            lambda r, w: c.positive_on(w, r, ("action",), {(a,) for a in window.by_action},
                                       all_keys=all_actions)],
        "Latency p50 / p99": [lambda r, w: c.between(w, r, 1e-7, 0.25)] * 2,
        "Message size p50 / p99": [lambda r, w: c.between(w, r, 1, 4096)] * 2,
        "Skipped by reason": [lambda r, w: c.positive_on(
            w, r, ("reason",), set(), all_keys=[("too_large",), ("malformed_mime",)])],
        "Errors by kind": [lambda r, w: c.positive_on(w, r, ("kind",), set())],
        "Ruleset reloads": [lambda r, w: c.positive_on(
            w, {k: v for k, v in r.items() if dict(k).get("result") != "success"},
            ("result",), set(), all_keys=[("failure",), ("unchanged",)])],
        "Ruleset size": [
            lambda r, w: c.series(w, {k: v for k, v in r.items() if dict(k)["kind"] != "list_entries"},
                                  ("kind",), {("tracker",): sizes["trackers"],
                                              ("lure",): sizes["lures"],
                                              ("allow",): sizes["allow"]}, rel=0),
            lambda r, w: c.between(w, r, 0, 60),
            lambda r, w: c.between(w, r, 0, 600)],
        "Process": [lambda r, w: c.between(w, r, 0, 1e6),
                    lambda r, w: c.between(w, r, 0, 64),
                    lambda r, w: c.between(w, r, 0.5, 1e5),
                    lambda r, w: c.between(w, r, 1, 1e5)],
    }


def check_ruleset_info(c, where, result, sha256):
    c.checked += 1
    if len(result) != 1:
        c.fail(where, f"want one ruleset in force, got {result}")
        return
    labels = dict(next(iter(result)))
    r = traffic.RULESET
    if labels.get("name") != r["name"] or labels.get("version") != r["version"]:
        c.fail(where, f"ruleset {labels}")
    if not labels.get("sha256") or (sha256 and labels["sha256"] != sha256):
        c.fail(where, f"sha256 {labels.get('sha256')!r}, want {sha256 or 'non-empty'}")


# Alert name -> does its expression hold after the traffic (before provoking anything)?
ALERTS_AFTER_TRAFFIC = {
    "PixelwardenDown": False,
    "PixelwardenAbsent": False,
    "PixelwardenNoRuleset": False,
    "PixelwardenRulesetReloadFailing": False,
    "PixelwardenErrors": False,        # not provokable without breaking the daemon
    "PixelwardenTempfailSpike": True,  # 1 tempfail lure message in 5
    "PixelwardenRejectSpike": True,    # the reject burst
    "PixelwardenLatencyHigh": False,   # not provokable locally: the filter is fast
    "PixelwardenMilterConnectionsRefused": False,  # tests/reliability/idle_connections.py
}


# ---------------------------------------------------------------- the test

def run(args, workdir):
    c = Checker()
    backend = (ReplayBackend(args.replay, workdir) if args.backend == "replay"
               else DaemonBackend(args.pixelwarden, workdir))
    prom = None
    try:
        prom = Prometheus(args.prometheus, workdir, backend.address,
                          os.path.join(args.source_dir, "deploy", "prometheus", "alerts.yml"))
        wait_for("target up", lambda: prom.query('up{job="pixelwarden"} == 1'))
        by_name, burst = sent_messages()
        sent = []

        def send_round(messages):
            for m in messages:
                backend.send(m)
                sent.append(m)
            n = len(sent)
            wait_for(f"{n} messages scraped", lambda: list(prom.query(
                "sum(pixelwarden_messages_total)").values()) == [n])

        for _ in range(traffic.ROUNDS - 1):
            send_round(traffic.MESSAGES)
        time.sleep(3 * SCRAPE)  # the warm-up values are a sample before the window opens
        window_start = time.time()
        send_round(traffic.MESSAGES + burst)
        time.sleep(6 * SCRAPE)  # a longer window: less extrapolation at its edges
        window = Counts(traffic.MESSAGES + burst)
        total = Counts(sent)
        rng = math.ceil(time.time() - window_start) + 1
        c.window_rel = 0.1 + 2 * SCRAPE / rng

        check_instant_totals(c, prom, total)
        check_dashboard(c, prom, args.source_dir, window, total, backend.ruleset_sha256, rng)
        rules = alert_rules(prom)
        for name, holds in ALERTS_AFTER_TRAFFIC.items():
            c.empty(f"alert {name} expression", prom.query(rules[name]), want_empty=not holds)
        if set(rules) != set(ALERTS_AFTER_TRAFFIC):
            c.fail("alerts", f"rules {sorted(rules)} vs expectations {sorted(ALERTS_AFTER_TRAFFIC)}")
        def states_as_expected():
            s = prom.alert_states()
            return all((n in s) == h for n, h in ALERTS_AFTER_TRAFFIC.items()) and s
        try:
            states = wait_for("alert states", states_as_expected, timeout=10)
        except AssertionError:
            states = prom.alert_states()  # the mismatch is reported below
        for name, holds in ALERTS_AFTER_TRAFFIC.items():
            c.checked += 1
            if (name in states) != holds:
                c.fail(f"alert {name}", f"state {states.get(name, 'inactive')}")

        # Provoke a reload failure: firing at once (no `for`).
        backend.break_ruleset()
        wait_for("reload failure scraped", lambda: prom.query(
            'pixelwarden_ruleset_reloads_total{result="failure"} > 0'))
        wait_for("PixelwardenRulesetReloadFailing firing", lambda: prom.alert_states().get(
            "PixelwardenRulesetReloadFailing") == "firing")
        c.checked += 1
        c.empty("old ruleset still in force", prom.query(
            f'pixelwarden_ruleset_info{{version="{traffic.RULESET["version"]}"}} == 1'),
            want_empty=False)

        # Provoke scrape down: `for: 1m`, so pending is what a short test can see.
        backend.stop_daemon()
        wait_for("up == 0", lambda: prom.query(rules["PixelwardenDown"]))
        wait_for("PixelwardenDown pending", lambda: prom.alert_states().get(
            "PixelwardenDown") in ("pending", "firing"))
        c.checked += 2
    finally:
        if prom:
            prom.close()
        backend.close()
    return c


def check_instant_totals(c, prom, total):
    """Counters since start: exact."""
    def exact(expr, want):
        got = {tuple(k): v for k, v in prom.query(expr).items()}
        c.checked += 1
        if got != want:
            c.fail(expr, f"got {got}, want {want}")
    exact("sum(pixelwarden_messages_total)", {(): float(total.messages)})
    for action, n in total.by_action.items():
        exact(f'sum(pixelwarden_messages_total{{action="{action}"}})', {(): float(n)})
    exact("sum(pixelwarden_messages_modified_total)", {(): float(total.modified)})
    for (rule, action, vector), n in total.trackers.items():
        exact(f'sum(pixelwarden_trackers_total{{rule="{rule}",action="{action}",vector="{vector}"}})',
              {(): float(n)})
    for (rule, where, action), n in total.lures.items():
        exact(f'sum(pixelwarden_lure_hits_total{{rule="{rule}",where="{where}",action="{action}"}})',
              {(): float(n)})
    for vector, n in total.vectors.items():
        exact(f'sum(pixelwarden_remote_resources_total{{vector="{vector}"}})', {(): float(n)})
    exact("sum(pixelwarden_message_duration_seconds_count)", {(): float(total.messages)})


def check_dashboard(c, prom, source_dir, window, total, sha256, rng):
    with open(os.path.join(source_dir, "deploy", "grafana", "pixelwarden.json")) as f:
        dashboard = json.load(f)
    expectations = panel_expectations(c, window, total, sha256)
    seen = set()
    for panel in dashboard["panels"]:
        if panel["type"] == "row":
            continue
        title = panel["title"]
        seen.add(title)
        checks = expectations.get(title)
        if checks is None or len(checks) != len(panel["targets"]):
            c.fail(f"panel {title!r}", "no expectation for each of its targets")
            continue
        for target, check in zip(panel["targets"], checks):
            expr = substitute(target["expr"], rng)
            if "$" in expr:
                c.fail(f"panel {title!r}", f"unsubstituted variable in {expr}")
                continue
            check(prom.query(expr), f"panel {title!r} {target['refId']}: {expr}")
    for title in set(expectations) - seen:
        c.fail(f"panel {title!r}", "expected but not in the dashboard")
    # Annotation queries: valid PromQL over the test's series (prom.query raises on an
    # error). The test makes no successful reload, so they are only evaluated.
    for note in dashboard["annotations"]["list"]:
        c.checked += 1
        prom.query(substitute(note["target"]["expr"], rng))


def alert_rules(prom):
    return {r["name"]: r["query"] for g in prom.api("rules")["groups"] for r in g["rules"]
            if r["type"] == "alerting"}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--backend", choices=["replay", "daemon"], default="replay")
    ap.add_argument("--replay", help="metrics_replay binary (replay backend)")
    ap.add_argument("--pixelwarden", help="pixelwarden binary (daemon backend)")
    ap.add_argument("--prometheus", default="/usr/bin/prometheus")
    ap.add_argument("--source-dir", default=os.path.dirname(os.path.dirname(HERE)))
    args = ap.parse_args()
    # Exits 77 (ctest: skipped) without Prometheus, or without root for the daemon.
    harness.require(root=args.backend == "daemon", tools=(args.prometheus,))
    workdir = tempfile.mkdtemp(prefix="pw-prometheus-")
    started = time.time()
    try:
        c = run(args, workdir)
    except Exception:
        print(f"FAILED; temp dir kept: {workdir}", file=sys.stderr)
        raise
    elapsed = time.time() - started
    for f in c.failures:
        print("FAIL", f)
    print(f"{c.checked} checks, {len(c.failures)} failures, {elapsed:.1f}s ({args.backend})")
    if c.failures:
        print(f"temp dir kept: {workdir}")
        return 1
    shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
