#!/usr/bin/env python3
"""Idle and partial-packet milter connections: a peer that connects and says nothing,
or stops inside a packet, must not exhaust the daemon's descriptors or threads nor keep
the real MTA out.

Phases, against a private Postfix (milter_default_action = tempfail):
  1. attack under the cap: 2,000 idle connections + 300 stalled inside their first
     packet (+ 50 that negotiate and then stall inside a packet). The daemon ends each
     stalled packet after its packet wait (1 s, pixelwarden_milter_connections_shut_down
     _total{reason="packet_timeout"}); the attacker reopens them as fast as they are
     closed. Meanwhile a real Postfix session still gets its message filtered within
     1 s; a pushed ruleset reloads; threads and descriptors stay under their caps.
  2. the timeouts: the silent ones are shut down after milter.handshake_timeout;
     descriptors and threads come back to their baseline; mail flows again.
  3. the cap: the cap filled with silent connections, then 200 more: they take the
     places of the oldest silent ones (log line,
     pixelwarden_milter_connections_shut_down_total{reason="evicted"}), so a Postfix
     session still gets its message filtered. Then every place taken by a negotiated
     session: a new connection is refused at once
     (pixelwarden_milter_connections_refused_total{reason="limit"}) and Postfix answers
     a temporary failure quickly, not a hang.
  4. the descriptor limit (no Postfix): the daemon started under `ulimit -n 1024`
     lowers max_connections to what fits beside its reserve, 1,100 idle connections
     cannot exhaust it, and a reload still succeeds.
  5. a unix socket (no Postfix): the cap and both timeouts hold there too, and a
     session that goes on after SMFIC_QUIT_NC is tracked again (timeouts stay on).
--long: phase 1 holds the attack for 60 s, renewing every connection the daemon
closes, while Postfix traffic flows; every message must be filtered.
"""

import os
import re
import socket
import stat
import struct
import sys
import tempfile
import threading
import time

import common
from common import harness, support
import milterproto

IDLE = 2000
PARTIAL = 300
NEGOTIATED_PARTIAL = 50
CAP = 2500
# The attack must be held longer than it takes to open it: on an idle machine the 2,350
# connections open in 0.1 s; before the packet wait, a negotiation queued behind workers
# held by stalled packets took over 10 s in some runs (libmilter's pool, see
# milter/daemon/connection_guard.hpp). idle_timeout stays above the handshake_timeout so
# that each is counted under its own reason.
HANDSHAKE = 15
IDLE_TIMEOUT = 20
PACKET_WAIT = 1  # the daemon's wait for the rest of a packet (k_packet_wait_ms)


def open_idle(milter, n):
    out = []
    for _ in range(n):
        out.append(milterproto.open_socket(milter))
    return out


def open_partial(milter, n):
    """Connections that send 3 of the 5 bytes of a packet header and stop."""
    out = []
    for _ in range(n):
        s = milterproto.open_socket(milter)
        s.sendall(struct.pack("!I", 13)[:3])
        out.append(s)
    return out


def open_negotiated_partial(milter, n):
    """Connections that negotiate, then stop inside their next packet."""
    out = []
    for _ in range(n):
        c = milterproto.MilterConn.open(milter)
        c.negotiate()
        c.sock.sendall(struct.pack("!I", 40) + b"C" + b"client")  # 7 of 41 bytes
        out.append(c.sock)
    return out


def closed_by_peer(socks):
    """How many of these sockets the daemon has closed (end of file readable)."""
    n = 0
    for s in socks:
        s.setblocking(False)
        try:
            if s.recv(64) == b"":
                n += 1
        except BlockingIOError:
            pass
        except OSError:
            n += 1
    return n


def close_all(socks):
    for s in socks:
        try:
            s.close()
        except OSError:
            pass


def timed_send(stack, idx):
    """(Outcome, seconds) of one message through Postfix, on its own SMTP session."""
    sender = f"idle{idx}@ok.example"
    t0 = time.monotonic()
    out = support.send_one(stack, support.html_message(idx, sender), sender,
                           ["reader@corp.example"])
    return out, time.monotonic() - t0, sender


