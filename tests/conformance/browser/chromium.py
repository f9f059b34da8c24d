"""A real browser for the resource tests: Debian's chromium-headless-shell (the same
engine as Chromium, without the full browser's own background requests), driven over
the DevTools protocol on a pipe, with every request of its pages forced through a
logging proxy on loopback.

- The proxy (Proxy) answers nothing remote: it records each request (method, host,
  target) and answers GET/HEAD/POST with a 1x1 PNG, CONNECT (https) with 403. It also
  serves the pages under test, from the origin http://PAGE_HOST/ (a name that never
  appears in a test mail), so each page carries the Content-Type and charset its
  MIME part declared, as a mail client hands them to its renderer. Requests to
  PAGE_HOST are the page loads themselves and are not recorded.
- The browser (Browser) runs with scripting off (--blink-settings=scriptEnabled=false,
  as in a mail client; Browser.check_harness verifies it), no background networking,
  a fresh profile, and `--proxy-bypass-list=<-loopback>` so that not even loopback
  skips the proxy.
- Browser.load(pages) navigates up to `tabs` pages at once and waits for each page's
  "networkIdle" lifecycle event (no request for 500 ms), or `timeout` seconds.
"""

import ctypes
import http.server
import json
import os
import select
import shutil
import signal
import socketserver
import subprocess
import tempfile
import threading
import time
import urllib.parse

PAGE_HOST = "mail-under-test.pw-browser.invalid"
EXECUTABLE = "chromium-headless-shell"
PNG_1X1 = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082")


def find_browser():
    """The browser binary: Debian's /usr/bin wrapper only runs this one, which is started
    directly so that it is our child and dies with us (see Browser)."""
    real = "/usr/lib/chromium/" + EXECUTABLE
    return real if os.access(real, os.X_OK) else shutil.which(EXECUTABLE)


