"""What html5lib (Debian's python3-html5lib) makes of a document, in the shapes html_dump
prints for the engine: the tokenizer's tokens (as the tree builder drives it) and the
URLs the parsed tree exposes for the resource vectors of milter/html/resource.hpp.

Two engine policies that go beyond a browser are modelled here, as resource.hpp and
scan.cpp document them: the content of an Outlook conditional comment
(<!--[if mso]>...<![endif]-->) is markup, and tags inside raw text (title, style,
textarea, noframes...) are scanned for resources ("shadow scan"). Everything else is
html5lib's own reading.
"""
import re
import types
import html5lib
from html5lib import _tokenizer, constants, html5parser

T = constants.tokenTypes
RAW_STATES = {"rcdataState", "rawtextState", "scriptDataState", "plaintextState"}
XLINK = "{http://www.w3.org/1999/xlink}"
SVG = "{http://www.w3.org/2000/svg}"
ASCII_WS = " \t\n\f\r"


class RecordingTokenizer(_tokenizer.HTMLTokenizer):
    """The tree builder's tokenizer, recording each token as the parser receives it."""

    # Set per parse: the token record, the (newline-normalized) text and where its lines
    # start, and the undecoded source of each title/textarea in document order.
    record = None
    text = ""
    line_starts = []
    rcdata = []

    def cdataSectionState(self):
        queued = len(self.tokenQueue)
        result = super().cdataSectionState()
        if len(self.tokenQueue) > queued:
            self.tokenQueue[-1]["cdata"] = True
        else:  # an empty section emits no token; the queue was empty, so order holds
            RecordingTokenizer.record.append(["cdata", ""])
        return result

    def __iter__(self):
        rec = RecordingTokenizer.record
        raw = None  # [element, text] while the parser keeps the tokenizer in raw text
        for tok in super().__iter__():
            kind = tok["type"]
            if kind == T["ParseError"]:
                yield tok
                continue
            is_chars = kind in (T["Characters"], T["SpaceCharacters"])
            if raw is not None and not (is_chars and not tok.get("cdata")):
                if raw[1]:
                    rec.append(["raw", raw[0], raw[1]])
                raw = None
            if is_chars:
                if tok.get("cdata"):
                    rec.append(["cdata", tok["data"]])
                elif raw is not None:
                    raw[1] += tok["data"]
            elif kind == T["StartTag"]:
                rec.append(["start", tok["name"], [[k, v] for k, v in tok["data"].items()],
                            bool(tok["selfClosing"])])
            elif kind == T["EndTag"]:
                rec.append(["end", tok["name"]])
            elif kind == T["Comment"]:
                rec.append(["comment", tok["data"]])
            elif kind == T["Doctype"]:
                rec.append(["doctype", tok["name"] or ""])
            name = tok.get("name") if kind == T["StartTag"] else None
            yield tok
            # The parser has handled the token: did it switch us to a raw-text state?
            if name is not None and self.state.__name__ in RAW_STATES:
                raw = [name, ""]
                if self.state.__name__ == "rcdataState":
                    self.rcdata_source(name)
        if raw is not None and raw[1]:
            rec.append(["raw", raw[0], raw[1]])

    def rcdata_source(self, name):
        """Keeps the undecoded source of the title/textarea just opened: the engine scans
        raw text for tags (the shadow scan) before any character reference is decoded."""
        line, col = self.stream.position()  # just after the start tag's '>'
        start = RecordingTokenizer.line_starts[line - 1] + col
        text = RecordingTokenizer.text
        end = re.compile(r"</" + re.escape(name) + r"[\t\n\f\r />]", re.IGNORECASE).search(text, start)
        RecordingTokenizer.rcdata.append(text[start:end.start() if end else len(text)])