def filtered(stack, sender, timeout=30):
    m = support.delivered_from(stack.sink, sender, timeout=timeout)
    mark = support.verdict_header(m.data)
    return mark is not None and b"tracker.example/o.gif" not in m.data


def metrics(milter):
    return support.metrics(milter)


def phase_attack(checks, stack, args):
    milter = stack.milter
    pid = milter.proc.pid
    base = common.proc_stats(pid)
    checks.note(f"baseline: {base['threads']} threads, {base['fds']} fds, "
                f"{base['rss_kib'] // 1024} MiB RSS")
    t0 = time.monotonic()
    groups = []
    # The negotiations first: a reply the client waits for is not queued behind workers
    # that hold stalled packets (libmilter's pool; see connection_guard.hpp).
    for name, opener, n in (("negotiated-partial", open_negotiated_partial,
                             NEGOTIATED_PARTIAL), ("idle", open_idle, IDLE),
                            ("partial", open_partial, PARTIAL)):
        try:
            groups.append(opener(milter, n))
        except OSError as e:  # say where the opening stalled, and what the daemon held
            st = common.proc_stats(pid)
            held_now = support.metric(metrics(milter), "pixelwarden_milter_open_sockets")
            raise RuntimeError(
                f"opening the {name} connections failed after {time.monotonic() - t0:.1f}s "
                f"({sum(len(g) for g in groups)} opened before them): {e!r}; daemon: "
                f"{st['threads']} threads, {st['fds']} fds, {held_now:.0f} open milter "
                f"sockets") from e
    negotiated, idle, partial = groups
    opened = time.monotonic() - t0
    checks.note(f"opened {IDLE} idle + {PARTIAL} partial + {NEGOTIATED_PARTIAL} "
                f"negotiated-partial connections in {opened:.2f}s")
    # The stalled packets are ended after the packet wait: the attacker reopens them.
    renewer = Renewer(milter, {1: partial, 2: negotiated})
    time.sleep(0.5)
    held = common.proc_stats(pid)
    # Everything below is judged under the attack: it must really be held (the daemon's
    # own count), or the checks would pass against an empty daemon.
    total = IDLE + PARTIAL + NEGOTIATED_PARTIAL
    held_sockets = support.metric(metrics(milter), "pixelwarden_milter_open_sockets")
    checks.check(held_sockets >= 0.9 * total,
                 f"the attack is held: {held_sockets:.0f} of {total} connections open "
                 f"(opened in {opened:.1f}s, handshake_timeout {HANDSHAKE}s; the stalled "
                 f"packets reopened as they are cut)")
    out, took, sender = timed_send(stack, 1)
    checks.check(out.code == 250 and took <= 1.0,
                 f"Postfix session under attack: {out.code} in {took:.3f}s (want 250 within 1s)")
    checks.check(filtered(stack, sender), "its message was filtered (X-Pixelwarden, pixel neutralized)")
    before = support.reloads(metrics(milter), "success")
    support.write_atomic(stack.rules_path, support.ruleset_text(2))
    milter.http("/-/reload", method="POST")
    ok = harness.wait_until(lambda: support.reloads(metrics(milter), "success") > before,
                            timeout=15, what="a successful reload")
    checks.check(bool(ok), "a pushed ruleset reloaded under attack")
    info = support.ruleset_info(metrics(milter))
    checks.check(info is not None and info[1] == "2", f"version in force {info and info[1]}")
    peak = common.proc_stats(pid)
    sockets = support.metric(metrics(milter), "pixelwarden_milter_open_sockets")
    checks.note(f"under attack: {held['threads']}-{peak['threads']} threads, "
                f"{held['fds']}-{peak['fds']} fds, {peak['rss_kib'] // 1024} MiB RSS, "
                f"{sockets:.0f} open milter sockets")
    fd_cap = CAP + 512  # max_connections + the reserve (256 + HTTP threads)
    checks.check(max(held["fds"], peak["fds"]) <= fd_cap,
                 f"fds {max(held['fds'], peak['fds'])} <= max_connections + reserve ({fd_cap})")
    checks.check(max(held["threads"], peak["threads"]) <= base["threads"] + CAP,
                 f"threads {max(held['threads'], peak['threads'])} <= baseline "
                 f"{base['threads']} + max_connections {CAP}")
    # The attack goes on (stalled packets cut and reopened) for a few packet waits, with
    # a Postfix session each second: every one must be prompt and filtered.
    slow, unfiltered, sent = [], 0, 0
    deadline = time.monotonic() + 4 * PACKET_WAIT
    while time.monotonic() < deadline:
        out, took, sender = timed_send(stack, 10 + sent)
        sent += 1
        if out.code != 250 or took > 1.0:
            slow.append(f"{out.code} in {took:.3f}s")
        if out.code == 250 and not filtered(stack, sender):
            unfiltered += 1
        time.sleep(max(0.0, 1.0 - took))
    cut = support.metric(metrics(milter), "pixelwarden_milter_connections_shut_down_total",
                         reason="packet_timeout")
    reopened = renewer.stop()
    checks.check(not slow and unfiltered == 0,
                 f"{sent} Postfix sessions while stalled packets were cut and reopened: "
                 f"{len(slow)} not 250 within 1s {slow}, {unfiltered} not filtered")
    checks.check(cut >= PARTIAL + NEGOTIATED_PARTIAL and reopened > 0,
                 f"the daemon ended {cut:.0f} stalled packets after its {PACKET_WAIT}s packet "
                 f"wait ({PARTIAL + NEGOTIATED_PARTIAL} held at a time; {reopened} reopened "
                 f"by the attacker)")
    if args.long:
        hold_attack(checks, stack, [idle, partial, negotiated])
    return base, [idle, partial, negotiated]


