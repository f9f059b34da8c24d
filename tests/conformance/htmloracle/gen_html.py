"""Deterministic generator of HTML documents for the html5lib oracle (oracle.py).

generate(count, seed) returns [(name, text)]: the same documents for the same arguments
on every machine (random.Random(seed), no other input). Each document is a valid page
skeleton filled with fragments drawn from the constructs the engine must read the way a
browser does: every resource vector, every attribute quoting form, name case, spacing
around '=', duplicate attributes, character references in URLs (named with and without
';', ambiguous ampersands, numeric), comments with markup in them, raw-text elements,
tables, SVG, NUL bytes and CR/LF line ends. Constructs whose reading the engine
deliberately changes (stray table cells, a second <body>, markup inside <title>) are left
to the hand-written cases, where expected-differences.tsv explains them.
"""
import random

HOSTS = ["t.example", "pixel.example.com", "cdn.example.net", "img.example.org"]
NAMED = ["&amp;", "&lt;", "&gt;", "&quot;", "&copy;", "&reg;", "&nbsp;", "&eacute;"]
# Legacy names a browser also decodes without ';' (unless '=' or an alphanumeric follows).
LEGACY = ["&amp", "&lt", "&gt", "&copy", "&reg", "&not", "&para", "&sect", "&times", "&eacute"]
TEXT = ["Hello", "caf\u00e9", "a < b", "1 &amp; 2", "&copy 2024", "x > y", "\u4e2d\u6587", "&nbsp;"]


