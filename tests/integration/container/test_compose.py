#!/usr/bin/env python3
"""deploy.compose: deploy/compose/docker-compose.yml with Debian's docker-compose (1.29)
against podman's Docker API (`podman system service` on a private unix socket), with the
images of deploy.image_build and the stack's Prometheus image (built here from
deploy/compose/prometheus/Dockerfile), on free ports.

Through the stack's Postfix: a tracker newsletter is delivered to the mailbox with its
pixel neutralized; a lure is refused with the ruleset's 550. The stack's Prometheus
(the shipped alerts loaded) then answers the queries: the target is up, one pixel
neutralized, one message rejected and one accepted, no alert firing. `docker-compose
down` leaves no container of the project behind."""

import glob
import json
import os
import shutil
import smtplib
import subprocess
import tempfile
import time
import unittest
import urllib.parse
import urllib.request

import common
from common import harness

COMPOSE_DIR = os.path.join(common.SOURCE, "deploy", "compose")
PROJECT = "pwdeploytest"
PROMETHEUS_IMAGE = "localhost/pixelwarden-prometheus:test"


class ComposeStack(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="pw-compose-")
        os.chmod(self.tmp, 0o755)
        self.addCleanup(shutil.rmtree, self.tmp, True)
        common.podman("build", "--format", "docker", "--pull=never", "-q", "-f",
                      os.path.join(COMPOSE_DIR, "prometheus", "Dockerfile"), "-t",
                      PROMETHEUS_IMAGE, common.SOURCE, timeout=900)
        sock = os.path.join(self.tmp, "podman.sock")
        self.service = subprocess.Popen(
            ["podman", "system", "service", "--time=0", f"unix://{sock}"], env=common.env(),
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(self.tmp, "service.log"), "w"))
        self.addCleanup(self.stop_service)
        common.wait(lambda: os.path.exists(sock), 30, "podman system service")
        self.mailbox = os.path.join(self.tmp, "mailbox")
        os.makedirs(self.mailbox)
        os.chmod(self.mailbox, 0o777)       # smtp-sink writes as the image's postfix user
        self.ports = {k: harness.free_port() for k in
                      ("SMTP_PORT", "MILTER_PORT", "METRICS_PORT", "MAILBOX_PORT",
                       "PROMETHEUS_PORT")}
        self.env = dict(os.environ, DOCKER_HOST=f"unix://{sock}",
                        PIXELWARDEN_IMAGE=common.IMAGE, POSTFIX_IMAGE=common.POSTFIX_IMAGE,
                        PROMETHEUS_IMAGE=PROMETHEUS_IMAGE, MAILBOX_DIR=self.mailbox,
                        COMPOSE_PROJECT_NAME=PROJECT,
                        **{k: str(v) for k, v in self.ports.items()})
        self.compose("down", "-v", "--remove-orphans", check=False)
        self.addCleanup(self.down)

    def stop_service(self):
        self.service.terminate()
        try:
            self.service.wait(20)
        except subprocess.TimeoutExpired:
            self.service.kill()
            self.service.wait(10)

    def compose(self, *args, check=True, timeout=300):
        r = subprocess.run(["docker-compose", "-f", os.path.join(COMPOSE_DIR,
                                                                "docker-compose.yml"), *args],
                           env=self.env, capture_output=True, text=True, timeout=timeout)
        if check and r.returncode != 0:
            raise AssertionError(f"docker-compose {' '.join(args)}: {r.returncode}\n"
                                 f"{r.stdout[-3000:]}\n{r.stderr[-3000:]}")
        return r

    def project_containers(self):
        r = common.podman("ps", "-a", "--filter",
                          f"label=com.docker.compose.project={PROJECT}",
                          "--format", "{{.Names}}", check=False)
        return r.stdout.split()

    def down(self):
        if harness.failed_so_far(self):
            print(self.compose("logs", "--no-color", "--tail", "40", check=False).stdout[-6000:])
        self.compose("down", "-v", "--remove-orphans", "-t", "40", check=False)
        for name in self.project_containers():
            common.podman("rm", "-f", "-t", "0", name, check=False)

    def prom(self, query):
        url = (f"http://127.0.0.1:{self.ports['PROMETHEUS_PORT']}/api/v1/query?"
               + urllib.parse.urlencode({"query": query}))
        with urllib.request.urlopen(url, timeout=10) as r:
            data = json.load(r)
        return {json.dumps(s["metric"], sort_keys=True): float(s["value"][1])
                for s in data["data"]["result"]}

    def prom_api(self, path):
        url = f"http://127.0.0.1:{self.ports['PROMETHEUS_PORT']}/api/v1/{path}"
        with urllib.request.urlopen(url, timeout=10) as r:
            return json.load(r)["data"]

    def single(self, query):
        try:
            values = list(self.prom(query).values())
        except OSError:
            return None
        return values[0] if len(values) == 1 else None

    def mailbox_messages(self):
        out = []
        for path in glob.glob(os.path.join(self.mailbox, "*", "*")):
            with open(path, "rb") as f:
                out.append(f.read())
        return out

    def test_stack(self):
        t0 = time.monotonic()
        self.compose("up", "-d", "--no-build", timeout=600)
        names = set(self.project_containers())
        self.assertEqual(len(names), 4, names)       # grafana is behind its profile
        common.wait(lambda: common.http(self.ports["METRICS_PORT"], "/readyz")[0] == 200,
                    60, "pixelwarden /readyz")
        common.wait(lambda: harness.port_open(self.ports["SMTP_PORT"]), 60, "postfix")
        common.wait(lambda: common.http(self.ports["PROMETHEUS_PORT"], "/-/ready")[0] == 200,
                    60, "prometheus ready")
        print(f"\nstack up in {time.monotonic() - t0:.0f} s")

        news = common.newsletter("compose news").replace(b"t.tracker-one.example",
                                                         b"list-manage.com")
        smtp = ("127.0.0.1", self.ports["SMTP_PORT"])
        with smtplib.SMTP(*smtp, timeout=30) as s:
            s.sendmail("news@shop.example", ["bob@example.net"], news)
        lure = harness.make_message(subject="lure", sender="offers@lure-news.example")
        with smtplib.SMTP(*smtp, timeout=30) as s:
            with self.assertRaises(smtplib.SMTPDataError) as refused:
                s.sendmail("offers@lure-news.example", ["bob@example.net"], lure)
        self.assertEqual(refused.exception.smtp_code, 550)
        self.assertIn(b"lure list", refused.exception.smtp_error)

        common.wait(lambda: len(self.mailbox_messages()) >= 1, 60, "delivery to the mailbox")
        time.sleep(1)
        delivered = self.mailbox_messages()
        self.assertEqual(len(delivered), 1)
        self.assertIn(b"Subject: compose news", delivered[0])
        self.assertIn(b"X-Pixelwarden:", delivered[0])
        self.assertNotIn(b"list-manage.com/open", delivered[0])
        self.assertNotIn(b"lure", delivered[0].split(b"\r\n\r\n")[0].lower()
                         .replace(b"pixelwarden", b""))

        # Prometheus of the stack, with the shipped alert rules loaded.
        common.wait(lambda: self.single('up{job="pixelwarden"}') == 1, 60, "target up")
        common.wait(lambda: self.single(
            'sum(pixelwarden_trackers_total{action="neutralize"})') == 1, 60,
            "one neutralized pixel in Prometheus")
        self.assertEqual(self.single('sum(pixelwarden_messages_total{action="reject"})'), 1)
        self.assertEqual(self.single('sum(pixelwarden_messages_total{action="accept"})'), 1)
        # The lure's domain was both the envelope and the header sender.
        hits = self.prom('sum by (where) (pixelwarden_lure_hits_total{rule="lure-senders"})')
        self.assertEqual({json.loads(k)["where"]: v for k, v in hits.items()},
                         {"envelope_from": 1, "header_from": 1})
        groups = self.prom_api("rules")["groups"]
        alerts = [r for g in groups for r in g["rules"] if r["type"] == "alerting"]
        self.assertGreater(len(alerts), 5)
        firing = [r["name"] for r in alerts if r["state"] == "firing"]
        self.assertEqual(firing, [])

        # Down: every service stops on SIGTERM, none is killed (137) after the timeout;
        # pixelwarden drains and exits 0, smtp-sink dies of the signal (143).
        t1 = time.monotonic()
        self.compose("stop", "-t", "40", timeout=300)
        print(f"stack stopped in {time.monotonic() - t1:.0f} s")
        for name in self.project_containers():
            code = common.inspect(name)["State"]["ExitCode"]
            self.assertIn(code, (0,) if "_pixelwarden_" in name else (0, 143), name)
        self.compose("down", "-v", timeout=300)
        self.assertEqual(self.project_containers(), [])


if __name__ == "__main__":
    common.main(tools=("podman", "docker-compose"))