class Renewer:
    """Reopens, on its own thread, every connection of the given groups the daemon
    closed. `groups`: {index: list}, index 0 idle, 1 partial, 2 negotiated-partial (the
    lists are changed in place)."""
    OPENERS = (open_idle, open_partial, open_negotiated_partial)

    def __init__(self, milter, groups, every=0.2):
        self.milter, self.groups, self.every = milter, groups, every
        self.reopened = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            for i, group in self.groups.items():
                dead = [s for s in group if closed_by_peer([s])]
                for s in dead:
                    group.remove(s)
                    s.close()
                if dead:
                    try:
                        group.extend(self.OPENERS[i](self.milter, len(dead)))
                        self.reopened += len(dead)
                    except OSError:
                        pass
            self._stop.wait(self.every)

    def stop(self):
        """Stops renewing; returns how many connections were reopened."""
        self._stop.set()
        self._thread.join(timeout=30)
        return self.reopened


def hold_attack(checks, stack, groups, seconds=60):
    """Renews every connection the daemon closes while Postfix traffic flows."""
    milter = stack.milter
    renewer = Renewer(milter, dict(enumerate(groups)), every=0.5)
    worst, sent, bad, peak_threads, peak_fds = 0.0, 0, 0, 0, 0
    deadline = time.monotonic() + seconds
    idx = 100
    while time.monotonic() < deadline:
        out, took, sender = timed_send(stack, idx)
        idx += 1
        sent += 1
        worst = max(worst, took)
        if out.code != 250 or not filtered(stack, sender):
            bad += 1
        st = common.proc_stats(milter.proc.pid)
        peak_threads, peak_fds = max(peak_threads, st["threads"]), max(peak_fds, st["fds"])
        time.sleep(0.2)
    renewer.stop()
    checks.check(bad == 0 and worst <= 1.0,
                 f"long: {sent} messages over {seconds}s of renewed attack, {bad} not filtered, "
                 f"slowest SMTP transaction {worst:.3f}s; peak {peak_threads} threads, "
                 f"{peak_fds} fds")


