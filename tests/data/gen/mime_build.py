"""Building blocks of gen_mime.py: text in a charset, Content-Transfer-Encodings, and a small
entity tree (Leaf, Multi, Rfc822) written out with a chosen line ending.

Everything is written by hand, on purpose, rather than with Python's email package: the
checks compare pixelwarden against that package, so the messages must not be shaped by it.
Python 3 standard library only.
"""

import base64

# --- line endings --------------------------------------------------------------------------

EOLS = ("crlf", "lf", "mixed")


class Lines:
    """A message under construction: every line gets the message's line ending; "mixed"
    alternates CRLF and LF line by line."""

    def __init__(self, eol):
        self.eol_mode = eol
        self.out = bytearray()
        self.count = 0

    def eol(self):
        self.count += 1
        if self.eol_mode == "lf" or (self.eol_mode == "mixed" and self.count % 2 == 0):
            return b"\n"
        return b"\r\n"

    def line(self, b):
        self.out += b + self.eol()

    def raw(self, b):
        self.out += b

    def strip_final_eol(self):
        for e in (b"\r\n", b"\n"):
            if self.out.endswith(e):
                del self.out[-len(e):]
                return


def data_eol(eol):
    """The line break inside encoded (base64) text content."""
    return b"\n" if eol == "lf" else b"\r\n"


# --- charsets -------------------------------------------------------------------------------

ASCII_WORDS = ("mail", "filter", "pixel", "hello", "world", "offer", "click", "invoice",
               "report", "the", "and", "of", "meeting", "tomorrow", "price", "a=b", "50%")
WORDS = {
    "latin1": ("Grüße", "café", "déjà", "naïve", "Ærø", "façade", "señor", "½"),
    "latin9": ("€uro", "œuvre", "Šárka", "Žofie", "café", "Ÿ"),
    "cp1252": ("“quoted”", "–dash", "…", "€", "‘single’", "Œ", "™"),
    "cyrillic": ("Привет", "мир", "почта", "фильтр", "ёлка"),
    "japanese": ("こんにちは", "世界", "メール", "フィルター", "日本語", "テスト"),
    "chinese": ("你好", "世界", "邮件", "过滤器", "测试"),
    "gbk": ("你好", "世界", "镕", "喆", "堃", "邮件"),
    "any": ("Grüße", "日本語", "Привет", "你好", "🎉", "∑", "€", "ǅ"),
}

# key: (label in Content-Type, Python codec, word set, bytes before the text, one blob?)
# "one blob": the charset is not ASCII-compatible (a line break is not the bytes of one),
# so the text is one run of bytes rather than lines.
CHARSETS = {
    "us-ascii": ("us-ascii", "ascii", None, b"", False),
    "utf-8": ("utf-8", "utf-8", "any", b"", False),
    "iso-8859-1": ("iso-8859-1", "latin-1", "latin1", b"", False),
    "iso-8859-15": ("iso-8859-15", "iso8859_15", "latin9", b"", False),
    "windows-1252": ("windows-1252", "cp1252", "cp1252", b"", False),
    "koi8-r": ("koi8-r", "koi8_r", "cyrillic", b"", False),
    "shift_jis": ("shift_jis", "shift_jis", "japanese", b"", False),
    "iso-2022-jp": ("iso-2022-jp", "iso2022_jp", "japanese", b"", False),
    "gb2312": ("gb2312", "gb2312", "chinese", b"", False),
    "gbk": ("gbk", "gbk", "gbk", b"", False),
    "utf-16-bom": ("utf-16", "utf-16-le", "any", b"\xff\xfe", True),
    "utf-16-nobom": ("utf-16", "utf-16-be", "any", b"", True),
    "utf-16le": ("utf-16le", "utf-16-le", "any", b"", True),
    "utf-32-bom": ("utf-32", "utf-32-be", "any", b"\x00\x00\xfe\xff", True),
    "utf-32-nobom": ("utf-32", "utf-32-be", "any", b"", True),
    "unknown": ("x-unknown-charset", "latin-1", "latin1", b"", False),
}


def text_lines(rng, charset, html):
    """Lines of text in the charset's script: one longer than 76 characters (QP soft
    breaks), one with trailing spaces, a "-- " signature line, "=" signs; for HTML a
    tracking pixel and a link."""
    words = ASCII_WORDS + (WORDS[CHARSETS[charset][2]] if CHARSETS[charset][2] else ())
    lines = []
    for i in range(rng.randint(4, 8)):
        n = 30 if i == 1 else rng.randint(1, 12)
        lines.append(" ".join(rng.choice(words) for _ in range(n)))
    lines.insert(rng.randrange(len(lines)), "trailing spaces here  ")
    if html:
        lines = ["<html><body>"] + ["<p>" + l + "</p>" for l in lines] + [
            '<a href="https://shop.example.com/offer?id=42&amp;u=7">offer</a>',
            '<img src="https://t.example.net/p.gif?r=%d" width="1" height="1">' % rng.randint(1, 9999),
            "</body></html>"]
    else:
        lines += ["-- ", "sender"]
    return lines


def encode_text(lines, charset, eol):
    """The text's bytes in the charset, as logical lines (ASCII-compatible) or one blob."""
    _label, codec, _words, bom, blob = CHARSETS[charset]
    if blob:
        return [bom + "\n".join(lines).encode(codec)]
    return [l.encode(codec) for l in lines]


