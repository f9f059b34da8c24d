"""A small MTA side of the milter protocol (version 6), enough to hold a milter
connection in any state a misbehaving peer could: connected and silent, stalled inside a
packet, or stalled between the steps of a message.

    c = MilterConn.open(milter)      # harness.Milter (TCP or unix socket)
    c.negotiate()                    # OPTNEG; no step is negotiated as no-reply
    c.connect_step(); c.mail("<a@example.org>"); c.rcpt("<b@example.net>")
    ...                              # the message is now in flight: stall here
    c.close()

Every command of a negotiated session gets a reply here (no SMFIP_NR_* offered), so
the client stays in lock step. Python 3 standard library only.
"""

import random
import socket
import struct

SMFIF_ALL = 0x1FF          # every action libmilter knows (add/change headers, body, ...)
PROTOCOL_VERSION = 6


def packet(cmd, data=b""):
    return struct.pack("!I", len(data) + 1) + cmd + data


def open_socket(milter, timeout=10.0):
    """A connected socket to a harness.Milter."""
    if milter.socket_path:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(timeout)
        s.connect(milter.socket_path)
    else:
        # From a random loopback address: thousands of connections a run to one port leave
        # the daemon's side in TIME_WAIT, and a new SYN from a reused 4-tuple can wait for
        # retransmits (seconds) in a busy suite; 127.0.0.0/8 makes reuse rare.
        source = f"127.{random.randint(1, 254)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
        s = socket.create_connection(("127.0.0.1", milter.port), timeout=timeout,
                                     source_address=(source, 0))
    return s


class MilterConn:
    def __init__(self, sock):
        self.sock = sock

    @classmethod
    def open(cls, milter, timeout=10.0):
        return cls(open_socket(milter, timeout))

    def send(self, cmd, data=b""):
        self.sock.sendall(packet(cmd, data))

    def reply(self):
        """(command byte, data) of the next reply packet."""
        head = self._read(4)
        (n,) = struct.unpack("!I", head)
        body = self._read(n)
        return body[:1], body[1:]

    def _read(self, n):
        out = b""
        while len(out) < n:
            chunk = self.sock.recv(n - len(out))
            if not chunk:
                raise ConnectionError("milter closed the connection")
            out += chunk
        return out

    def command(self, cmd, data=b""):
        """Sends one command and returns its final reply (skipping progress packets)."""
        self.send(cmd, data)
        while True:
            code, data = self.reply()
            if code != b"p":
                return code, data

    def negotiate(self):
        code, _ = self.command(b"O", struct.pack("!III", PROTOCOL_VERSION, SMFIF_ALL, 0))
        if code != b"O":
            raise ConnectionError(f"unexpected OPTNEG reply {code!r}")

    def connect_step(self, host="client.test", addr="192.0.2.1"):
        return self.command(b"C", host.encode() + b"\0" + b"4" + struct.pack("!H", 2525)
                            + addr.encode() + b"\0")

    def helo(self, name="client.test"):
        return self.command(b"H", name.encode() + b"\0")

    def mail(self, sender):
        return self.command(b"M", sender.encode() + b"\0")

    def rcpt(self, rcpt):
        return self.command(b"R", rcpt.encode() + b"\0")

    def header(self, name, value):
        return self.command(b"L", name.encode() + b"\0" + value.encode() + b"\0")

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def stall_in_message(milter, sender="<stalled@example.org>"):
    """A connection whose message is in flight (MAIL and RCPT answered) and then stalls:
    what an MTA whose SMTP client stopped sending looks like to the milter."""
    c = MilterConn.open(milter)
    c.negotiate()
    c.connect_step()
    c.helo()
    c.mail(sender)
    c.rcpt("<reader@example.net>")
    return c
