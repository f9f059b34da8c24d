"""The malformation classes of gen_mime.py: what real mail gets wrong and the walker
(milter/mime/walk.hpp) and decoders (milter/mime/codec.hpp) say they tolerate, plus a few
structures where pixelwarden and Python's email package knowingly disagree (listed, with
the reason, in the expected-differences file of the generated set).

CASES: class -> (description, build(rng, eol) -> (entity, tweak or None)); tweak edits the
written bytes (Lines) after the fact, e.g. to drop the final line break.
"""

import base64

from mime_build import (Leaf, Multi, Rfc822, b64_lines, content_type, encode_body, encode_text,
                        multi, text_leaf, text_lines)


def utf8_lines(rng, html=False):
    return encode_text(text_lines(rng, "utf-8", html), "utf-8", "lf")


def plain(rng, eol, cte="8bit"):
    return text_leaf(rng, cte, "utf-8", eol, False)


def html(rng, eol):
    return text_leaf(rng, "qp", "utf-8", eol, True)


def no_final_eol(out):
    out.strip_final_eol()


def raw_leaf(headers, body, blank=True):
    return Leaf([h.encode() for h in headers], body, blank)


def b64_leaf(rng, cte_value, data=None):
    data = data if data is not None else b"\n".join(utf8_lines(rng))
    return raw_leaf(["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: " + cte_value],
                    b64_lines(data, 76))


def truncated_base64(residue):
    """base64 cut mid-line so that the alphabet characters count `residue` mod 4."""
    def build(rng, eol):
        text = base64.b64encode(b"\n".join(utf8_lines(rng)) * 3).rstrip(b"=")
        cut = len(text) - 9
        while cut % 4 != residue:
            cut -= 1
        part = raw_leaf(["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64"],
                        [text[i:min(i + 76, cut)] for i in range(0, cut, 76)])
        return multi(rng, "mixed", [plain(rng, eol), part]), None
    return build


def cte_case(value):
    def build(rng, eol):
        return multi(rng, "mixed", [plain(rng, eol), b64_leaf(rng, value)]), None
    return build


def multipart_with(rng, eol, extra_part, **kw):
    return multi(rng, "mixed", [plain(rng, eol), extra_part, html(rng, eol)], **kw)


def boundary_in_preamble_epilogue(rng, eol):
    m = multi(rng, "alternative", [plain(rng, eol), html(rng, eol)])
    b = m.boundary
    m.preamble = [b"This is a multi-part message; its boundary --" + b + b" is named mid-line.",
                  b"--" + b + b"x is a longer look-alike, not a delimiter",
                  b"--" + b + b"-- followed by text is not a close delimiter either"]
    m.epilogue = [b"epilogue: everything after the close delimiter is skipped",
                  b"--" + b, b"not a part", b"--" + b + b"--"]
    return m, None


