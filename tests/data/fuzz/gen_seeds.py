#!/usr/bin/env python3
"""Writes the checked-in seed corpora of the fuzz targets (tests/data/fuzz/<target>/).

Every seed is written here by hand or composed from the snippets below, so the corpora
are the project's own text and the same on every run (no randomness, no outside data).
    gen_seeds.py            rewrite the seed folders beside this script
    gen_seeds.py --check    exit 1 when a checked-in seed differs from what this makes
A seed is small (a few hundred bytes) and aims at one construct of its target's grammar:
libFuzzer mutates from there.
"""
import argparse
import filecmp
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

# HTML tokenizer: every state family of the WHATWG tokenizer the engine implements.
TOKENIZER = {
    "attr-forms": '<p a=1 b="2" c=\'3\' d e = 5 f="a>b" g=\'x"y\'>',
    "attr-unquoted-odd": "<p a=x\"y b=x'y c=x<y d=x=y e=`z`>",
    "attr-duplicate": '<img src="a" SRC="b" src=c alt=1 ALT=2>',
    "attr-name-odd": '<p =x "a"=1 \'b\'=2 <c=3 d/e=4 /f>',
    "tag-uppercase": "<IMG SRC=X><DiV ClAsS=y></DIV></Img>",
    "tag-self-closing": "<br/><img src=x /><p/ a=1><div / >",
    "tag-cut-at-eof": '<img src="x" alt="unterminated',
    "tag-end-odd": "</><//p></ p></3></p a=1></p/>",
    "lt-text": "a < b <3 <> <= <.x> <-> <!> <? ?> <?xml x?>",
    "comment-forms": "<!----><!--><!---><!-- a -- b --><!--x--!><!--<!--y-->",
    "comment-eof": "<!-- never closed <img src=x>",
    "comment-bogus": "<!x y><!DOC><![CDATA[z]]><?php echo 1 ?></ 1>",
    "conditional-mso": '<!--[if mso]><v:rect><v:fill src="http://a/b.png"/></v:rect><![endif]-->',
    "conditional-downlevel": '<![if !mso]><img src="http://a/c.gif"><![endif]>',
    "conditional-idiom": '<!--[if !mso]><!--><img src="http://a/d.gif"><!--<![endif]-->',
    "doctype": '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN" "x.dtd"><html>',
    "doctype-odd": "<!doctype><!DOCTYPEhtml><!DoCtYpE x y z",
    "rawtext-style": "<style>p{}</p><img src=x></style ><style>a</stylex></style/>",
    "rawtext-others": "<xmp><b></xmp><iframe><i></iframe><noembed><u></noembed><noframes><s></noframes>",
    "rcdata": "<title>&amp;<b></title><textarea>&lt;</TEXTAREA>",
    "script-escapes": "<script><!--<script>x</script>y--></script><p>",
    "script-escapes-2": "<script><!-- </script><p><script><!--<script></script>--></script>",
    "plaintext": "<plaintext></plaintext><img src=x>",
    "cdata-svg": "<svg><![CDATA[<img src=x>]]><style>a{}</style></svg><![CDATA[x]]>",
    "math": "<math><mi><![CDATA[a]]></mi></math><p>",
    "nul": "<p\x00 a\x00b=\x00 c='\x00'><!--\x00--><style>\x00</style>",
    "entities-attr": '<a href="?a=1&amp;b=2&copy=3&notit;&amp&lt;&#x41;&#65;&#0;&#x110000;&#128;">',
    "whitespace": "<p\ta\n=\x0cb\rc = d\r\n>",
    "utf8": "<p title=\"\u00e9\u4e2d\U0001f600\">\u00e9</p>",
}

# CSS scanner: url() forms, @import, @font-face, escapes, comments, strings.
CSS = {
    "url-forms": "a{background:url(http://a/1.png)}b{background:url( 'http://a/2.png' )}c{x:url(\"x\")}",
    "url-escapes": "a{background:u\\72l(http://a/\\31 .png)}b{x:URL(h\\74tp://a)}",
    "url-bad": "a{x:url(http://a/(b)}b{x:url(a b)}c{x:url('unterminated",
    "import": "@import 'http://a/s.css';@import url(http://a/t.css) screen;@IMPORT \"u.css\";",
    "font-face": "@font-face{font-family:x;src:url(http://a/f.woff) format('woff'),local(y)}",
    "media-nesting": "@media screen{@supports (x:y){a{background:url(//a/n.png)}}}",
    "comments": "/* url(http://a/no.png) */a{x:/**/url(http://a/yes.png)}/* open",
    "strings": "a{content:'url(http://a/no.png)';x:\"\\\"\";y:url(http://a/ok.png)}",
    "declarations": "background-image:url(http://a/i.png);display:none;width:1px;height:0",
    "facts": "position:absolute;left:-9999px;opacity:0;max-height:0;visibility:hidden",
    "image-set": "a{background:image-set(url(http://a/1x.png) 1x,'http://a/2x.png' 2x)}",
    "unicode": "a{x:url(http://a/\u00e9.png)}\\0 \\10FFFF \\110000",
    "empty": "",
}