def parse(text):
    """(tokens, etree document, undecoded title/textarea sources) of html5lib's parse."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # html5lib's first step too
    RecordingTokenizer.record = []
    RecordingTokenizer.text = text
    RecordingTokenizer.line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    RecordingTokenizer.rcdata = []
    # The parser makes its tokenizer as html5parser._tokenizer.HTMLTokenizer(...): hand it
    # ours for this parse (the module itself stays as it is).
    html5parser._tokenizer = types.SimpleNamespace(HTMLTokenizer=RecordingTokenizer)
    try:
        doc = html5lib.parse(text, treebuilder="etree", namespaceHTMLElements=False)
    finally:
        html5parser._tokenizer = _tokenizer
    return RecordingTokenizer.record, doc, RecordingTokenizer.rcdata


# ---- CSS (CSS Syntax 3 tokenization, only as far as URLs go) ----

def _is_name(c):
    return c.isascii() and (c.isalnum() or c in "-_") or not c.isascii()


def _escape(s, i, out):
    """s[i] == '\\' and a valid escape; returns the index after it."""
    i += 1
    if i >= len(s):
        out.append("\ufffd")
        return i
    m = re.match(r"[0-9a-fA-F]{1,6}", s[i:])
    if not m:
        out.append(s[i])
        return i + 1
    cp = int(m.group(0), 16)
    i += len(m.group(0))
    if s.startswith("\r\n", i):
        i += 2
    elif i < len(s) and s[i] in " \t\n\r\f":
        i += 1
    out.append("\ufffd" if cp == 0 or cp > 0x10FFFF or 0xD800 <= cp <= 0xDFFF else chr(cp))
    return i


def _valid_escape(s, i):
    return i + 1 < len(s) and s[i] == "\\" and s[i + 1] not in "\n\r\f"


def _name(s, i):
    out = []
    while i < len(s):
        if _is_name(s[i]):
            out.append(s[i])
            i += 1
        elif _valid_escape(s, i):
            i = _escape(s, i, out)
        else:
            break
    return "".join(out), i


def _string(s, i):
    q, out, i = s[i], [], i + 1
    while i < len(s):
        c = s[i]
        if c == q:
            return "".join(out), True, i + 1
        if c in "\n\r\f":
            return "".join(out), False, i
        if c == "\\":
            if i + 1 < len(s) and s[i + 1] in "\n\r\f":
                i += 3 if s.startswith("\r\n", i + 1) else 2
            else:
                i = _escape(s, i, out)
            continue
        out.append(c)
        i += 1
    return "".join(out), True, i


def _bad_url_end(s, i):
    """Index after the remnants of a bad url: up to and with the next ')' not escaped."""
    while i < len(s):
        if s[i] == ")":
            return i + 1
        i += 2 if _valid_escape(s, i) else 1
    return i


def _url(s, i):
    """After 'url(': (url, ok, index after)."""
    while i < len(s) and s[i] in " \t\n\r\f":
        i += 1
    if i < len(s) and s[i] in "\"'":
        val, ok, i = _string(s, i)
        close = s.find(")", i)
        return val, ok, len(s) if close < 0 else close + 1
    out = []
    while i < len(s) and s[i] != ")":
        c = s[i]
        if c in " \t\n\r\f":
            while i < len(s) and s[i] in " \t\n\r\f":
                i += 1
            if i < len(s) and s[i] != ")":
                return "", False, _bad_url_end(s, i)
            break
        if c in "\"'(":
            return "", False, _bad_url_end(s, i)
        if c == "\\":
            if not _valid_escape(s, i):
                return "", False, _bad_url_end(s, i)
            i = _escape(s, i, out)
            continue
        out.append(c)
        i += 1
    return "".join(out), True, min(i + 1, len(s))


def css_refs(s):
    """[(vector, url)] of a stylesheet or declaration list."""
    out, at, blocks, i = [], None, [], 0
    while i < len(s):
        c = s[i]
        if s.startswith("/*", i):
            close = s.find("*/", i + 2)
            i = len(s) if close < 0 else close + 2
        elif c in "\"'":
            val, ok, i = _string(s, i)
            if ok and at == "import":  # the prelude's first token is the URL
                out.append(("css_import", val))
                at = "import-done"
        elif c == "@":
            name, i = _name(s, i + 1)
            at = name.lower() if name.lower() in ("import", "font-face") else "other"
        elif _is_name(c) or _valid_escape(s, i):
            name, i = _name(s, i)
            if i < len(s) and s[i] == "(" and name.lower() == "url":
                val, ok, i = _url(s, i + 1)
                if ok:
                    kind = "css_import" if at in ("import", "import-done") else \
                        "font_face" if blocks and blocks[-1] else "css_url"
                    out.append((kind, val))
                    at = "import-done" if at == "import" else at
        elif c == "{":
            blocks.append(at == "font-face" or bool(blocks and blocks[-1]))
            at = None
            i += 1
        elif c == "}":
            if blocks:
                blocks.pop()
            at = None
            i += 1
        elif c == ";":
            at = None
            i += 1
        else:
            i += 1
    return out


# ---- attribute micro-syntaxes (WHATWG) ----

def srcset_urls(value):
    """URLs of the WHATWG "parse a srcset attribute" algorithm."""
    urls, i, n = [], 0, len(value)
    while True:
        while i < n and (value[i] in ASCII_WS or value[i] == ","):
            i += 1
        if i >= n:
            return urls
        start = i
        while i < n and value[i] not in ASCII_WS:
            i += 1
        url = value[start:i]
        if url.endswith(","):
            url = url.rstrip(",")
        else:  # descriptors, up to a comma outside parentheses
            in_parens = False
            while i < n:
                c = value[i]
                if in_parens:
                    in_parens = c != ")"
                elif c == "(":
                    in_parens = True
                elif c == ",":
                    i += 1
                    break
                i += 1
        if url:
            urls.append(url)


def refresh_url(content):
    """URL of a meta refresh content value (WHATWG shared declarative refresh steps)."""
    s, i = content, 0
    while i < len(s) and s[i] in ASCII_WS:
        i += 1
    start = i
    while i < len(s) and s[i].isascii() and s[i].isdigit():
        i += 1
    if i == start and not (i < len(s) and s[i] == "."):
        return None
    while i < len(s) and (s[i].isascii() and s[i].isdigit() or s[i] == "."):
        i += 1
    while i < len(s) and s[i] in ASCII_WS:
        i += 1
    if i < len(s) and s[i] in ";,":
        i += 1
    elif i < len(s):
        return None
    while i < len(s) and s[i] in ASCII_WS:
        i += 1
    rest = s[i:]
    m = re.match(r"[uU][rR][lL][ \t\n\f\r]*=[ \t\n\f\r]*", rest)
    if m:
        rest = rest[m.end():]
    if rest[:1] in ("'", '"'):
        q = rest[0]
        rest = rest[1:]
        end = rest.find(q)
        if end >= 0:
            rest = rest[:end]
    rest = _trim_url(rest)  # the URL parser strips leading/trailing C0 controls and spaces
    return rest if rest else None


FETCHED_RELS = {
    "stylesheet", "icon", "apple-touch-icon", "apple-touch-icon-precomposed", "mask-icon",
    "fluid-icon", "manifest", "prefetch", "preload", "modulepreload", "prerender",
    "preconnect", "dns-prefetch",
}


# ---- the tree walk ----

def _trim_url(v):
    return v.strip("".join(chr(c) for c in range(0x21)))


def scheme_of(url, base):
    """Scheme a URL resolves to (None: not absolute and no base); //host is https."""
    u = re.sub("[\t\n\r]", "", url)
    m = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*):", u)
    if m:
        return m.group(1).lower()
    if base:
        return scheme_of(base, None)
    if u[:2] in ("//", "\\\\", "/\\", "\\/"):
        return "https"
    return None


