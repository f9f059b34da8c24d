"""Kubernetes ConfigMap update, simulated exactly as the kubelet's
AtomicWriter does it, with the poll off (poll_interval 0) so only inotify can notice:

    mount/..2026_11_22_10_00_00.123/{rules.yaml,lure-domains.txt}   (the data)
    mount/..data -> ..2026_11_22_10_00_00.123
    mount/rules.yaml -> ..data/rules.yaml                            (stable names)
    mount/lure-domains.txt -> ..data/lure-domains.txt

An update writes a new timestamped directory, creates the symlink ..data_tmp pointing
at it, renames ..data_tmp over ..data (atomic), and deletes the old directory. The new
version must take effect: X-Pixelwarden of the next message and /metrics
pixelwarden_ruleset_info name it, and its list file (changed too) decides.

Run by tests/integration/enforcement/CMakeLists.txt (integration.configmap).
"""

import os
import shutil
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
import support as se  # noqa: E402

STAMPS = ["..2026_11_22_10_00_00.123", "..2026_11_22_10_05_00.456",
          "..2026_11_22_10_09_30.789"]


def ruleset(version):
    return f"""ruleset:
  name: itest-configmap
  version: "{version}"
lists:
  lure-domains:
    file: lure-domains.txt
lures:
  - id: lure-list
    match:
      domain_in: lure-domains
      where: [envelope_from]
    action: reject
    reply: "550 5.7.1 configmap version {version} refuses this sender"
report:
  header_on: all
"""


def lure_domain(version):
    return f"lure-{version}.example"


class ConfigMapMount:
    """A ConfigMap volume: timestamped data dirs, ..data, stable symlinks."""

    FILES = ("rules.yaml", "lure-domains.txt")

    def __init__(self, path):
        self.path = path
        self.current = None
        os.makedirs(path)

    def _write_data_dir(self, stamp, version):
        d = os.path.join(self.path, stamp)
        os.makedirs(d)
        with open(os.path.join(d, "rules.yaml"), "w", encoding="utf-8") as f:
            f.write(ruleset(version))
        with open(os.path.join(d, "lure-domains.txt"), "w", encoding="utf-8") as f:
            f.write(f"# lure feed for version {version}\n{lure_domain(version)}\n")

    def create(self, stamp, version):
        self._write_data_dir(stamp, version)
        os.symlink(stamp, os.path.join(self.path, "..data"))
        for name in self.FILES:
            os.symlink(os.path.join("..data", name), os.path.join(self.path, name))
        self.current = stamp

    def update(self, stamp, version):
        self._write_data_dir(stamp, version)
        tmp = os.path.join(self.path, "..data_tmp")
        os.symlink(stamp, tmp)
        os.rename(tmp, os.path.join(self.path, "..data"))
        shutil.rmtree(os.path.join(self.path, self.current))
        self.current = stamp


class ConfigMapSwap(unittest.TestCase):
    def setUp(self):
        if os.geteuid() != 0:
            self.skipTest("a private Postfix instance needs root")
        harness.binary()
        self.stack = harness.Stack(rules_path="/nonexistent/rules.yaml",
                                   milter_config={"rules": {"poll_interval": "0"}})
        self.mount = ConfigMapMount(os.path.join(self.stack.root, "config"))
        self.mount.create(STAMPS[0], "1")
        rules = os.path.join(self.mount.path, "rules.yaml")
        self.stack.rules_path = self.stack.milter.rules_path = rules
        self.stack.start()
        self.addCleanup(harness.stop_stack, self, self.stack)

    def version_in_force(self):
        info = se.ruleset_info(se.metrics(self.stack.milter))
        return info[1] if info else None

    def delivered_version(self, sender):
        out = se.send_one(self.stack, harness.make_message(sender=sender), sender)
        self.assertEqual(out.code, 250, out)
        got = se.delivered_from(self.stack.sink, sender).data
        return se.verdict_header(got)["ruleset"].split("/")[1]

    def test_each_configmap_swap_takes_effect(self):
        self.assertEqual(self.version_in_force(), "1")
        self.assertEqual(self.delivered_version("first@ok.example"), "1")
        for n, stamp in ((2, STAMPS[1]), (3, STAMPS[2])):
            version = str(n)
            self.mount.update(stamp, version)
            harness.wait_until(lambda: self.version_in_force() == version, 15,
                               what=f"configmap version {version} in /metrics")
            self.assertEqual(self.delivered_version(f"after{n}@ok.example"), version)
            # The list file came from the new directory too.
            refused = se.send_one(self.stack, harness.make_message(),
                                  f"x@{lure_domain(version)}")
            self.assertEqual(refused.code, 550, refused)
            self.assertIn(f"configmap version {version}", refused.text)
            old = se.send_one(self.stack, harness.make_message(), f"y{n}@{lure_domain(n - 1)}")
            self.assertEqual(old.code, 250, old)
        self.assertFalse(os.path.exists(os.path.join(self.mount.path, STAMPS[0])))
        samples = se.metrics(self.stack.milter)
        self.assertEqual(se.reloads(samples, "failure"), 0)
        self.assertGreaterEqual(se.reloads(samples, "success"), 2)



if __name__ == "__main__":
    harness.main()