class Doc:
    def __init__(self, rng):
        self.r = rng
        self.n = 0

    def pick(self, seq):
        return self.r.choice(seq)

    def case(self, word):
        mode = self.r.randrange(4)
        if mode == 1:
            return word.upper()
        if mode == 2:
            return "".join(c.upper() if self.r.random() < 0.5 else c for c in word)
        return word

    def url(self, ext="png"):
        self.n += 1
        scheme = self.pick(["http://", "https://", "//", "HTTP://"])
        path = f"{scheme}{self.pick(HOSTS)}/p{self.n}.{ext}"
        query = self.r.randrange(5)
        if query == 1:
            path += f"?u={self.r.randrange(10**6)}&amp;m={self.n}"
        elif query == 2:  # ambiguous ampersands: '=' after a legacy name stops decoding
            path += f"?a=1{self.pick(['&copy', '&reg', '&para', '&lang', '&not'])}={self.n}"
        elif query == 3:
            path += f"?q={self.pick(LEGACY)}x{self.pick(NAMED)}&#{self.r.randrange(32, 127)};&#x{self.r.randrange(0x80, 0x3000):x};"
        elif query == 4:
            path += f"?id={self.n}{self.pick(LEGACY)};{self.pick(LEGACY)} "
        return path

    def value(self, v):
        """v as an attribute value in one of its three forms (unquoted only when it can be)."""
        forms = ['"', "'"]
        if not any(c in v for c in " \t\n\f\r\"'<>=`") and v:
            forms.append("")
        q = self.pick(forms)
        if q and q in v:
            q = '"' if q == "'" else "'"
        eq = self.pick(["=", "=", " = ", "\n=\t"])
        return f"{eq}{q}{v}{q}"

    def attrs(self, pairs):
        pairs = list(pairs)
        self.r.shuffle(pairs)
        out = []
        for name, v in pairs:
            sep = self.pick([" ", " ", "\t", "\n", "  "])
            out.append(sep + self.case(name) + ("" if v is None else self.value(v)))
            if self.r.random() < 0.1:  # a later duplicate: the first one wins
                out.append(" " + self.case(name) + self.value(self.url()))
        return "".join(out)

    def tag(self, name, pairs, close=False, void=False):
        slash = self.pick(["", "", "/", " /"]) if void else ""
        start = f"<{self.case(name)}{self.attrs(pairs)}{slash}>"
        return start + (f"</{self.case(name)}>" if close else "")

    def extra(self):
        return self.pick([[], [("alt", "")], [("width", "1"), ("height", "1")],
                          [("class", "x y")], [("hidden", None)], [("data-x", "a&amp;b")]])

    # ---- fragments of <body> ----
    def img(self):
        pairs = [("src", self.url())] + self.extra()
        if self.r.random() < 0.3:
            sizes = [f"{self.url()} {self.pick(['1x', '2x', '100w', '1.5x'])}" for _ in range(self.r.randrange(1, 4))]
            pairs.append(("srcset", self.pick([", ", ",", " , "]).join(sizes)))
        return self.tag("img", pairs, void=True)

    def picture(self):
        return ("<picture>" + self.tag("source", [("srcset", self.url("webp") + " 1x"), ("type", "image/webp")], void=True)
                + self.img() + "</picture>")

    def media(self):
        return self.pick([
            lambda: self.tag("video", [("poster", self.url("jpg")), ("src", self.url("mp4"))], close=True),
            lambda: self.tag("audio", [("src", self.url("mp3"))], close=True),
            lambda: self.tag("embed", [("src", self.url("swf"))], void=True),
            lambda: self.tag("object", [("data", self.url("swf"))], close=True),
            lambda: self.tag("iframe", [("src", self.url("html"))], close=True),
            lambda: self.tag("input", [("type", self.pick(["image", "IMAGE", " image ", "text"])), ("src", self.url())], void=True),
        ])()

    def styled(self):
        css = self.pick(["background:url({u})", "background-image: url( '{u}' )", 'background:URL("{u}") no-repeat',
                         "color:red", "list-style-image:url({u});display:none"]).format(u=self.url())
        return self.tag(self.pick(["div", "span", "p"]), [("style", css)], close=True)

    def table(self):
        def cell():
            name = self.pick(["td", "th"])
            return self.tag(name, [("background", self.url())]) + self.text() + f"</{name}>"
        return self.tag("table", [("background", self.url())] if self.r.random() < 0.5 else []) + \
            "<tr>" + "".join(cell() for _ in range(self.r.randrange(1, 3))) + "</tr></table>"

    def link(self):
        return self.tag("a", [("href", self.url("html"))]) + self.text() + "</a>"

    def svg(self):
        attr = self.pick(["href", "xlink:href"])
        return "<svg>" + self.tag(self.pick(["image", "feImage"]), [(attr, self.url())], void=True) + "</svg>"

    def comment(self):
        return self.pick(["<!-- {t} -->", "<!--{t}-->", "<!-- <img src=\"{u}\"> -->", "<!---->", "<!-- a -- b -->",
                          "<!--x--!>", "<?pi {t}?>", "<!bogus {t}>"]).format(t=self.text(), u=self.url())

    def conditional(self):
        return "<!--[if mso]>" + self.img() + "<![endif]-->"

    def raw(self):
        kind = self.r.randrange(3)
        if kind == 0:
            return f"<textarea>{self.text()} &lt;b&gt;</textarea>"
        if kind == 1:
            return f"<script>var s = '<' + 'img src=\"{self.url()}\">'; if (a < b) {{}}</script>"
        return f"<xmp>{self.text()} a<b</xmp>"

    def text(self):
        return self.pick(TEXT)

    def nul(self):
        return self.pick(["<p title=\"a\0b\">x</p>", "<p\0x>y</p>", "<!-- \0 -->"])

    def body_fragment(self):
        return self.pick([self.img, self.img, self.picture, self.media, self.styled, self.table, self.link,
                          self.svg, self.comment, self.conditional, self.raw, self.text, self.nul])()

    # ---- the page ----
    def head(self):
        parts = []
        if self.r.random() < 0.5:
            parts.append(f"<title>{self.text()}</title>")
        if self.r.random() < 0.5:
            rel = self.pick(["stylesheet", "icon", "alternate", "preload", "canonical", "shortcut icon", "STYLESHEET"])
            parts.append(self.tag("link", [("rel", rel), ("href", self.url("css"))], void=True))
        if self.r.random() < 0.4:
            parts.append("<style>" + self.pick([
                "@import url({u});", "@import '{u}' screen;", "p{{background:url({u})}}",
                "@font-face{{font-family:x;src:url({u}) format('woff')}}", "@media print{{a{{background:url(\"{u}\")}}}}",
                "/* url({u}) */ a{{color:red}}"]).format(u=self.url()) + "</style>")
        if self.r.random() < 0.2:
            parts.append(self.tag("meta", [("http-equiv", "refresh"),
                                           ("content", self.pick(["0;url={u}", "5; URL='{u}'", "3"]).format(u=self.url()))], void=True))
        if self.r.random() < 0.2:
            parts.append(self.tag("script", [("src", self.url("js"))], close=True))
        return "".join(parts)

    def page(self):
        doctype = self.pick(["<!DOCTYPE html>", "<!doctype HTML>", '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "x">', ""])
        body_attrs = [("background", self.url())] if self.r.random() < 0.2 else []
        body = "".join(self.body_fragment() + self.pick(["", "\n", " ", "\r\n"]) for _ in range(self.r.randrange(2, 9)))
        return (f"{doctype}<html><head>{self.head()}</head>" + self.tag("body", body_attrs)
                + body + "</body></html>" + self.pick(["", "\n", "\r\n"]))


SIGNIFICANT = "<>\"'=/&-!;#?[]\0\r\n\t "


def mutate(rng, text):
    """text with 1 to 4 edits at random places: a markup-significant character inserted,
    a character deleted, or a span repeated (how tag soup in real mail looks)."""
    for _ in range(rng.randrange(1, 5)):
        i = rng.randrange(len(text) + 1)
        op = rng.randrange(3)
        if op == 0:
            text = text[:i] + rng.choice(SIGNIFICANT) + text[i:]
        elif op == 1 and i < len(text):
            text = text[:i] + text[i + 1:]
        else:
            j = min(len(text), i + rng.randrange(1, 12))
            text = text[:j] + text[i:j] + text[j:]
    return text


def generate(count, seed=1):
    """count well-formed pages (gen-*) and count mutated copies of them (mut-*)."""
    rng = random.Random(seed)
    pages = [Doc(rng).page() for _ in range(count)]
    return [(f"gen-{i:04d}.html", p) for i, p in enumerate(pages)] + \
        [(f"mut-{i:04d}.html", mutate(rng, p)) for i, p in enumerate(pages)]