# Scan + rewrite: one document per resource vector, plus base and hidden ancestors.
REWRITE = {
    "img": '<img src="http://t.example/p.gif" width=1 height=1><img src=//t.example/q.gif>',
    "srcset": '<img srcset="http://a/1.png 1x, http://a/2.png 2x,http://a/3.png">',
    "picture": '<picture><source srcset="http://a/s.webp" type="image/webp"><img src="http://a/i.jpg"></picture>',
    "input-image": '<input type=IMAGE src="http://a/b.png"><input type=text src="http://a/no.png">',
    "video": '<video poster="http://a/p.jpg" src="http://a/v.mp4"><track src="http://a/t.vtt"></video>',
    "embed-object-iframe": '<embed src="http://a/e"><object data="http://a/o"></object><iframe src="http://a/f"></iframe>',
    "link": '<link rel=stylesheet href="http://a/s.css"><link rel="ICON" href=http://a/i.ico><link rel=canonical href=http://a/c>',
    "script": '<script src="http://a/s.js"></script>',
    "background": '<body background="http://a/b.png"><table background=http://a/t.png><tr><td background="http://a/c.png">',
    "meta-refresh": '<meta http-equiv="Refresh" content="0; URL=\'http://a/r\'">',
    "svg-image": '<svg><image href="http://a/s.png"/><feImage xlink:href="http://a/f.png"/></svg><image src="http://a/i.png">',
    "vml": '<v:rect><v:fill type="frame" src="http://a/v.png"/><v:imagedata src="http://a/d.png"/></v:rect>',
    "style-attr": '<div style="background:url(http://a/d.png);display:none"><img src="http://a/x.gif"></div>',
    "style-block": "<style>@import url(http://a/i.css);@font-face{src:url(http://a/f.woff)}p{background:url(http://a/p.png)}</style>",
    "base": '<base href="http://a/dir/"><img src="rel.png"><img src="/abs.png"><a href="x">x</a>',
    "links": '<a href="http://a/1">1</a><area href="https://b/2"><form action="//c/3"></form><a href="mailto:x@d">m</a>',
    "entities": '<img src="http://a/p.gif?x=1&amp;y=2&copy;&#47;z"><img src="&#104;ttp://a/e.gif">',
    "shadow": "<title><img src=http://a/t.png></title><noframes><img src=http://a/n.png></noframes>",
    "conditional": '<!--[if gte mso 9]><v:background><v:fill src="http://a/c.png"/></v:background><![endif]-->',
    "hidden-ancestor": '<div style="display:none"><p><img src="http://a/h.png"></p></div><img src="http://a/v.png">',
    "data-cid": '<img src="data:image/gif;base64,R0lGOD"><img src="cid:x@y"><img src="file://h/s/x.png">',
    "full-page": (
        "<!DOCTYPE html><html><head><title>t</title><style>body{margin:0}</style></head>"
        '<body><p>Hello <a href="https://example.com/">link</a></p>'
        '<img src="https://t.example/o.gif?u=abc123" width="1" height="1" alt=""></body></html>'
    ),
}

# Minimized fuzz findings (fixed): a <style> whose raw text holds markup is read as
# CSS and as tags, and an edit for one reading must not break the other. Bytes, as
# libFuzzer wrote them.
REWRITE.update({
    "attr-quote-in-style": b'<style><img src=http:">url(http:g',
    "css-edit-reveals-tag": b'<style>url("file:<d")<image src=//">',
    "css-url-inside-attr": b'<style><image src=http:url(http:>',
    "import-glued-to-ident": b'<style>@import u"//3""http:<',
    "quoted-value-in-style": b'<style><img src="//\n\xff"URL(http:>',
})


def mime_message(headers, body):
    return "\r\n".join(headers) + "\r\n\r\n" + body


