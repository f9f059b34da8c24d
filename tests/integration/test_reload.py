"""Hot reload under load, through a real Postfix: no message lost or mis-decided while rulesets swap.

Several SMTP sessions send mail continuously (every message its own envelope sender)
while the ruleset file is replaced again and again by every trigger kind:
  - file change: tmp file + rename, seen by inotify,
  - SIGUSR1, and POST /-/reload: the file is rewritten in place and kept open
    (IN_MODIFY only, which the watcher ignores), then the trigger is fired,
  - the periodic poll (rules.poll_interval 1s): rewritten in place, nothing fired.
Valid versions alternate what they refuse (support.ruleset_text), and every
valid one is followed by an invalid one: unknown key, YAML syntax error, bad regex,
bad action, an empty file, or a half-written file (cut inside a quoted string, fired,
then completed and closed). Checked:
  - zero tempfails, zero lost messages (accepted == delivered, nothing left queued),
  - every refusal names a version that refuses that sender's domain,
  - every delivered message carries X-Pixelwarden naming a version that was loaded
    (sha256 from the milter's log), was not refused by that version, and comes out
    identical (body and X-Pixelwarden) from `pixelwarden filter` run against the
    saved copy of that version (all of them, unless a loaded machine exhausts
    RERUN_SECONDS: then at least RERUN_MIN, those near a version switch first),
  - no failed reload changes pixelwarden_ruleset_info; failures are counted.

Run by tests/integration/enforcement/CMakeLists.txt (integration.reload).
"""

import concurrent.futures
import os
import signal
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import support as se  # noqa: E402

VALID_VERSIONS = 28            # each followed by an invalid replacement: 56+ in all
MIN_MESSAGES = 2500
MAX_LOAD_SECONDS = 110
# Offline re-runs cost one `pixelwarden filter` process each (~20-40 ms here, far more
# on a loaded machine): all delivered messages are re-run within RERUN_SECONDS.
RERUN_SECONDS = float(os.environ.get("PIXELWARDEN_RELOAD_RERUN_SECONDS", "100"))
RERUN_MIN = 400
TRIGGERS = ("file", "sigusr1", "http", "poll")
INVALID = ("unknown-key", "yaml-syntax", "half-written", "bad-regex", "empty", "bad-action")
RCPT = "reader@corp.example"