def phase_cap(checks, stack):
    """The cap filled with silent connections: new connections take the places of the
    oldest ones, so the MTA still gets in."""
    milter = stack.milter
    open_now = support.metric(metrics(milter), "pixelwarden_milter_open_sockets")
    extra = open_idle(milter, int(CAP - open_now))
    time.sleep(1.2)  # older than a second: no MTA would still be silent
    for _ in range(4):  # 200 over the cap, in bursts libmilter closes the evicted ones
        extra += open_idle(milter, 50)  # between (at most k_overshoot pending at once)
        time.sleep(0.1)
    # libmilter accepts (and so the guard evicts) on its own thread: on a loaded machine
    # the last bursts are still queued a moment later. Wait up to 10 s for them.
    deadline = time.monotonic() + 10
    while True:
        time.sleep(0.5)
        m = metrics(milter)
        evicted = support.metric(m, "pixelwarden_milter_connections_shut_down_total",
                                 reason="evicted")
        refused = support.metric(m, "pixelwarden_milter_connections_refused_total",
                                 reason="limit")
        if evicted >= 190 or refused > 0 or time.monotonic() > deadline:
            break
    checks.check(evicted >= 190 and refused == 0,
                 f"the cap of {CAP} filled with silent connections, then 200 more: "
                 f"{evicted:.0f} older silent ones shut down to make room, {refused:.0f} "
                 f"refused")
    out, took, sender = timed_send(stack, 2)
    checks.check(out.code == 250 and took <= 1.0 and filtered(stack, sender),
                 f"Postfix session at the cap: {out.code} in {took:.3f}s, filtered")
    line = harness.wait_until(
        lambda: re.search(r"milter connection limit reached: .*", milter.log()),
        timeout=5, what="the limit log line")
    checks.check(bool(line), f"log: {line.group(0) if line else None}")
    close_all(extra)


def open_negotiated(milter, n):
    """n connections that negotiate (pipelined: every OPTNEG sent, then every reply read)."""
    conns = [milterproto.MilterConn.open(milter) for _ in range(n)]
    for c in conns:
        c.send(b"O", struct.pack("!III", milterproto.PROTOCOL_VERSION, milterproto.SMFIF_ALL, 0))
    for c in conns:
        c.reply()
    return conns


def phase_cap_full(checks, stack):
    """Every place taken by a negotiated session: a new connection is refused at once and
    Postfix answers its client with a temporary failure, quickly."""
    milter = stack.milter
    # The last phase's sockets are closed, but the daemon notices each on its own thread.
    # Until it has, they hold places: opening CAP more would evict the oldest silent ones,
    # which can be this phase's own connections whose negotiation is not read yet.
    deadline = time.monotonic() + 10
    while (support.metric(metrics(milter), "pixelwarden_milter_open_sockets") > 0
           and time.monotonic() < deadline):
        time.sleep(0.1)
    conns = []
    try:
        conns = open_negotiated(milter, CAP)
        before = support.metric(metrics(milter), "pixelwarden_milter_connections_refused_total",
                                reason="limit")
        t0 = time.monotonic()
        try:
            out, took, _ = timed_send(stack, 4)
            code, where = out.code, out.stage
        except Exception as e:  # noqa: BLE001 - any SMTP failure is an answer, not a hang
            code, where, took = repr(e), "error", time.monotonic() - t0
        after = support.metric(metrics(milter), "pixelwarden_milter_connections_refused_total",
                               reason="limit")
        checks.check(isinstance(code, int) and 400 <= code < 500 and took <= 5.0
                     and after > before,
                     f"cap full of {CAP} negotiated sessions: Postfix answered {code} at {where} "
                     f"in {took:.2f}s (want a temporary failure, quickly); refused "
                     f"{after - before:.0f}")
    finally:
        close_all(c.sock for c in conns)