REMOTE = {"http", "https", "ftp", "file"}
FORBIDDEN_HOST = set("\0\t\n\r #/:<>?@[\\]^|%\x7f")


def has_host(url, base):
    """Whether a special-scheme URL has a host the WHATWG URL parser accepts (roughly:
    non-empty, no forbidden code point); relative references take the base's."""
    u = re.sub("[\t\n\r]", "", url)
    m = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*):", u)
    if m is None:
        if u[:2] not in ("//", "\\\\", "/\\", "\\/"):
            return base is None or has_host(base, None)
        rest = u
    else:
        if m.group(1).lower() == "file":
            return True
        rest = u[m.end():]
    rest = rest.lstrip("/\\")
    authority = re.split(r"[/\\?#]", rest, maxsplit=1)[0]
    host = authority.rsplit("@", 1)[-1]
    if host.startswith("["):
        return host.endswith("]") or "]:" in host
    host = host.split(":", 1)[0]
    return bool(host) and not any(c in FORBIDDEN_HOST or ord(c) < 0x20 for c in host)
SHADOW = {"style", "title", "textarea", "xmp", "iframe", "noembed", "noframes", "plaintext"}


class Walker:
    def __init__(self, rcdata=()):
        self.items = []  # (vector, attribute, url)
        self.links = []
        self.base = None
        self.rcdata = list(rcdata)  # undecoded title/textarea sources, in document order

    def url_attr(self, vector, el, attr, name=None):
        v = el.get(attr)
        if v is not None:
            v = _trim_url(v)
            if v:
                self.items.append((vector, name or attr, v))

    def element(self, el, shadow):
        tag = el.tag
        ns_svg = tag.startswith(SVG)
        name = tag.split("}")[-1]
        if ns_svg and name in ("image", "feImage"):
            self.url_attr("svg_image", el, "href")
            self.url_attr("svg_image", el, XLINK + "href", "xlink:href")
        elif not tag.startswith("{"):
            self.html_element(el, name, shadow)
        if name == "a" and not shadow and el.get("href") is not None:
            self.links.append(el.get("href").strip(ASCII_WS))
        style = el.get("style")
        if style is not None:
            self.items.extend((k, "style", u) for k, u in css_refs(style))
        if name == "style":
            self.items.extend((k, "", u) for k, u in css_refs(el.text or ""))
        if name in SHADOW and not shadow and not tag.startswith("{"):
            text = el.text or ""
            if name in ("title", "textarea") and self.rcdata:
                text = self.rcdata.pop(0)
            if "<" in text:
                self.fragment(text, shadow=True)

    def html_element(self, el, n, shadow):
        if n == "img":
            self.url_attr("img", el, "src")
            for u in srcset_urls(el.get("srcset") or ""):
                self.items.append(("srcset", "srcset", u))
        elif n == "source":
            self.url_attr("media_src", el, "src")
            for u in srcset_urls(el.get("srcset") or ""):
                self.items.append(("picture_source", "srcset", u))
        elif n == "input":
            if (el.get("type") or "").strip(ASCII_WS).lower() == "image":
                self.url_attr("input_image", el, "src")
        elif n in ("video", "audio", "track"):
            self.url_attr("media_src", el, "src")
            if n == "video":
                self.url_attr("video_poster", el, "poster")
        elif n == "embed":
            self.url_attr("embed", el, "src")
        elif n == "object":
            self.url_attr("object", el, "data")
        elif n in ("iframe", "frame"):
            self.url_attr("iframe", el, "src")
        elif n == "link":
            rels = (el.get("rel") or "").lower().split()
            if any(r in FETCHED_RELS for r in rels):
                self.url_attr("link", el, "href")
        elif n == "script":
            self.url_attr("script", el, "src")
        elif n in ("body", "table", "td", "th"):
            self.url_attr("background", el, "background")
        elif n == "meta":
            equiv, content = el.get("http-equiv"), el.get("content")
            if equiv is not None and content is not None and equiv.strip(ASCII_WS).lower() == "refresh":
                u = refresh_url(content)
                if u:
                    self.items.append(("meta_refresh", "content", u))
        elif n in ("v:imagedata", "v:image", "v:fill"):
            self.url_attr("vml", el, "src")
        elif n == "base" and not shadow:
            href = el.get("href")
            if href is not None and self.base is None and scheme_of(href.strip(ASCII_WS), None) \
                    and re.match(r"\s*[A-Za-z][A-Za-z0-9+.\-]*:", href):
                self.base = href
        elif n == "area" and not shadow and el.get("href") is not None:
            self.links.append(el.get("href").strip(ASCII_WS))
        elif n == "form" and not shadow and el.get("action") is not None:
            self.links.append(el.get("action").strip(ASCII_WS))

    def tree(self, root, shadow=False):
        for el in root.iter():
            if isinstance(el.tag, str):
                self.element(el, shadow)
            elif el.text is not None:  # the shadow scan's tokenizer knows them too
                self.comment(el.text, shadow)

    def comment(self, text, shadow):
        m = re.match(r"\[if[^\]]*\]>", text, re.IGNORECASE)
        if m is None:
            return
        inner = text[m.end():]
        if inner.lower().endswith("<![endif]"):
            inner = inner[:-len("<![endif]")]
        self.fragment(inner, shadow)

    def fragment(self, text, shadow):
        frag = html5lib.parseFragment(text, treebuilder="etree", namespaceHTMLElements=False)
        self.tree(frag, shadow)

    def remote(self):
        """The engine's filter: resources that resolve to a remote scheme."""
        return [i for i in self.items if scheme_of(i[2], self.base) in REMOTE and has_host(i[2], self.base)]

    def absolute_links(self):
        return [u for u in self.links if scheme_of(u, self.base) is not None]


def resources(doc, rcdata=()):
    w = Walker(rcdata)
    w.tree(doc)
    return w.remote(), w.absolute_links()