class HotReloadUnderLoad(unittest.TestCase):
    def setUp(self):
        if os.geteuid() != 0:
            self.skipTest("a private Postfix instance needs root")
        harness.binary()
        self.stack = harness.Stack(
            rules=se.ruleset_text(0),
            milter_config={"rules": {"poll_interval": "1s"}, "log": {"level": "info"}})
        self.stack.start()
        self.addCleanup(harness.stop_stack, self, self.stack)
        self.rules = self.stack.rules_path
        self.saved = os.path.join(self.stack.root, "versions")
        os.makedirs(self.saved)
        self.save_version(0)
        self.version = "0"
        self.failures_caused = 0
        self.fired = {t: 0 for t in TRIGGERS}
        self._switch_times = []

    def save_version(self, n):
        with open(os.path.join(self.saved, f"{n}.yaml"), "w", encoding="utf-8") as f:
            f.write(se.ruleset_text(n))

    # --- triggers ------------------------------------------------------------

    def fire(self, trigger):
        self.fired[trigger] += 1
        if trigger == "sigusr1":
            self.stack.milter.signal(signal.SIGUSR1)
        elif trigger == "http":
            status, _ = self.stack.milter.http("/-/reload", method="POST")
            self.assertIn(status, (200, 422))  # applied, or refused (file mid-write)

    def replace(self, text, trigger):
        """Puts text in place for `trigger`; returns an open writer to close later."""
        if trigger == "file":
            self.fired["file"] += 1
            se.write_atomic(self.rules, text)
            return None
        writer = se.InPlaceWriter(self.rules, text)
        self.fire(trigger)
        return writer

    def samples(self):
        return se.metrics(self.stack.milter)

    def wait_version(self, version, timeout=15):
        def ok():
            info = se.ruleset_info(self.samples())
            return info is not None and info[1] == version
        harness.wait_until(ok, timeout, interval=0.05, what=f"ruleset version {version}")

    def wait_failure(self, before, timeout=15):
        harness.wait_until(lambda: se.reloads(self.samples(), "failure") > before, timeout,
                           interval=0.05, what="a counted reload failure")

    def assert_version_in_force(self, version):
        info = se.ruleset_info(self.samples())
        self.assertEqual(info[:2], (se.NAME, version), "a failed reload changed the ruleset")

    # --- one step each -------------------------------------------------------

    def valid_step(self, n, trigger):
        self.save_version(n)
        writer = self.replace(se.ruleset_text(n), trigger)
        self.wait_version(str(n))
        self._switch_times.append(time.monotonic())
        if writer:
            writer.close()
        self.version = str(n)

    def invalid_step(self, kind, trigger, next_version):
        before = se.reloads(self.samples(), "failure")
        if kind == "half-written":
            head, tail = se.half_written(next_version)
            writer = se.InPlaceWriter(self.rules, head)
            self.fire("sigusr1" if trigger in ("file", "poll") else trigger)
            self.wait_failure(before)
            self.assert_version_in_force(self.version)
            self.failures_caused += 1
            self.save_version(next_version)
            writer.write(tail)
            writer.close()  # IN_CLOSE_WRITE: the completed file loads via inotify
            self.wait_version(str(next_version))
            self._switch_times.append(time.monotonic())
            self.version = str(next_version)
            return True
        writer = self.replace(se.invalid_texts(next_version)[kind], trigger)
        self.wait_failure(before)
        time.sleep(0.05)
        self.assert_version_in_force(self.version)
        self.failures_caused += 1
        if writer:
            writer.close()
        return False

    # --- the test --------------------------------------------------------------

    def test_rulesets_replaced_under_load_by_every_trigger(self):
        load = se.Load(self.stack, sessions=6).start()
        try:
            harness.wait_until(lambda: load.count() >= 60, 60, what="the load to start")
            replacements, n = 0, 1
            for step in range(VALID_VERSIONS):
                self.valid_step(n, TRIGGERS[step % len(TRIGGERS)])
                n += 1
                replacements += 1
                kind = INVALID[step % len(INVALID)]
                if self.invalid_step(kind, TRIGGERS[(step + 1) % len(TRIGGERS)], n):
                    n += 1
                    replacements += 1
                replacements += 1
            harness.wait_until(lambda: load.count() >= MIN_MESSAGES or
                               time.monotonic() - load.started > MAX_LOAD_SECONDS,
                               MAX_LOAD_SECONDS + 10, interval=0.2, what="enough messages")
        finally:
            load.stop()
        self.assertEqual(load.errors, [])
        self.assertGreaterEqual(replacements, 50)
        self.report = {"replacements": replacements, "fired": dict(self.fired)}
        self.check_outcomes(load)
        self.check_metrics_and_log()

    def check_outcomes(self, load):
        sent = load.sent
        self.assertGreaterEqual(len(sent), 2000)
        tempfails = [s for s in sent if s.code // 100 == 4]
        self.assertEqual(tempfails[:3], [], f"{len(tempfails)} tempfail(s)")
        refused = [s for s in sent if s.code // 100 == 5]
        accepted = [s for s in sent if s.code == 250]
        self.assertEqual(len(refused) + len(accepted), len(sent),
                         [(s.code, s.text) for s in sent if s.code not in (250,) and
                          s.code // 100 != 5][:3])
        for s in refused:
            v = se.refusing_version(s.text)
            self.assertIsNotNone(v, s.text)
            self.assertEqual(s.sender.split("@")[1], se.refused_domain(v),
                             f"{s.sender} refused by version {v}")
        sink = self.stack.sink
        sink.wait_for(len(accepted), timeout=90)
        time.sleep(1.0)
        self.assertEqual(sink.count(), len(accepted), "lost or duplicated messages")
        delivered = {m.mail_from: m for m in sink.messages}
        self.assertEqual(set(delivered), {s.sender for s in accepted})
        loaded = se.loaded_versions(self.stack.milter.log())
        for s in accepted:
            v = se.verdict_header(delivered[s.sender].data)
            self.assertIsNotNone(v, f"{s.sender}: no X-Pixelwarden")
            name, version, sha12 = v["ruleset"].split("/")
            self.assertEqual(name, se.NAME)
            self.assertIn(version, loaded, f"{s.sender}: version {version} was never loaded")
            self.assertEqual(sha12, loaded[version][:12])
            self.assertNotEqual(s.sender.split("@")[1], se.refused_domain(version),
                                f"{s.sender} delivered under version {version}, which refuses it")
        self.rerun_offline(accepted, delivered)
        seconds = load.stopped - load.started
        self.report.update(messages=len(sent), accepted=len(accepted), refused=len(refused),
                           seconds=round(seconds, 1), msgs_per_s=round(len(sent) / seconds, 1),
                           p99_ms=round(se.p99([s.latency for s in sent]) * 1000, 1))

    def rerun_offline(self, accepted, delivered):
        """Every delivered message, those within 1.5 s of a switch first, until
        RERUN_SECONDS are spent (a loaded machine); at least RERUN_MIN of them."""
        switches = self._switch_times
        near = [s for s in accepted if any(abs(s.t1 - t) < 1.5 for t in switches)]
        ids = {s.idx for s in near}
        order = near + [s for s in accepted if s.idx not in ids]
        deadline = time.monotonic() + RERUN_SECONDS

        def check(s):
            if time.monotonic() > deadline:
                return None
            got = delivered[s.sender].data
            version = se.verdict_header(got)["ruleset"].split("/")[1]
            out, _ = se.run_filter(s.data, s.sender, [RCPT],
                                   rules=os.path.join(self.saved, f"{version}.yaml"))
            same_body = harness.body_of(got) == harness.body_of(out)
            same_header = (harness.header_values(got, "X-Pixelwarden") ==
                           harness.header_values(out, "X-Pixelwarden"))
            return s.sender, version, same_body, same_header

        with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
            results = [r for r in pool.map(check, order) if r is not None]
        bad = [r for r in results if not (r[2] and r[3])]
        self.assertEqual(bad[:5], [], f"{len(bad)} of {len(results)} differ offline")
        self.assertGreaterEqual(len(results), min(RERUN_MIN, len(order)),
                                "too few offline re-runs within the time budget")
        self.report["rerun"] = f"{len(results)}/{len(order)}"

    def check_metrics_and_log(self):
        samples = self.samples()
        self.assert_version_in_force(self.version)
        self.assertGreaterEqual(se.reloads(samples, "failure"), self.failures_caused)
        self.assertGreaterEqual(se.reloads(samples, "success"), VALID_VERSIONS)
        log = self.stack.milter.log()
        by_reason = se.loads_by_reason(log)
        self.assertGreaterEqual(by_reason.get("file change", 0), 1, by_reason)
        self.assertGreaterEqual(by_reason.get("requested", 0), 2, by_reason)
        self.assertGreaterEqual(by_reason.get("poll", 0), 1, by_reason)
        self.assertGreaterEqual(log.count("SIGUSR1: reloading rules"), self.fired["sigusr1"])
        self.report.update(loads_by_reason=by_reason, failures=se.reloads(samples, "failure"),
                           successes=se.reloads(samples, "success"))
        print(f"\n[reload] {self.report}", file=sys.stderr)



if __name__ == "__main__":
    harness.main()