def phase_timeouts(checks, stack, base, groups, renewed):
    milter = stack.milter
    idle, partial, negotiated = groups
    stalled = partial + negotiated
    # A stalled connection whose wake-up libmilter's pool lost waits for a free worker,
    # or at worst for the handshake_timeout.
    t0 = time.monotonic()
    harness.wait_until(lambda: closed_by_peer(stalled) == len(stalled),
                       timeout=HANDSHAKE + 5, what="the last stalled packets to be ended")
    checks.check(True, f"the last {len(stalled)} connections stalled inside a packet ended "
                       f"(all within {time.monotonic() - t0:.1f}s)")
    harness.wait_until(lambda: closed_by_peer(idle) == len(idle),
                       timeout=HANDSHAKE + 5, what="the silent connections to be shut down")
    checks.check(True, f"all {len(idle)} silent connections shut down after the "
                       f"{HANDSHAKE}s handshake_timeout")
    m = metrics(milter)
    hs = support.metric(m, "pixelwarden_milter_connections_shut_down_total",
                        reason="handshake_timeout")
    it = support.metric(m, "pixelwarden_milter_connections_shut_down_total",
                        reason="idle_timeout")
    ev = support.metric(m, "pixelwarden_milter_connections_shut_down_total", reason="evicted")
    # A partial-packet connection the guard's handshake_timeout reaches before a worker
    # read it (possible only with --long's renewals under load) counts there too.
    checks.check((hs >= len(idle) if renewed else hs == len(idle)) and ev == 0 and it == 0,
                 f"shut down: {hs:.0f} at handshake_timeout of {len(idle)} silent, {ev:.0f} "
                 f"evicted, {it:.0f} at idle_timeout")
    for g in groups:
        close_all(g)

    def settled():
        st = common.proc_stats(milter.proc.pid)
        return st if st["fds"] <= base["fds"] + 5 and st["threads"] <= base["threads"] + 10 else None
    st = None
    try:
        st = harness.wait_until(settled, timeout=15, what="fds and threads back to baseline")
    except TimeoutError:
        st = common.proc_stats(milter.proc.pid)
    checks.check(settled() is not None or st is None,
                 f"after: {st['threads']} threads, {st['fds']} fds (baseline "
                 f"{base['threads']}, {base['fds']})")
    out, took, sender = timed_send(stack, 3)
    checks.check(out.code == 250 and filtered(stack, sender),
                 f"mail flows again: {out.code} in {took:.3f}s, filtered")


def phase_fd_limit(checks, root):
    """The daemon under `ulimit -n 1024` (systemd's default without LimitNOFILE)."""
    wrapper = os.path.join(root, "pixelwarden-ulimit")
    with open(wrapper, "w", encoding="utf-8") as f:
        f.write(f"#!/bin/sh\nulimit -n 1024\nexec {harness.binary()} \"$@\"\n")
    os.chmod(wrapper, os.stat(wrapper).st_mode | stat.S_IXUSR)
    rules = os.path.join(root, "fd-rules", "rules.yaml")
    os.makedirs(os.path.dirname(rules))
    support.write_atomic(rules, support.ruleset_text(1))
    milter = harness.Milter(os.path.dirname(rules), rules, binary_path=wrapper,
                            log_level="info")
    socks = []
    try:
        milter.start()
        lowered = re.search(r"max_connections lowered from \d+ to (\d+)", milter.log())
        checks.check(lowered is not None,
                     f"under ulimit -n 1024: {lowered.group(0) if lowered else 'not lowered'}")
        for _ in range(1100):
            try:
                socks.append(milterproto.open_socket(milter))
            except OSError:
                break
        time.sleep(0.5)
        fds = common.proc_stats(milter.proc.pid)["fds"]
        refused = support.metric(support.metrics(milter),
                                 "pixelwarden_milter_connections_refused_total", reason="limit")
        checks.check(fds < 1024, f"1,100 idle connections: daemon holds {fds} fds (< 1024), "
                                 f"refused {refused:.0f}")
        before = support.reloads(support.metrics(milter), "success")
        support.write_atomic(rules, support.ruleset_text(2))
        milter.http("/-/reload", method="POST")
        ok = harness.wait_until(
            lambda: support.reloads(support.metrics(milter), "success") > before,
            timeout=15, what="a reload at the connection limit")
        checks.check(bool(ok) and "Too many open files" not in milter.log(),
                     "a reload at the connection limit succeeds (no EMFILE)")
    finally:
        close_all(socks)
        milter.stop(timeout=15)