def charset_label(charset):
    return CHARSETS[charset][0]


# --- Content-Transfer-Encodings --------------------------------------------------------------

# key: header value (None: no header)
CTES = {
    "7bit": "7bit",
    "8bit": "8bit",
    "binary": "binary",
    "none": None,
    "qp": "quoted-printable",
    "qp-loose": "quoted-printable",   # lowercase hex, a lone "=", a soft break at the very end
    "base64": "base64",
    "base64-odd": "base64",           # 73-character lines: not a multiple of 4
    "base64-nopad": "base64",         # final quantum without its "=" padding
    "bogus": "x-bogus-encoding",      # unknown: both sides read it as identity
}


def qp_line(b, lower=False, width=76):
    """One logical line as quoted-printable physical lines (soft breaks "=" at the end)."""
    fmt = "=%02x" if lower else "=%02X"
    tokens = []
    for i, c in enumerate(b):
        last = i == len(b) - 1
        if (33 <= c <= 126 and c != 61) or (c in (9, 32) and not last):
            tokens.append(bytes([c]))
        else:
            tokens.append((fmt % c).encode())
    out, cur = [], b""
    for t in tokens:
        if len(cur) + len(t) > width - 1:
            out.append(cur + b"=")
            cur = b""
        cur += t
    out.append(cur)
    return out


def b64_lines(data, width, pad=True):
    text = base64.b64encode(data)
    if not pad:
        text = text.rstrip(b"=")
    return [text[i:i + width] for i in range(0, len(text), width)] or [b""]


def encode_body(content, cte, eol):
    """Physical body lines of logical content lines in the given CTE."""
    if cte in ("7bit", "8bit", "binary", "none", "bogus"):
        return list(content)
    if cte in ("qp", "qp-loose"):
        out = []
        for l in content:
            out += qp_line(l, lower=cte == "qp-loose")
        if cte == "qp-loose":
            out[-1] += b" a=b and a soft break at the very end="
        return out
    data = data_eol(eol).join(content)
    if cte == "base64-nopad" and len(data) % 3 == 0:
        data += b"."
    return b64_lines(data, 73 if cte == "base64-odd" else 76, pad=cte != "base64-nopad")


def cte_headers(cte):
    value = CTES[cte]
    return [] if value is None else [b"Content-Transfer-Encoding: " + value.encode()]


# --- entities -------------------------------------------------------------------------------

class Leaf:
    def __init__(self, headers, body, blank=True):
        self.headers, self.body = headers, body  # body: physical lines
        self.blank = blank  # False: no empty line between headers and body


class Multi:
    def __init__(self, headers, boundary, parts, preamble=(), epilogue=(), close=True, suffix=b""):
        self.headers, self.boundary, self.parts = headers, boundary, parts
        self.preamble, self.epilogue, self.close = list(preamble), list(epilogue), close
        self.suffix = suffix  # written after every delimiter line (trailing whitespace)


class Rfc822:
    def __init__(self, headers, inner):
        self.headers, self.inner = headers, inner  # inner: an entity with its own headers


def write(out, entity):
    for h in entity.headers:
        out.line(h)
    if getattr(entity, "blank", True):
        out.line(b"")
    write_body(out, entity)


def write_body(out, entity):
    if isinstance(entity, Leaf):
        for l in entity.body:
            out.line(l)
    elif isinstance(entity, Rfc822):
        write(out, entity.inner)
    else:
        for l in entity.preamble:
            out.line(l)
        for p in entity.parts:
            out.line(b"--" + entity.boundary + entity.suffix)
            write(out, p)
        if entity.close:
            out.line(b"--" + entity.boundary + b"--" + entity.suffix)
        for l in entity.epilogue:
            out.line(l)


def top_headers(name):
    return [b"From: Generated Sender <sender@example.org>",
            b"To: recipient@example.net",
            b"Subject: " + name.encode(),
            b"Date: Thu, 03 Dec 2026 12:00:00 +0000",
            b"Message-ID: <" + name.encode() + b"@gen.example>",
            b"MIME-Version: 1.0"]


def content_type(ctype, **params):
    v = ctype
    for k, p in params.items():
        v += '; %s="%s"' % (k, p)
    return b"Content-Type: " + v.encode()


def boundary(rng, level):
    style = rng.randrange(3)
    if style == 0:
        return b"b%d" % level
    if style == 1:
        return b"----=_Part_%d_%08x" % (level, rng.getrandbits(32))
    return b"=_gen %d:(x)+,-./?%04x" % (level, rng.getrandbits(16))  # RFC 2046 bchars


def text_leaf(rng, cte, charset, eol, html, extra=()):
    lines = encode_text(text_lines(rng, charset, html), charset, eol)
    ctype = "text/html" if html else "text/plain"
    headers = [content_type(ctype, charset=charset_label(charset))] + cte_headers(cte) + list(extra)
    return Leaf(headers, encode_body(lines, cte, eol))


def multi(rng, subtype, parts, level=1, **kw):
    b = boundary(rng, level)
    return Multi([content_type("multipart/" + subtype, boundary=b.decode())], b, parts, **kw)
