#!/usr/bin/env python3
"""deploy.image: the image of docker/Dockerfile (localhost/pixelwarden:test, built by
deploy.image_build) behind a real Postfix.

`podman run --network host --read-only` with its own CMD flags and a rules directory
mounted read-only; a private Postfix on the host (harness.py) uses it as its milter and
relays to a sink. A newsletter with a tracking pixel arrives with the pixel neutralized
and /metrics counts it; a lure sender is refused. `podman inspect` shows the non-root
user, and the image's HEALTHCHECK (run with `podman healthcheck run`: no systemd here
to schedule it) passes. `podman stop` drains and exits 0."""

import email
import email.policy
import os
import tempfile
import unittest

import common
from common import harness, support

NAME = "pw-deploy-image"


def html_of(data):
    msg = email.message_from_bytes(data, policy=email.policy.default)
    part = msg.get_body(preferencelist=("html",))
    return part.get_content() if part else ""


class ImageBehindPostfix(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="pw-image-")
        rules = os.path.join(self.tmp, "rules")
        common.write_rules(rules, "1")
        os.chmod(self.tmp, 0o755)
        self.milter_port = harness.free_port()
        self.http_port = harness.free_port()
        common.podman("rm", "-f", "-i", NAME, check=False)
        common.podman("run", "-d", "--name", NAME, "--network", "host", "--read-only",
                      "-v", f"{rules}:/etc/pixelwarden/rules:ro", common.IMAGE,
                      "run", "--socket", f"inet:{self.milter_port}@127.0.0.1",
                      "--metrics-listen", f"127.0.0.1:{self.http_port}",
                      "--rules", "/etc/pixelwarden/rules/rules.yaml")
        self.addCleanup(common.podman, "rm", "-f", "-t", "0", NAME, check=False)
        common.wait(lambda: common.http(self.http_port, "/readyz")[0] == 200, 30,
                    "/readyz of the container")
        self.sink = harness.SmtpSink().start()
        self.addCleanup(self.sink.stop)
        self.postfix = harness.Postfix(self.tmp, f"inet:127.0.0.1:{self.milter_port}",
                                       self.sink.port).start()
        self.addCleanup(self.postfix.stop)

    def tearDown(self):
        if not harness.failed_so_far(self):
            return
        print(common.podman("logs", NAME, check=False).stderr[-3000:])
        print(self.postfix.log()[-3000:])

    def smtp(self):
        import smtplib
        return smtplib.SMTP("127.0.0.1", self.postfix.smtp_port, timeout=30)

    def test_pixel_neutralized_lure_refused_metrics_health(self):
        # The newsletter: delivered, its pixel neutralized, the verdict header added.
        with self.smtp() as s:
            s.sendmail("news@shop.example", ["bob@example.net"],
                       common.newsletter("December news"))
        got = self.sink.wait_for_subject("December news").data
        html = html_of(got)
        self.assertIn("Our December news.", html)
        self.assertNotIn("tracker-one.example", html)
        verdict = support.verdict_header(got)
        self.assertIsNotNone(verdict, got[:2000])
        self.assertEqual(verdict["ruleset"].split("/")[1], "1")

        # The lure: refused at the end of data with the ruleset's reply.
        import smtplib
        with self.smtp() as s:
            with self.assertRaises(smtplib.SMTPDataError) as refused:
                s.sendmail(f"offers@{common.LURE_DOMAIN}", ["bob@example.net"],
                           harness.make_message(subject="lure",
                                                sender=f"offers@{common.LURE_DOMAIN}"))
        self.assertEqual(refused.exception.smtp_code, 550)
        self.assertIn(b"lure refused by ruleset 1", refused.exception.smtp_error)

        samples = common.metrics(self.http_port)
        self.assertEqual(support.metric(samples, "pixelwarden_trackers_total",
                                        rule="test-tracker-domains", action="neutralize"), 1)
        self.assertEqual(support.metric(samples, "pixelwarden_messages_total",
                                        action="accept"), 1)
        self.assertEqual(support.metric(samples, "pixelwarden_messages_total",
                                        action="reject"), 1)

        # Non-root: the image's user, and the process really runs as it.
        info = common.inspect(NAME)
        self.assertEqual(info["Config"]["User"], "999:999")
        with open(f"/proc/{info['State']['Pid']}/status") as f:
            uids = [line.split()[1:] for line in f if line.startswith(("Uid:", "Gid:"))]
        self.assertEqual(uids, [["999"] * 4, ["999"] * 4])
        self.assertTrue(info["HostConfig"]["ReadonlyRootfs"])

        # The image's health check: its command against the port the CMD set (the test
        # moved /metrics, so the check is pointed there the same way a user would).
        health = common.podman("healthcheck", "run", NAME, check=False)
        self.assertNotEqual(health.returncode, 0, "health check passed on a port nobody "
                            "listens on")
        common.podman("rm", "-f", "-t", "0", NAME)

    def test_default_cmd_health_check_and_stop(self):
        """The image as shipped: the default CMD (milter 0.0.0.0:8894, HTTP
        0.0.0.0:9894), so the HEALTHCHECK's fixed URL is the right one."""
        name = NAME + "-default"
        common.podman("rm", "-f", "-i", name, check=False)
        # Its own network namespace: the default ports are not the host's.
        common.podman("run", "-d", "--name", name, "--network", "none", "--read-only",
                      common.IMAGE)
        self.addCleanup(common.podman, "rm", "-f", "-t", "0", name, check=False)
        common.wait(lambda: common.podman("healthcheck", "run", name, check=False)
                    .returncode == 0, 30, "the image's health check to pass")
        state = common.inspect(name)["State"]
        health = state.get("Health") or state.get("Healthcheck") or {}
        self.assertEqual(health.get("Status"), "healthy", state)
        r = common.podman("stop", "-t", "40", name)
        state = common.inspect(name)["State"]
        self.assertEqual(state["ExitCode"], 0, common.podman("logs", name).stderr[-2000:])
        logs = common.podman("logs", name).stderr
        self.assertIn("stop signal: draining in-flight messages", logs)


if __name__ == "__main__":
    common.main(tools=("podman", "postfix"))