def mime_seeds():
    html = '<html><body><img src="http://t.example/p.gif"></body></html>'
    b64 = "PGh0bWw+PGJvZHk+PGltZyBzcmM9Imh0dHA6Ly90LmV4YW1wbGUvcC5naWYiPjwvYm9keT48L2h0bWw+"
    seeds = {
        "plain": mime_message(["From: a@example.org", "To: b@example.org", "Subject: hi"], "hello\r\n"),
        "html-qp": mime_message(
            ["From: a@example.org", "MIME-Version: 1.0", "Content-Type: text/html; charset=utf-8",
             "Content-Transfer-Encoding: quoted-printable"],
            '<img src=3D"http://t.example/p.gif?a=3D1&amp;b=3D2" width=3D"1">=\r\n caf=C3=A9\r\n'),
        "html-base64": mime_message(
            ["MIME-Version: 1.0", "Content-Type: text/html", "Content-Transfer-Encoding: base64"],
            b64[:40] + "\r\n" + b64[40:] + "\r\n"),
        "alternative": mime_message(
            ["MIME-Version: 1.0", 'Content-Type: multipart/alternative; boundary="b1"'],
            "preamble\r\n--b1\r\nContent-Type: text/plain\r\n\r\nhttp://x.example/\r\n"
            "--b1\r\nContent-Type: text/html; charset=iso-8859-1\r\n\r\n" + html + "\r\n--b1--\r\nepilogue\r\n"),
        "nested": mime_message(
            ["MIME-Version: 1.0", "Content-Type: multipart/mixed; boundary=outer"],
            "--outer\r\nContent-Type: multipart/related; boundary=inner\r\n\r\n"
            "--inner\r\nContent-Type: text/html\r\n\r\n" + html + "\r\n--inner\r\n"
            "Content-Type: image/gif\r\nContent-Transfer-Encoding: base64\r\nContent-ID: <x@y>\r\n\r\n"
            "R0lGODlhAQABAAAAACw=\r\n--inner--\r\n--outer\r\nContent-Type: message/rfc822\r\n\r\n"
            "Subject: inner\r\nContent-Type: text/html\r\n\r\n" + html + "\r\n--outer--\r\n"),
        "lf-only": "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=x\n\n--x\n"
                   "Content-Type: text/html\n\n" + html + "\n--x--\n",
        "unterminated": mime_message(
            ["Content-Type: multipart/mixed; boundary=never"],
            "--never\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64[:30]),
        "bad-encodings": mime_message(
            ["Content-Type: text/html; charset=utf-8", "Content-Transfer-Encoding: quoted-printable"],
            "=ZZ =4 =\r\n=3d=3D==\r\n" + "x" * 1100 + "\r\n"),
        "bad-base64": mime_message(
            ["Content-Type: text/html", "Content-Transfer-Encoding: BASE64"], "PGltZz4=!!==\r\nPG\r\n=\r\n"),
        "headers-2047": mime_message(
            ["From: =?utf-8?B?w6k=?= <a@example.org>, \"b, c\" <b@example.org>",
             "Subject: =?iso-8859-1?Q?caf=E9?= =?utf-8?q?_x?=",
             "Content-Type: text/plain;\r\n charset=\"utf-8\";\r\n\tformat=flowed",
             "Content-Disposition: attachment; filename*0*=utf-8''a%C3%A9; filename*1=.txt"],
            "body\r\n"),
        "utf16": mime_message(["Content-Type: text/html; charset=utf-16le"],
                              "<\x00i\x00m\x00g\x00>\x00"),
        "bom": "\ufeffContent-Type: text/plain\r\n\r\nx\r\n",
        "no-body": "Subject: only headers\r\n",
        "deep": mime_message(
            ["Content-Type: multipart/mixed; boundary=a"],
            "".join(f"--{c}\r\nContent-Type: multipart/mixed; boundary={chr(ord(c) + 1)}\r\n\r\n"
                    for c in "abcdefgh") + "--i\r\nContent-Type: text/html\r\n\r\n" + html + "\r\n"),
        "boundary-lookalike": mime_message(
            ["Content-Type: multipart/mixed; boundary=\"=_b\""],
            "--=_b\r\nContent-Type: text/plain\r\n\r\n--=_bx is not a boundary\r\n--=_b  \r\n"
            "Content-Type: text/html\r\n\r\n" + html + "\r\n--=_b--"),
    }
    return seeds


def all_seeds():
    return {
        "fuzz_html_tokenizer": TOKENIZER,
        "fuzz_css": CSS,
        "fuzz_html_rewrite": REWRITE,
        "fuzz_mime": mime_seeds(),
    }


def write(root):
    for target, seeds in all_seeds().items():
        folder = root / target
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.iterdir():
            old.unlink()
        ext = ".eml" if target == "fuzz_mime" else ".css" if target == "fuzz_css" else ".html"
        for name, text in seeds.items():
            (folder / (name + ext)).write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))


def check():
    with tempfile.TemporaryDirectory() as tmp:
        write(Path(tmp))
        bad = 0
        for target in all_seeds():
            cmp = filecmp.dircmp(Path(tmp) / target, HERE / target)
            for name in cmp.left_only + cmp.right_only + cmp.diff_files + cmp.funny_files:
                print(f"{target}/{name}: checked-in seed differs from gen_seeds.py's (rerun it)")
                bad += 1
            # dircmp compares shallowly (size and mtime); compare contents too.
            for name in cmp.same_files:
                if (Path(tmp) / target / name).read_bytes() != (HERE / target / name).read_bytes():
                    print(f"{target}/{name}: content differs")
                    bad += 1
        counts = ", ".join(f"{t}: {len(s)}" for t, s in all_seeds().items())
        print(f"seed corpora ({counts}): {'up to date' if bad == 0 else f'{bad} differences'}")
        return 0 if bad == 0 else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    if args.check:
        sys.exit(check())
    write(HERE)


if __name__ == "__main__":
    main()
