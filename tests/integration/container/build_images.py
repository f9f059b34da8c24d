#!/usr/bin/env python3
"""deploy.image_build: builds the images the container tests run, from the repository
as a user would (podman build, --pull=never: the base images come from
scripts/base-image):

  localhost/pixelwarden:test          docker/Dockerfile with the .deb of scripts/package
  localhost/pixelwarden-postfix:test  deploy/postfix/container/Dockerfile

and checks what the image promises: its size (at most 120 MB; it is about 116 MB: the
debian:bookworm-slim base, 78 MB, with the package and its libraries, ICU 37 MB and
Hyperscan 10 MB among them, less what the Dockerfile takes out), one layer, OCI labels
(version = the .deb's, source, licences), USER a non-root uid, the HEALTHCHECK on
/healthz, ENTRYPOINT the bare binary and CMD `run ...`; inside, a consistent dpkg
database, every library of the binary found, no package manager. Prints the build
times and the size."""

import glob
import os
import subprocess
import time
import unittest

import common

MAX_BYTES = 120 * 1000 * 1000   # podman reports sizes in SI megabytes


def the_deb():
    debs = glob.glob(os.path.join(common.DEB_DIR, "pixelwarden_*_amd64.deb"))
    if len(debs) != 1:
        raise AssertionError(f"expected one pixelwarden_*_amd64.deb in {common.DEB_DIR} "
                             f"(scripts/package), found {debs}")
    return debs[0]


def deb_version():
    return subprocess.run(["dpkg-deb", "-f", the_deb(), "Version"], capture_output=True,
                          text=True, check=True).stdout.strip()


def deb_binary_sha256():
    """sha256 of usr/sbin/pixelwarden inside the .deb."""
    import hashlib
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        subprocess.run(["dpkg-deb", "-x", the_deb(), d], check=True)
        with open(os.path.join(d, "usr", "sbin", "pixelwarden"), "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()


def build(dockerfile, tag, *args):
    t0 = time.monotonic()
    common.podman("build", "--format", "docker", "--pull=never", "-f", dockerfile,
                  "-t", tag, *args, common.SOURCE, timeout=1200)
    return time.monotonic() - t0


class ImageBuild(unittest.TestCase):
    def test_build_and_metadata(self):
        version = deb_version()
        # The context must not depend on a local build tree: .dockerignore keeps build/
        # out except the package (a copied CMake cache would name another path).
        seconds = build(os.path.join(common.SOURCE, "docker", "Dockerfile"), common.IMAGE,
                        "--build-arg", f"VERSION={version}")
        pseconds = build(os.path.join(common.SOURCE, "deploy", "postfix", "container",
                                      "Dockerfile"), common.POSTFIX_IMAGE)
        img = common.podman("image", "inspect", common.IMAGE).stdout
        import json
        info = json.loads(img)[0]
        size = info["Size"]
        print(f"\nimage {common.IMAGE}: {size / 1e6:.1f} MB, built in {seconds:.0f} s; "
              f"{common.POSTFIX_IMAGE} built in {pseconds:.0f} s")
        self.assertLessEqual(size, MAX_BYTES, f"runtime image is {size / 1e6:.1f} MB")
        self.assertEqual(len(info["RootFS"]["Layers"]), 1, "the image is one flattened layer")
        cfg = info["Config"]
        labels = cfg.get("Labels") or {}
        self.assertEqual(labels.get("org.opencontainers.image.version"), version)
        self.assertEqual(labels.get("org.opencontainers.image.licenses"), "Apache-2.0")
        self.assertTrue(labels.get("org.opencontainers.image.source", "").startswith("https://"))
        self.assertEqual(cfg["User"], "999:999")
        # The allocator setting the systemd unit also sets (docs/capacity.md).
        self.assertIn(
            "GLIBC_TUNABLES=glibc.malloc.hugetlb=1:glibc.malloc.tcache_count=256", cfg.get("Env") or [])
        self.assertEqual(cfg["Entrypoint"], ["/usr/sbin/pixelwarden"])
        self.assertEqual(cfg["Cmd"][0], "run")
        health = info.get("Healthcheck") or cfg.get("Healthcheck") or {}
        self.assertIn("/healthz", " ".join(health.get("Test", [])), info.keys())
        # The runtime image has the package and no compiler, no build tree.
        # ... and exactly this build's binary (a stale build cache would keep an older one).
        r = common.podman("run", "--rm", "--entrypoint", "sh", common.IMAGE, "-c",
                          "dpkg-query -W -f '${Version} ' pixelwarden; "
                          "sha256sum /usr/sbin/pixelwarden | cut -d' ' -f1; "
                          "command -v cc c++ cmake || true; ls /src /tmp/deb 2>/dev/null || true")
        self.assertEqual(r.stdout.split(), [version, deb_binary_sha256()])
        # What the Dockerfile took out left a sound system: dpkg's audit is clean, every
        # library the binary and the health check's curl need is there, and neither the
        # package manager nor Perl is.
        r = common.podman("run", "--rm", "--entrypoint", "sh", common.IMAGE, "-c",
                          "dpkg --audit && echo audit-clean; "
                          "ldd /usr/sbin/pixelwarden /usr/bin/curl | grep -c 'not found'; "
                          "for c in apt-get perl dpkg sh; do command -v $c; done; "
                          "for p in apt perl-base; do dpkg -s $p >/dev/null 2>&1 || echo no-$p; "
                          "done")
        self.assertEqual(r.stdout.split(), ["audit-clean", "0", "/usr/bin/dpkg", "/usr/bin/sh",
                                            "no-apt", "no-perl-base"], r.stdout + r.stderr)


    def test_build_context(self):
        """What .dockerignore lets into the context (the source stage copies all of it):
        of build/ only the package, never a build tree whose CMake cache names this
        checkout's path (that broke the source build after a local scripts/build)."""
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            dockerfile = os.path.join(d, "Dockerfile")
            with open(dockerfile, "w") as f:
                f.write("FROM debian:bookworm-slim\nCOPY . /ctx\n"
                        "RUN cd /ctx && find build -type f | sort > /build-files\n")
            common.podman("build", "--pull=never", "-q", "-f", dockerfile,
                          "-t", "localhost/pixelwarden-context:test", common.SOURCE)
        try:
            files = common.podman("run", "--rm", "localhost/pixelwarden-context:test",
                                  "sh", "-c", "cat /build-files; ls -a /ctx").stdout.split()
        finally:
            common.podman("rmi", "-f", "localhost/pixelwarden-context:test", check=False)
        self.assertIn("build/package/" + os.path.basename(the_deb()), files)
        self.assertEqual([f for f in files if f.startswith("build/")],
                         ["build/package/" + os.path.basename(the_deb())])
        self.assertIn("CMakeLists.txt", files)
        self.assertNotIn(".git", files)


if __name__ == "__main__":
    common.main()
