"""Shared by the container tests (ctest label `deploy`): podman with this machine's
containers.conf, the images they build once per run, and the private Postfix + sink of
tests/integration/harness.py on the host.

The images are built by build_images.py (deploy.image_build, a ctest fixture) from the
.deb of scripts/package (deploy.package) on the slim base of scripts/base-image, and
tagged localhost/pixelwarden:test and localhost/pixelwarden-postfix:test."""

import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
import harness  # noqa: E402,F401  (re-exported for the tests)
import support  # noqa: E402,F401

SOURCE = os.environ.get("PIXELWARDEN_SOURCE_DIR",
                        os.path.abspath(os.path.join(HERE, "..", "..", "..")))
DEB_DIR = os.environ.get("PIXELWARDEN_DEB_DIR", os.path.join(SOURCE, "build", "package"))
CACHE = os.environ.get("PIXELWARDEN_IMAGE_CACHE", "/var/cache/pixelwarden-images")
NPM_CACHE = os.environ.get("PIXELWARDEN_NPM_CACHE", "/var/cache/pixelwarden-npm")
IMAGE = "localhost/pixelwarden:test"
POSTFIX_IMAGE = "localhost/pixelwarden-postfix:test"
SKIP = 77


def env():
    return dict(os.environ, CONTAINERS_CONF=os.path.join(CACHE, "containers.conf"))


def podman(*args, check=True, timeout=600, input=None):
    r = subprocess.run(["podman", *args], capture_output=True, text=True, env=env(),
                       timeout=timeout, input=input)
    if check and r.returncode != 0:
        raise AssertionError(f"podman {' '.join(args)} failed ({r.returncode}):\n"
                             f"{r.stdout[-3000:]}\n{r.stderr[-3000:]}")
    return r


def inspect(name):
    return json.loads(podman("inspect", name).stdout)[0]


def wait(pred, timeout, what, interval=0.25):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def http(port, path, method="GET"):
    """(status, body) of a plain HTTP request to 127.0.0.1:port, (0, "") when refused."""
    import http.client
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        c.request(method, path)
        r = c.getresponse()
        return r.status, r.read().decode("utf-8", "replace")
    except OSError:
        return 0, ""
    finally:
        c.close()


def metrics(port):
    status, body = http(port, "/metrics")
    if status != 200:
        raise AssertionError(f"/metrics on {port} answered {status}")
    return support.parse_metrics(body)


# A newsletter with a 1x1 tracking pixel of a domain the test rulesets list.
TRACKER_HTML = ('<html><body><p>Our December news.</p>'
                '<img src="https://t.tracker-one.example/open/{token}.gif" width="1" height="1" '
                'alt=""></body></html>')


def newsletter(subject, token="u-42"):
    return harness.multipart_html_message(subject=subject, html=TRACKER_HTML.format(token=token))


TEST_RULES = """ruleset:
  name: container-test
  version: "{version}"
mode: enforce
lists:
  test-trackers:
    domains: [tracker-one.example]
  lure-domains:
    file: lure-domains.txt
trackers:
  - id: test-tracker-domains
    match:
      domain_in: test-trackers
    action: neutralize
lures:
  - id: test-lure
    match:
      domain_in: lure-domains
      where: [envelope_from, header_from]
    action: reject
    reply: "550 5.7.1 lure refused by ruleset {version}"
report:
  header_on: all
"""
LURE_DOMAIN = "lure-news.example"


def write_rules(directory, version):
    os.makedirs(directory, exist_ok=True)
    with open(os.path.join(directory, "rules.yaml"), "w") as f:
        f.write(TEST_RULES.format(version=version))
    with open(os.path.join(directory, "lure-domains.txt"), "w") as f:
        f.write(LURE_DOMAIN + "\n")


def main(tools=("podman",), root=True):
    """Runs the module's tests (or those named on the command line); exits 77 (skipped,
    a failure for scripts/test) without root or a tool."""
    import shutil
    missing = [t for t in tools if not shutil.which(t)]
    if root and os.geteuid() != 0:
        missing.insert(0, "root")
    if missing:
        print(f"SKIPPED: needs {', '.join(missing)} (scripts/setup test installs them)",
              file=sys.stderr)
        sys.exit(SKIP)
    import unittest
    program = unittest.main(module="__main__", argv=[sys.argv[0], "-v", *sys.argv[1:]],
                            exit=False)
    r = program.result
    sys.exit(0 if r.wasSuccessful() and r.testsRun and not r.skipped else 1)