def very_long_lines(rng, eol):
    words = b" ".join(utf8_lines(rng))
    long_8bit = raw_leaf(["Content-Type: text/html; charset=utf-8", "Content-Transfer-Encoding: 8bit"],
                         [(b"<p>" + words + b"</p>") * (20000 // len(words) + 1)])
    long_b64 = raw_leaf(["Content-Type: application/octet-stream", "Content-Transfer-Encoding: base64"],
                        [base64.b64encode(bytes(rng.getrandbits(8) for _ in range(9000)))])
    long_qp = raw_leaf(["Content-Type: text/plain; charset=utf-8",
                        "Content-Transfer-Encoding: quoted-printable"],
                       [b"=C3=A9t=C3=A9 " * 300])
    m = multi(rng, "mixed", [long_8bit, long_b64, long_qp])
    m.headers.append(b"X-Long: " + b"x" * 2000)
    return m, None


def many_parts(n):
    def build(rng, eol):
        parts = [raw_leaf(["Content-Type: text/plain"], [b"part %d" % i]) for i in range(n)]
        return multi(rng, "mixed", parts), None
    return build


def bad_qp(lines):
    def build(rng, eol):
        return multi(rng, "mixed", [raw_leaf(["Content-Type: text/plain; charset=utf-8",
                                              "Content-Transfer-Encoding: quoted-printable"],
                                             lines)]), None
    return build


def charset_case(label, body, ctype="text/plain"):
    """A text part whose bytes are odd for (or not in) its charset."""
    def build(rng, eol):
        part = raw_leaf(["Content-Type: %s; charset=%s" % (ctype, label), "Content-Transfer-Encoding: base64"],
                        b64_lines(body, 76))
        return multi(rng, "mixed", [plain(rng, eol), part]), None
    return build


def top(headers, body, blank=True, tweak=None):
    return lambda rng, eol: (raw_leaf(headers, body, blank), tweak)


CASES = {
    # Delimiters
    "missing-final-boundary": ("multipart without its close delimiter",
        lambda r, e: (multi(r, "mixed", [plain(r, e), html(r, e)], close=False), None)),
    "missing-final-boundary-nested": ("inner multipart without close delimiter, outer goes on",
        lambda r, e: (multi(r, "mixed", [multi(r, "alternative", [plain(r, e), html(r, e)], 2, close=False),
                                         plain(r, e)]), None)),
    "missing-final-boundary-no-final-newline": ("no close delimiter and no line break at the end",
        lambda r, e: (multi(r, "mixed", [plain(r, e), b64_leaf(r, "base64")], close=False), no_final_eol)),
    "boundary-trailing-whitespace": ("delimiter lines with spaces and tabs after them",
        lambda r, e: (multi(r, "mixed", [plain(r, e), html(r, e)], suffix=b" \t "), None)),
    "boundary-in-preamble-epilogue": ("boundary text and look-alikes in preamble and epilogue",
        boundary_in_preamble_epilogue),
    "boundary-rfc2231": ("boundary given as RFC 2231 continuations",
        lambda r, e: (Multi([b'Content-Type: multipart/mixed; boundary*0="gen-"; boundary*1="2231"'],
                            b"gen-2231", [plain(r, e), html(r, e)]), None)),
    "boundary-70-chars": ("the longest boundary RFC 2046 allows",
        lambda r, e: (Multi([content_type("multipart/mixed", boundary="7" * 70)], b"7" * 70,
                            [plain(r, e), html(r, e)]), None)),
    "header-case": ("lowercase field name, uppercase type and parameter name",
        lambda r, e: (Multi([b"content-type: MULTIPART/Mixed; BOUNDARY=CaseB"], b"CaseB",
                            [plain(r, e), html(r, e)]), None)),
    "content-type-folded": ("Content-Type folded before its boundary parameter",
        lambda r, e: (Multi([b'Content-Type: multipart/mixed;', b'\tboundary="folded-b"'], b"folded-b",
                            [plain(r, e), html(r, e)]), None)),
    "multipart-without-boundary": ("multipart type without boundary parameter",
        top(["Content-Type: multipart/mixed"], [b"--x", b"", b"text"])),
    "boundary-never-occurs": ("multipart whose boundary never occurs",
        top(["Content-Type: multipart/mixed; boundary=zz"], [b"--yy", b"", b"text"])),
    "empty-multipart": ("multipart with only a close delimiter",
        lambda r, e: (multi(r, "mixed", []), None)),
    # Parts
    "part-without-headers": ("a part with no header, only the blank line",
        lambda r, e: (multipart_with(r, e, Leaf([], [b"no headers: text/plain us-ascii"])), None)),
    "part-without-headers-or-blank-line": ("a part whose first line is already body",
        lambda r, e: (multipart_with(r, e, Leaf([], [b"first line is body", b"second"], blank=False)), None)),
    "no-blank-line-after-headers": ("a part's headers run straight into its body",
        lambda r, e: (multipart_with(r, e, raw_leaf(["Content-Type: text/plain"],
                                                    [b"this line has no colon", b"more"], blank=False)), None)),
    "no-blank-line-after-top-headers": ("the message headers run straight into the body",
        top(["Content-Type: text/plain"], [b"this line has no colon", b"more"], blank=False)),
    "header-only-part": ("a part that is all header: no blank line, no body",
        lambda r, e: (multipart_with(r, e, raw_leaf(["Content-Type: text/plain"], [], blank=False)), None)),
    "header-only-last-part": ("the last part is all header, right before the close delimiter",
        lambda r, e: (multi(r, "mixed", [plain(r, e), raw_leaf(["Content-Type: text/html"], [], blank=False)]), None)),
    "empty-part": ("a part with headers and an empty body",
        lambda r, e: (multipart_with(r, e, raw_leaf(["Content-Type: text/plain"], [])), None)),
    "consecutive-delimiters": ("two delimiter lines in a row: an empty part without headers",
        lambda r, e: (multipart_with(r, e, Leaf([], [], blank=False)), None)),
    "duplicate-content-type": ("two Content-Type fields on the message: the first wins",
        top(["Content-Type: text/html; charset=utf-8", "Content-Type: multipart/mixed; boundary=dup"],
            [b"--dup", b"", b"<p>not a part</p>", b"--dup--"])),
    "duplicate-content-type-part": ("two Content-Type fields on a part",
        lambda r, e: (multipart_with(r, e, raw_leaf(["Content-Type: text/plain", "Content-Type: text/html"],
                                                    [b"<p>x</p>"])), None)),
    "invalid-content-type": ("a Content-Type that is not type/subtype",
        lambda r, e: (multipart_with(r, e, raw_leaf(["Content-Type: garbage"], [b"text"])), None)),
    "content-type-no-semicolon": ("a parameter without ';' after the type",
        lambda r, e: (multipart_with(r, e, raw_leaf(["Content-Type: text/plain charset=utf-8"], [b"text"])), None)),
    "obsolete-header-colon": ("whitespace before a field's colon (RFC 5322 obsolete syntax)",
        lambda r, e: (multipart_with(r, e, raw_leaf(["Content-Type : text/html"], [b"<p>x</p>"])), None)),
    "8bit-header-values": ("raw UTF-8 in a part's Subject and file name",
        lambda r, e: (multipart_with(r, e, raw_leaf(
            ['Content-Type: text/plain; name="résumé.txt"', "Subject: Grüße"],
            [b"text"])), None)),
    "nul-bytes": ("NUL and other control bytes in an 8bit and a binary part",
        lambda r, e: (multi(r, "mixed", [
            raw_leaf(["Content-Type: text/plain", "Content-Transfer-Encoding: 8bit"], [b"a\x00b\x01c\x7f"]),
            raw_leaf(["Content-Type: application/octet-stream", "Content-Transfer-Encoding: binary"],
                     [bytes(range(0x0e, 0x100))])]), None)),
    "bare-cr-in-body": ("bare CR bytes inside an 8bit and a binary part",
        lambda r, e: (multi(r, "mixed", [
            raw_leaf(["Content-Type: text/plain", "Content-Transfer-Encoding: 8bit"], [b"a\rb\rc\r"]),
            raw_leaf(["Content-Type: application/octet-stream", "Content-Transfer-Encoding: binary"],
                     [b"\r\x00\r\r", b"x\ry"])]), None)),
    "bare-cr-before-delimiter": ("a delimiter that follows a bare CR, not a line break",
        lambda r, e: (Multi([b"Content-Type: multipart/mixed; boundary=cr"], b"cr",
                            [raw_leaf(["Content-Type: text/plain"], [b"one\r--cr\rtwo"]), html(r, e)]), None)),
    # Content-Transfer-Encoding
    "cte-uppercase": ("CTE value in capitals", cte_case("BASE64")),
    "cte-empty": ("empty CTE value: 7bit", cte_case("")),
    "cte-comment": ("CTE value with a trailing comment", cte_case("base64 (encoded)")),
    "cte-quoted": ("CTE value in quotes", cte_case('"base64"')),
    "cte-trailing-space": ("CTE value with trailing whitespace", cte_case("base64 ")),
    "cte-unknown-base-64": ("a misspelt CTE ('base-64'): unknown, identity", cte_case("base-64")),
    "truncated-base64-r1": ("base64 cut to 1 mod 4 characters", truncated_base64(1)),
    "truncated-base64-r2": ("base64 cut to 2 mod 4 characters", truncated_base64(2)),
    "truncated-base64-r3": ("base64 cut to 3 mod 4 characters", truncated_base64(3)),
    "truncated-base64-eof": ("base64 cut mid-quantum (3 mod 4) at the end of the message, no close delimiter",
        lambda r, e: (multi(r, "mixed", [plain(r, e), raw_leaf(["Content-Transfer-Encoding: base64"],
                      b64_lines(b"x" * 300, 76)[:-1] + [b"eHh4eHh4eHh"])], close=False), no_final_eol)),
    "base64-garbage": ("base64 with characters outside the alphabet",
        lambda r, e: (multi(r, "mixed", [raw_leaf(["Content-Transfer-Encoding: base64"],
                      [l[:10] + b"!*" + l[10:] for l in b64_lines(b"y" * 200, 76)])]), None)),
    "qp-soft-break-padding": ("QP soft break followed by transport whitespace",
        bad_qp([b"soft break with spaces after it=  ", b"next line"])),
    "qp-bad-escapes": ("QP with escapes that are not two hex digits",
        bad_qp([b"=4 =G1 =zz = alone", b"end"])),
    # Charsets (compared after conversion to UTF-8 by both sides)
    "charset-invalid-utf-8": ("utf-8 label on bytes that are not UTF-8",
        charset_case("utf-8", b"caf\xe9 \xff\xfe \xe2\x82")),
    "charset-windows-1252-undefined": ("windows-1252 bytes the code page leaves undefined",
        charset_case("windows-1252", b"a\x81b\x8dc\x8fd\x90e\x9d")),
    "charset-utf-16-odd-length": ("utf-16le with an odd number of bytes",
        charset_case("utf-16le", "<p>odd</p>".encode("utf-16-le") + b"x")),
    "charset-utf-16-lone-surrogate": ("utf-16be with a high surrogate and no low one",
        charset_case("utf-16be", "<p>".encode("utf-16-be") + b"\xd8\x3d" + "x</p>".encode("utf-16-be"))),
    "charset-bom-over-label": ("a UTF-16LE byte order mark under an iso-8859-1 label",
        charset_case("iso-8859-1", b"\xff\xfe" + "<p>BOM wins</p>".encode("utf-16-le"), "text/html")),
    "charset-utf-8-bom": ("UTF-8 text with a byte order mark",
        charset_case("utf-8", b"\xef\xbb\xbf<p>caf\xc3\xa9</p>", "text/html")),
    "charset-label-case-quotes": ("charset label in capitals and quotes",
        charset_case('"UTF-16BE"', "<p>quoted</p>".encode("utf-16-be"), "text/html")),
    "charset-utf-7": ("utf-7 text",
        charset_case("utf-7", "<p>a=b &amp; \u00e9\u65e5</p>".encode("utf-7"), "text/html")),
    "charset-iso-2022-jp-unterminated": ("iso-2022-jp that ends in JIS X 0208 mode",
        charset_case("iso-2022-jp", b"abc \x1b$B$3$s\x1b(B def \x1b$BF|K\\")),
    "charset-shift_jis-ascii-range": ("shift_jis bytes 0x5C and 0x7E and a double-byte pair",
        charset_case("shift_jis", b"C:\\path ~tilde \x82\xa0")),
    "charset-gbk-under-gb2312": ("a GBK-only character under a gb2312 label",
        charset_case("gb2312", "你好镕".encode("gbk"))),
    "charset-koi8-u-under-koi8-r": ("KOI8-U letters under a koi8-r label",
        charset_case("koi8-r", "їжак ґанок".encode("koi8_u"))),
    # Ends of messages
    "no-final-newline-single": ("single part whose body has no final line break",
        top(["Content-Type: text/plain"], [b"no newline at the end"], tweak=no_final_eol)),
    "no-final-newline-multipart": ("close delimiter without line break at the end",
        lambda r, e: (multi(r, "mixed", [plain(r, e), html(r, e)]), no_final_eol)),
    "header-only-message": ("a message with headers and no body",
        top(["Content-Type: text/plain"], [], blank=False)),
    # message/*
    "message-rfc822-base64": ("a base64-encoded message/rfc822 part",
        lambda r, e: (multi(r, "mixed", [plain(r, e), raw_leaf(
            ["Content-Type: message/rfc822", "Content-Transfer-Encoding: base64"],
            b64_lines(b"Subject: inner\r\n\r\nhello\r\n", 76))]), None)),
    "message-delivery-status": ("a multipart/report with a message/delivery-status part",
        lambda r, e: (multi(r, "report", [plain(r, e), raw_leaf(
            ["Content-Type: message/delivery-status"],
            [b"Reporting-MTA: dns; mx.example.net", b"", b"Final-Recipient: rfc822; a@example.org",
             b"Action: failed", b"Status: 5.1.1"])]), None)),
    "message-rfc822-without-blank-line": ("an attached message that is all header",
        lambda r, e: (multi(r, "mixed", [plain(r, e), Rfc822([b"Content-Type: message/rfc822"],
                                                          raw_leaf(["Subject: only headers"], [], blank=False))]), None)),
    # Limits
    "parts-at-limit": ("1999 parts plus the container: the walker's 2000-part limit", many_parts(1999)),
    "parts-beyond-limit": ("2000 parts plus the container: one over the limit", many_parts(2000)),
}