def _die_with_parent():
    """In the child: SIGKILL when the test process dies (a ctest timeout kills only the
    test), so no browser outlives its test."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class Proxy:
    """The logging proxy and page server. requests: [(method, host, target)]."""

    def __init__(self):
        self.pages = {}  # path -> (content-type, bytes)
        self.requests = []
        self.lock = threading.Lock()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def record(self):
                if self.command == "CONNECT":
                    host, target = self.path.rsplit(":", 1)[0], self.path
                else:
                    u = urllib.parse.urlsplit(self.path)
                    host = (u.hostname or self.headers.get("Host", "")).lower()
                    target = self.path
                if host == PAGE_HOST:
                    return False
                with proxy.lock:
                    proxy.requests.append((self.command, host, target))
                return True

            def reply(self, code, ctype, body):
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def do_GET(self):
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                if self.record():
                    self.reply(200, "image/png", PNG_1X1)
                    return
                path = urllib.parse.urlsplit(self.path).path
                page = proxy.pages.get(path)
                if page is None:
                    self.reply(404, "text/plain", b"no such page")
                else:
                    self.reply(200, page[0], page[1])

            do_HEAD = do_POST = do_PUT = do_OPTIONS = do_GET

            def do_CONNECT(self):
                self.record()
                self.reply(403, "text/plain", b"no remote content here")
                self.close_connection = True

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True
            allow_reuse_address = True

            def handle_error(self, request, client_address):
                pass  # a request still open when its tab closes: its answer has no reader

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def add_page(self, path, body, content_type="text/html; charset=utf-8"):
        self.pages[path] = (content_type, body)
        return f"http://{PAGE_HOST}{path}"

    def take(self):
        """The requests recorded since the last take()."""
        with self.lock:
            got, self.requests = self.requests, []
        return got

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Browser:
    def __init__(self, proxy, executable=None):
        self.proxy = proxy
        self.profile = tempfile.mkdtemp(prefix="pw-browser-profile-")
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()

        def fds():  # in the child: the pipe's ends on fds 3 and 4, as Chromium wants
            r, w = os.dup(to_child_r), os.dup(from_child_w)
            os.dup2(r, 3)
            os.dup2(w, 4)
            _die_with_parent()

        args = [executable or find_browser(),
                "--remote-debugging-pipe", "--no-sandbox", "--disable-gpu",
                "--user-data-dir=" + self.profile,
                f"--proxy-server=http://127.0.0.1:{proxy.port}",
                "--proxy-bypass-list=<-loopback>",
                "--blink-settings=scriptEnabled=false",
                "--disable-background-networking", "--disable-component-update",
                "--disable-default-apps", "--disable-sync", "--no-first-run",
                "--no-default-browser-check", "--disable-breakpad",
                "--disable-features=MediaRouter,OptimizationHints,Translate,AutofillServerCommunication",
                "--mute-audio", "--window-size=1024,2000", "about:blank"]
        self.proc = subprocess.Popen(args, preexec_fn=fds, close_fds=True, pass_fds=(3, 4), start_new_session=True,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(to_child_r)
        os.close(from_child_w)
        self.buf = b""
        self.next_id = 0
        self.events = []

    # The DevTools protocol: JSON messages separated by NUL bytes.
    def send(self, method, params=None, session=None):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self.to_child, json.dumps(msg).encode() + b"\0")
        return self.next_id

    def read(self, timeout):
        """The next message, or None after `timeout` seconds."""
        end = time.monotonic() + timeout
        while b"\0" not in self.buf:
            left = end - time.monotonic()
            if left <= 0:
                return None
            r, _, _ = select.select([self.from_child], [], [], left)
            if not r:
                return None
            chunk = os.read(self.from_child, 1 << 16)
            if not chunk:
                raise RuntimeError("the browser closed its DevTools pipe")
            self.buf += chunk
        msg, self.buf = self.buf.split(b"\0", 1)
        return json.loads(msg)

    def call(self, method, params=None, session=None, timeout=20):
        want = self.send(method, params, session)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            msg = self.read(end - time.monotonic())
            if msg is None:
                break
            if msg.get("id") == want:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append(msg)
        raise RuntimeError(f"{method}: no answer from the browser in {timeout} s")

    def open_tab(self):
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self.call("Page.enable", session=session)
        self.call("Page.setLifecycleEventsEnabled", {"enabled": True}, session=session)
        return target, session

    def load(self, urls, tabs=8, timeout=8.0):
        """Loads every URL (in up to `tabs` tabs at once); returns {url: seconds until
        network idle, or None when it was not idle within `timeout`}. A page that
        navigates on its own (meta refresh) is done when its new document is idle."""
        opened = [self.open_tab() for _ in range(min(tabs, len(urls)))]
        todo = list(urls)
        # session -> [url, start, frame id, loaders that are this page's documents]. A
        # networkIdle counts only for the navigation's own loader, or for a document
        # that started (lifecycle "init") after it, as a meta refresh does: never for
        # the tab's previous document (about:blank's idle can arrive after the
        # navigation was sent, and was taken for the page's: a flaky empty harness).
        busy = {}
        result = {}
        free = [s for _, s in opened]
        while todo or busy:
            while free and todo:
                session = free.pop()
                url = todo.pop(0)
                r = self.call("Page.navigate", {"url": url}, session=session)
                busy[session] = [url, time.monotonic(), r.get("frameId"), {r.get("loaderId")}]
                # Events that came before the answer belong to earlier documents.
                old = {ev["params"].get("loaderId") for ev in self.events
                       if ev.get("sessionId") == session and ev.get("method") == "Page.lifecycleEvent"}
                busy[session].append(old - busy[session][3])
            msg = self.read(0.2)
            now = time.monotonic()
            events = self.events + ([msg] if msg and "method" in msg else [])
            self.events = []
            for ev in events:
                s = ev.get("sessionId")
                if ev.get("method") != "Page.lifecycleEvent" or s not in busy:
                    continue
                p = ev["params"]
                url, start, frame, mine, old = busy[s]
                loader = p.get("loaderId")
                if p.get("name") == "init" and loader not in old:
                    mine.add(loader)
                if p.get("name") == "networkIdle" and p.get("frameId") == frame and loader in mine:
                    result[url] = now - start
                    del busy[s]
                    free.append(s)
            for s, (url, start, _, _, _) in list(busy.items()):
                if now - start > timeout:
                    result[url] = None
                    del busy[s]
                    free.append(s)
        for target, _ in opened:
            self.call("Target.closeTarget", {"targetId": target})
        return result

    def check_harness(self):
        """The harness itself: a page with one <img> gives exactly one proxied request,
        and scripting is off (a script's image is not requested; the image inside
        <noscript>, markup only when scripting is off, is). Returns a list of problems."""
        problems = []
        self.proxy.take()
        one = self.proxy.add_page("/harness/one-img", b'<!doctype html><img src="http://harness-one.example/a.png">')
        self.load([one])
        time.sleep(0.5)
        got = self.proxy.take()
        if got != [("GET", "harness-one.example", "http://harness-one.example/a.png")]:
            problems.append(f"one <img> gave these requests: {got}")
        scripts = self.proxy.add_page(
            "/harness/scripting",
            b'<!doctype html><script>document.write(\'<img src="http://harness-script.example/s.png">\')</script>'
            b'<img src="data:," onerror="this.src=\'http://harness-script.example/e.png\'">'
            b'<noscript><img src="http://harness-noscript.example/n.png"></noscript>')
        self.load([scripts])
        time.sleep(0.5)
        hosts = sorted({h for _, h, _ in self.proxy.take()})
        if hosts != ["harness-noscript.example"]:
            problems.append(f"scripting is not off: the script page requested {hosts}")
        return problems

    def close(self):
        try:
            self.call("Browser.close", timeout=5)
        except (RuntimeError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        try:  # its helper processes, in the session it leads
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        for fd in (self.to_child, self.from_child):
            try:
                os.close(fd)
            except OSError:
                pass
        shutil.rmtree(self.profile, ignore_errors=True)
