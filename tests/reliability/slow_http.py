#!/usr/bin/env python3
"""Slow HTTP clients: clients that trickle their request (a header byte now and then)
or reconnect as soon as they are cut off must not starve /healthz and /metrics, which
Prometheus and the orchestrator's probes depend on.

200 slow clients hold connections to the metrics listener (each renewed as soon as the
daemon closes it) while /healthz is asked every 50 ms on a fresh connection and
/metrics every second. /healthz must answer within 100 ms (p90; p99 and max are
reported, every request within 1 s), /metrics must answer.
Short form 10 s; --long 60 s. Needs no root (no Postfix).
"""

import os
import selectors
import shutil
import socket
import sys
import tempfile
import threading
import time

import common
from common import harness

SLOW_CLIENTS = 200


class SlowClients:
    """SLOW_CLIENTS connections that each send a request header one byte every 0.5 s,
    and reconnect when the server closes them."""

    def __init__(self, port):
        self.port = port
        self.stop_flag = threading.Event()
        self.renewed = 0
        self.socks = []
        self.thread = threading.Thread(target=self.run, daemon=True)

    def connect(self):
        s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
        s.setblocking(False)
        try:
            s.send(b"GET /metrics HTTP/1.1\r\nHost: slow\r\n")
        except OSError:
            pass
        return s

    def start(self):
        self.socks = [self.connect() for _ in range(SLOW_CLIENTS)]
        self.thread.start()
        return self

    def run(self):
        while not self.stop_flag.wait(0.5):
            for i, s in enumerate(self.socks):
                alive = True
                try:
                    if s.recv(4096) == b"":
                        alive = False
                except BlockingIOError:
                    pass
                except OSError:
                    alive = False
                if alive:
                    try:
                        s.send(b"X")
                    except (BlockingIOError, InterruptedError):
                        pass
                    except OSError:
                        alive = False
                if not alive:
                    s.close()
                    try:
                        self.socks[i] = self.connect()
                        self.renewed += 1
                    except OSError:
                        pass

    def stop(self):
        self.stop_flag.set()
        self.thread.join(timeout=10)
        for s in self.socks:
            s.close()


def get(port, path, timeout=10.0):
    """(status or None, seconds) of one request on a fresh connection."""
    t0 = time.monotonic()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: probe\r\nConnection: close\r\n\r\n".encode())
            data = b""
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                data += chunk
        status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/") else None
    except (OSError, ValueError, IndexError) as e:
        status = repr(e)
    return status, time.monotonic() - t0


def percentile(values, q):
    v = sorted(values)
    return v[min(len(v) - 1, int(round(q * (len(v) - 1))))] if v else 0.0


def main():
    args = common.arguments(__doc__, "60 s instead of 10 s")
    common.need_binary()
    common.raise_fd_limit(4096)
    seconds = 60 if args.long else 10
    checks = common.Checks("slow_http")
    root = tempfile.mkdtemp(prefix="pw-rel-http-")
    rules = os.path.join(root, "rules.yaml")
    with open(rules, "w", encoding="utf-8") as f:
        f.write(harness.EMPTY_RULESET)
    milter = harness.Milter(root, rules, log_level="info")
    slow = None
    try:
        milter.start()
        port = milter.metrics_port
        status, quiet = get(port, "/healthz")
        checks.note(f"/healthz without load: {status} in {quiet * 1000:.1f} ms")
        slow = SlowClients(port).start()
        time.sleep(1.0)
        health, metrics_lat, failures = [], [], []
        deadline = time.monotonic() + seconds
        next_metrics = 0.0
        while time.monotonic() < deadline:
            status, took = get(port, "/healthz")
            if status != 200:
                failures.append(f"/healthz: {status} after {took:.2f}s")
            health.append(took)
            if time.monotonic() >= next_metrics:
                status, took = get(port, "/metrics")
                if status != 200:
                    failures.append(f"/metrics: {status} after {took:.2f}s")
                metrics_lat.append(took)
                next_metrics = time.monotonic() + 1.0
            time.sleep(0.05)
        checks.note(f"{SLOW_CLIENTS} slow clients for {seconds}s ({slow.renewed} renewed "
                    f"connections): {len(health)} /healthz, {len(metrics_lat)} /metrics")
        checks.check(not failures, f"{len(failures)} requests failed or timed out {failures[:3]}")
        # The daemon answers /healthz in well under a millisecond; what remains is the
        # scheduling of a loaded machine (the previous listener took 10 s per request). So
        # p90 is held to 100 ms and every request to 1 s; p99 and max are reported.
        checks.check(percentile(health, 0.9) <= 0.100,
                     f"/healthz p50 {percentile(health, 0.5) * 1000:.1f} ms, p90 "
                     f"{percentile(health, 0.9) * 1000:.1f} ms, p99 "
                     f"{percentile(health, 0.99) * 1000:.1f} ms, max {max(health) * 1000:.1f} ms "
                     f"(want p90 <= 100 ms)")
        checks.check(max(health) <= 1.0, f"/healthz max {max(health) * 1000:.1f} ms (want <= 1 s "
                                         f"even on a loaded machine)")
        checks.check(max(metrics_lat) <= 1.0,
                     f"/metrics p50 {percentile(metrics_lat, 0.5) * 1000:.1f} ms, max "
                     f"{max(metrics_lat) * 1000:.1f} ms (want <= 1 s)")
        st = common.proc_stats(milter.proc.pid)
        checks.note(f"daemon: {st['threads']} threads, {st['fds']} fds, "
                    f"{st['rss_kib'] // 1024} MiB RSS")
    finally:
        if slow:
            slow.stop()
        milter.stop(timeout=20)
        if checks.failures or os.environ.get("PIXELWARDEN_KEEP_TMP") == "1":
            print(f"kept {root} (milter.log)")
        else:
            shutil.rmtree(root, ignore_errors=True)
    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())