def phase_unix_socket(checks, root):
    rules = os.path.join(root, "unix-rules.yaml")
    support.write_atomic(rules, harness.EMPTY_RULESET)
    milter = harness.Milter(root, rules, socket_path=os.path.join(root, "milter.sock"),
                            log_level="info", config_extra={"milter": {
                                "max_connections": 20, "handshake_timeout": "2s",
                                "idle_timeout": "3s"}})
    milter.config_path = os.path.join(root, "unix.yaml")
    milter.log_path = os.path.join(root, "unix-milter.log")
    socks, sessions = [], []
    try:
        milter.start()
        time.sleep(0.5)  # the harness's readiness probe connection counts until it closes
        sessions = open_negotiated(milter, 20)
        more = open_idle(milter, 5)
        time.sleep(0.5)
        refused = closed_by_peer(more)
        checks.check(refused == 5, f"unix socket: 20 negotiated sessions fill the cap of 20; "
                                   f"{refused} of 5 more refused")
        close_all(more)
        close_all(c.sock for c in sessions)
        time.sleep(0.5)
        socks = open_idle(milter, 10)
        harness.wait_until(lambda: closed_by_peer(socks) == len(socks), timeout=6,
                           what="handshake timeout on the unix socket")
        checks.check(True, "unix socket: 10 silent connections shut down by handshake_timeout")
        c = milterproto.MilterConn.open(milter)
        c.negotiate()
        c.connect_step()
        c.sock.settimeout(10)
        t0 = time.monotonic()
        end = c.sock.recv(16)
        checks.check(end == b"", f"unix socket: a negotiated idle connection shut down after "
                                 f"{time.monotonic() - t0:.2f}s (idle_timeout 3s)")
        # SMFIC_QUIT_NC: libmilter runs the close callback and the connection goes on with
        # a new session, unnegotiated. Any client can send it; the guard must track that
        # connection again, not read it as a context layout mismatch and turn every
        # timeout off.
        c = milterproto.MilterConn.open(milter)
        c.negotiate()
        c.connect_step()
        c.command(b"U", b"HELP\0")  # QUIT_NC is valid after an unknown command
        c.send(b"K")
        c.connect_step()
        c.sock.settimeout(10)
        t0 = time.monotonic()
        try:
            end = c.sock.recv(16)
        except socket.timeout:
            end = None
        checks.check(end == b"", f"unix socket: a session after QUIT_NC shut down after "
                                 f"{time.monotonic() - t0:.2f}s (idle_timeout 3s)")
        close_all(socks)
        socks = open_idle(milter, 3)
        harness.wait_until(lambda: closed_by_peer(socks) == len(socks), timeout=6,
                           what="handshake timeout after a QUIT_NC session")
        with open(milter.log_path, encoding="utf-8", errors="replace") as f:
            checks.check("context layout" not in f.read(),
                         "unix socket: QUIT_NC leaves the timeouts on (no layout-mismatch log)")
    finally:
        close_all(socks)
        close_all(c.sock for c in sessions)
        milter.stop(timeout=15)


def main():
    args = common.arguments(__doc__, "hold the attack for 60 s under Postfix traffic")
    common.need_binary()
    common.need_root()
    common.raise_fd_limit(20000)
    checks = common.Checks("idle_connections")
    config = {"milter": {"max_connections": CAP, "handshake_timeout": f"{HANDSHAKE}s",
                         "idle_timeout": f"{IDLE_TIMEOUT}s"},
              "log": {"level": "info"}}
    stack = harness.Stack(rules=support.ruleset_text(1), milter_config=config,
                          name="pw-rel-idle-")
    groups = []
    try:
        stack.start()
        base, groups = phase_attack(checks, stack, args)
        phase_timeouts(checks, stack, base, groups, renewed=args.long)
        phase_cap(checks, stack)
        phase_cap_full(checks, stack)
        phase_fd_limit(checks, stack.root)
        phase_unix_socket(checks, stack.root)
    except Exception as e:  # noqa: BLE001 - report, keep the temp dir
        checks.check(False, f"scenario raised {e!r}")
    finally:
        for g in groups:
            close_all(g)
        stack.failed = bool(checks.failures)
        stack.stop()
    return checks.finish()


if __name__ == "__main__":
    sys.exit(main())
