// scan_body's reading of text parts in charsets that can hide markup: decoded as a
// browser decodes (U+FFFD, never the raw bytes after a failure), and labels browsers do
// not know read the way browsers render them.
#include "engine/body.hpp"

#include <doctest/doctest.h>

#include "engine/inspect.hpp"
#include "engine_test_support.hpp"
#include "mime/header.hpp"
#include "mime/walk.hpp"

using namespace pixelwarden;
using test::load_inline;

namespace {

const std::string k_rules = R"(ruleset: {name: unit, version: "1"}
lists:
  trackers: {domains: [t.tracker.example]}
trackers:
  - id: known-trackers
    match: {domain_in: trackers}
    action: neutralize
)";

const std::string k_pixel = "<html><img src=\"https://t.tracker.example/p.gif\"></html>";

std::string message(const std::string& charset, const std::string& html_bytes,
                    const std::string& cte = "8bit") {
  return "From: a@shop.example\r\nMIME-Version: 1.0\r\nContent-Type: text/html; charset=" +
         charset + "\r\nContent-Transfer-Encoding: " + cte + "\r\n\r\n" + html_bytes;
}

std::string utf16le(const std::string& ascii) {
  std::string out;
  for (char c : ascii) {
    out += c;
    out += '\0';
  }
  return out;
}

// cp037 (EBCDIC) of the printable ASCII used in k_pixel
std::string cp037(const std::string& ascii) {
  const std::string from = "<>/=\". :abcdefghijklmnopqrstuvwxyz";
  const std::string to = "\x4C\x6E\x61\x7E\x7F\x4B\x40\x7A"
                         "\x81\x82\x83\x84\x85\x86\x87\x88\x89\x91\x92\x93\x94\x95\x96\x97\x98\x99"
                         "\xA2\xA3\xA4\xA5\xA6\xA7\xA8\xA9";
  std::string out;
  for (char c : ascii) out += to[from.find(c)];
  return out;
}

engine::Verdict run(const std::string& msg) {
  static auto rules = load_inline(k_rules);
  engine::Envelope e;
  e.mail_from = "a@shop.example";
  e.rcpt = {"r@x.example"};
  return engine::inspect(msg, e, rules);
}

}  // namespace

TEST_SUITE("engine::scan_body charsets") {
  TEST_CASE(
      "UTF-16LE HTML with one stray trailing byte: the pixel is still found and neutralized") {
    const std::string msg = message("utf-16le", utf16le(k_pixel) + "\x41");
    const auto v = run(msg);
    REQUIRE(v.trackers.size() == 1);
    REQUIRE(v.new_body.has_value());
    CHECK(v.new_body->find(utf16le("https://t.tracker.example")) == std::string::npos);
  }

  TEST_CASE("a BOM-marked UTF-16 part with an unpaired surrogate before the pixel") {
    const std::string msg =
        message("utf-16", "\xFF\xFE" + std::string("\x00\xD8", 2) + utf16le(k_pixel));
    const auto v = run(msg);
    CHECK(v.trackers.size() == 1);
    CHECK(v.new_body.has_value());
  }

  TEST_CASE("ASCII HTML labelled ibm-1047 or cp037 is read as browsers render it: bytes") {
    for (const char* label : {"ibm-1047", "cp037", "utf-32le"}) {
      CAPTURE(label);
      const std::string msg = message(label, k_pixel);
      const auto v = run(msg);
      REQUIRE(v.trackers.size() == 1);
      REQUIRE(v.new_body.has_value());
      CHECK(v.new_body->find("t.tracker.example") == std::string::npos);
    }
  }

  TEST_CASE("real EBCDIC HTML labelled cp037 is decoded, the pixel neutralized in EBCDIC") {
    const std::string msg = message("cp037", cp037(k_pixel));
    const auto v = run(msg);
    REQUIRE(v.trackers.size() == 1);
    REQUIRE(v.new_body.has_value());
    CHECK(v.new_body->find(cp037("t.tracker.example")) == std::string::npos);
    CHECK(v.new_body->find(cp037("<html>")) != std::string::npos);  // still EBCDIC
  }

  TEST_CASE("a part whose bytes and decoded readings both hold resources is malformed") {
    // "utf7" is UTF-7 to ICU but no label browsers know: they render the bytes (one
    // pixel), a client that decodes the label sees a second one. Only one reading can be
    // rewritten, so the message goes to the malformed policy (default: held).
    const std::string both = "<img src=\"https://t.tracker.example/a.gif\">"
                             "+ADw-img src+AD0AIg-https://t.tracker.example/b.gif+ACIAPg-";
    const auto v = run(message("utf7", both, "7bit"));
    CHECK(v.skipped == engine::SkipReason::malformed_mime);
    CHECK(v.action == engine::Action::quarantine);
    // One reading alone is not ambiguous: the ASCII bytes labelled ibm-1047 above, or
    // the same part without its encoded second image.
    const auto one = run(message("utf7", "<img src=\"https://t.tracker.example/a.gif\">", "7bit"));
    CHECK_FALSE(one.skipped.has_value());
    CHECK(one.action != engine::Action::quarantine);
  }

  TEST_CASE("a rewrite that would leave the other reading fetching something is not made") {
    // The bytes show one pixel; the UTF-7 reading shows it too and, in a shifted run, the
    // same URL once more. Compared as sets the readings agree, but neutralizing the bytes'
    // pixel leaves the shifted one to a client that decodes the label. The part is left as
    // it was and the message goes to the malformed policy (default: held), as for a part
    // that cannot be rewritten in its place.
    const std::string pixel = "<img src=\"https://t.tracker.example/a.gif\">";
    const std::string shifted = "+ADw-img src+AD0AIg-https://t.tracker.example/a.gif+ACIAPg-";
    const auto v = run(message("utf7", pixel + shifted, "7bit"));
    CHECK(v.skipped == engine::SkipReason::malformed_mime);
    CHECK(v.action == engine::Action::quarantine);
    CHECK_FALSE(v.new_body.has_value());  // the only part, left as it was
    // Without the shifted copy the readings still agree once rewritten.
    const auto one = run(message("utf7", pixel + " +ADw-b+AD4-bold", "7bit"));
    CHECK_FALSE(one.skipped.has_value());
    REQUIRE(one.new_body.has_value());
    CHECK(one.new_body->find("t.tracker.example") == std::string::npos);
  }

  TEST_CASE("plain UTF-16 without faults keeps its own encoding when rewritten") {
    const std::string msg = message("utf-16le", utf16le(k_pixel));
    const auto v = run(msg);
    REQUIRE(v.new_body.has_value());
    CHECK(v.new_body->find(utf16le("<html>")) != std::string::npos);
  }
}

TEST_SUITE("engine::scan_body AMP for Email") {
  TEST_CASE("a text/x-amp-html alternative is read with its components and rewritten") {
    const std::string msg = "From: a@shop.example\r\nMIME-Version: 1.0\r\nContent-Type: "
                            "multipart/alternative; boundary=b\r\n\r\n"
                            "--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n"
                            "--b\r\nContent-Type: text/x-amp-html; charset=utf-8\r\n\r\n"
                            "<!doctype html><html \xE2\x9A\xA1\x34\x65mail><body><amp-img "
                            "src=\"https://t.tracker.example/o.gif\" "
                            "width=1 height=1></amp-img><amp-list "
                            "src=\"https://api.shop.example/l.json\"></amp-list></body></html>\r\n"
                            "--b\r\nContent-Type: text/html\r\n\r\n<p>hi</p>\r\n--b--\r\n";
    const auto v = run(msg);
    REQUIRE(v.trackers.size() == 1);
    CHECK(v.trackers[0].vector == "img");
    CHECK(v.trackers[0].part == "2");
    REQUIRE(v.new_body.has_value());
    CHECK(v.new_body->find("https://t.tracker.example") == std::string::npos);
    CHECK(v.new_body->find("<amp-img src=\"data:image/gif;base64,") != std::string::npos);
    CHECK(v.new_body->find("<p>hi</p>") != std::string::npos);
  }
  TEST_CASE("amp- elements in a text/html part are not read") {
    const auto v =
        run(message("utf-8", "<amp-img src=\"https://t.tracker.example/o.gif\"></amp-img>"));
    CHECK(v.trackers.empty());
  }
}

TEST_SUITE("engine::scan_body style blocks") {
  const std::string k_invisible_rules = R"(ruleset: {name: unit, version: "1"}
trackers:
  - id: invisible-image
    match: {invisible: true}
    action: neutralize
)";

  engine::Verdict run_invisible(const std::string& html) {
    static auto rules = load_inline(k_invisible_rules);
    engine::Envelope e;
    e.mail_from = "a@shop.example";
    e.rcpt = {"r@x.example"};
    return engine::inspect(message("utf-8", html), e, rules);
  }

  TEST_CASE("a pixel sized by a class rule is neutralized; a visible image by class is not") {
    engine::Verdict v = run_invisible(
        "<html><head><style>.p{width:1px;height:1px} .hero{width:600px;height:300px}</style></head>"
        "<body><img class=hero src=\"https://cdn.shop.example/hero.jpg\" width=600 height=300>"
        "<img class=p src=\"https://open.unknown.example/o.gif\"></body></html>");
    REQUIRE(v.trackers.size() == 1);
    CHECK(v.trackers[0].rule == "invisible-image");
    CHECK(v.trackers[0].url == "https://open.unknown.example/o.gif");
    REQUIRE(v.new_body.has_value());
    CHECK(v.new_body->find("https://cdn.shop.example/hero.jpg") != std::string::npos);
    CHECK(v.new_body->find("https://open.unknown.example/o.gif") == std::string::npos);
    CHECK(v.style_capped == 0);
  }

  TEST_CASE("selectors over the cap are counted in the verdict") {
    std::string css;
    for (int i = 0; i < 10005; ++i)
      css.append(".k").append(std::to_string(i)).append("{width:1px}");
    engine::Verdict v =
        run_invisible("<style>" + css + "</style><img src=\"https://a.example/x.png\">");
    CHECK(v.style_capped == 5);
    CHECK(v.trackers.empty());
  }
}

// A rewrite changes the bytes of the edited URLs and nothing else, and the rewritten
// message is read again with the same parts: no line becomes a delimiter of an enclosing
// multipart, no body line becomes a header line.
namespace {

const std::string k_strip_rules = R"(ruleset: {name: unit, version: "1"}
lists:
  trackers: {domains: [t.tracker.example]}
trackers:
  - id: known-trackers
    match: {domain_in: trackers}
    action: strip
report:
  banner: {text: 'Note: {count} trackers removed'}
)";

const std::string k_url = "https://t.tracker.example/p.gif";

engine::Verdict run_with(const std::shared_ptr<const ruleset::Ruleset>& rules,
                         const std::string& msg) {
  engine::Envelope e;
  e.mail_from = "a@shop.example";
  e.rcpt = {"r@x.example"};
  return engine::inspect(msg, e, rules);
}

// One line per part of the message as the walker reads it again.
std::string shape(std::string_view message) {
  const mime::MessageSplit split = mime::split_message(message);
  const mime::WalkResult w = mime::walk(split.header_block, split.body);
  std::string out;
  for (const auto& p : w.parts) {
    out += p.path + " " + p.content_type.type + "/" + p.content_type.subtype + "\n";
  }
  return out;
}

// The message after the verdict: headers as they came, then the new body.
std::string rewritten(const std::string& msg, const engine::Verdict& v) {
  return engine::apply_verdict(msg, v);
}

// The rewritten message, checked to have been rewritten, to read with the same parts as
// the original, and to hold no tracker URL.
std::string rewritten_in_place(const std::string& msg, const engine::Verdict& v) {
  REQUIRE(v.new_body.has_value());
  std::string out = rewritten(msg, v);
  CHECK(shape(out) == shape(msg));
  CHECK(out.find("t.tracker.example") == std::string::npos);
  return out;
}

// A multipart/mixed message with the given boundary; `parts` starts with its first
// delimiter line.
std::string mixed(const std::string& boundary, const std::string& parts) {
  return "From: a@shop.example\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=" +
         boundary + "\r\n\r\n" + parts;
}

// The message through k_strip_rules (strip, with a text banner).
engine::Verdict run_strip(const std::string& msg) {
  static auto strip = load_inline(k_strip_rules);
  return run_with(strip, msg);
}

}  // namespace

TEST_SUITE("engine::rewrite_body keeps the bytes and the structure") {
  TEST_CASE("UTF-16LE with an unpaired surrogate before the pixel: only the URL's bytes change") {
    // A lead surrogate without its trail is read as U+FFFD and reading goes on; converting
    // the whole text back would write U+FFFD there, the splice keeps the sender's bytes.
    const std::string before =
        utf16le("<html><p>caf") + std::string("\xE9\x00\x00\xD8", 4) + utf16le("</p><img src=\"");
    const std::string after = utf16le("\"></html>");
    const std::string msg = message("utf-16le", before + utf16le(k_url) + after);
    const auto v = run(msg);
    REQUIRE(v.trackers.size() == 1);
    REQUIRE(v.new_body.has_value());
    const std::string& body = *v.new_body;
    CHECK(body.find(utf16le("t.tracker.example")) == std::string::npos);
    CHECK(body.substr(0, before.size()) == before);
    CHECK(body.substr(body.size() - after.size()) == after);
    CHECK(body.find(utf16le("data:image/gif;base64,")) == before.size());
  }

  TEST_CASE("UTF-7 with a control byte and a shifted letter: only the URL's bytes change") {
    // \x1d is not UTF-7 (read as U+FFFD); "+AOk-" is an e-acute. Converting the whole text
    // back would write them as "+//0-" and perhaps another shift: the splice keeps both.
    const std::string before = "<html><p>x\x1dy caf+AOk-</p><img src=\"";
    const std::string after = "\"></html>\r\n";
    const std::string msg = message("utf-7", before + k_url + after, "7bit");
    const auto v = run(msg);
    REQUIRE(v.trackers.size() == 1);
    REQUIRE(v.new_body.has_value());
    const std::string& body = *v.new_body;
    CHECK(body.find("t.tracker.example") == std::string::npos);
    CHECK(body.substr(0, before.size()) == before);
    CHECK(body.substr(body.size() - after.size()) == after);
  }

  TEST_CASE("a QP line rewritten afresh never starts with the enclosing boundary") {
    // The sender wrote "--b" as =2D=2Db in the same encoded line as the pixel: the line is
    // encoded afresh, and a literal "--b" there would end the part early.
    const std::string msg = mixed(
        "b", "--b\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: quoted-printable"
             "\r\n\r\n<img src=3D\"" +
                 k_url +
                 "\">=0D=0A=2D=2Db=0D=0AContent-Type: text/html=0D=0A=0D=0A<p>x</p>\r\n--b--\r\n");
    const auto v = run(msg);
    REQUIRE(v.trackers.size() == 1);
    const std::string out = rewritten_in_place(msg, v);
    CHECK(out.find("\n=2D-b\r\n") != std::string::npos);
  }

  TEST_CASE("a stripped element that would leave a delimiter line is neutralized instead") {
    const std::string msg =
        mixed("b", "--b\r\nContent-Type: text/html\r\n\r\n<p>x</p>\r\n--b<img src=\"" + k_url +
                       "\">\r\nContent-Type: text/html\r\n\r\n<p>y</p>\r\n--b--\r\n");
    const auto v = run_strip(msg);
    REQUIRE(v.trackers.size() == 1);
    const std::string out = rewritten_in_place(msg, v);
    CHECK(out.find("--b<img src=\"data:") != std::string::npos);
    CHECK_FALSE(v.skipped.has_value());
  }

  TEST_CASE("a stripped element at the top of a body without a blank line keeps the split") {
    // The header section ended at the first line that is no header; after the strip, that
    // line reads as a header field: a blank line now keeps it in the body.
    const std::string msg = "From: a@shop.example\r\nContent-Type: text/html\r\n<img src=\"" +
                            k_url + "\">X-Note: hi\r\n<p>x</p>\r\n";
    const auto v = run_strip(msg);
    REQUIRE(v.trackers.size() == 1);
    REQUIRE(v.new_body.has_value());
    CHECK(*v.new_body == "\r\nX-Note: hi\r\n<p>x</p>\r\n");
    const std::string out = rewritten(msg, v);
    CHECK(mime::split_message(out).body.substr(0, 10) == "X-Note: hi");
  }

  TEST_CASE("a text banner atop a part without headers does not become its header") {
    // A part with no header lines is text/plain: the banner "Note: ..." would be read as
    // its header field; a blank line first keeps it in the body.
    const std::string msg =
        mixed("b", "--b\r\nhello\r\n--b\r\nContent-Type: text/html\r\n\r\n<img src=\"" + k_url +
                       "\">\r\n--b--\r\n");
    const auto v = run_strip(msg);
    REQUIRE(v.trackers.size() == 1);
    const std::string out = rewritten_in_place(msg, v);
    CHECK(out.find("--b\r\n\r\nNote: 1 trackers removed\r\n\r\nhello") != std::string::npos);
  }

  TEST_CASE("a part no rewrite can keep in its place makes the message malformed") {
    // UTF-7 with the whole URL in one shifted run: the edit cannot be spliced into the
    // run, and converting the part back writes the shifted "--b" line as a delimiter. The
    // second part's pixel is neutralized all the same, and the message is held.
    const std::string msg =
        "From: a@shop.example\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b"
        "\r\nDisposition-Notification-To: a@shop.example\r\n\r\n--b\r\n"
        "Content-Type: text/html; charset=utf-7\r\n\r\n<img src="
        "+ACIAaAB0AHQAcABzADoALwAvAHQALgB0AHIAYQBjAGsAZQByAC4AZQB4AGEAbQBwAGwAZQAvAHAALgBnAGkAZgAi-"
        ">"
        "\r\n+AC0ALQBi-\r\n<p>x</p>\r\n--b\r\nContent-Type: text/html\r\n\r\n<img src=\"" +
        k_url + "\">\r\n--b--\r\n";
    const auto v = run(msg);
    REQUIRE(v.trackers.size() == 2);
    CHECK(v.trackers[0].part == "1");
    CHECK(v.trackers[0].monitor);  // left as it was: reported, not acted on
    CHECK_FALSE(v.trackers[1].monitor);
    CHECK(v.skipped == engine::SkipReason::malformed_mime);
    CHECK(v.action == engine::Action::quarantine);
    REQUIRE(v.new_body.has_value());
    const std::string out = rewritten(msg, v);
    CHECK(shape(out) == shape(msg));
    CHECK(out.find("+AC0ALQBi-") != std::string::npos);           // part 1 as it was
    CHECK(out.find("<img src=\"" + k_url) == std::string::npos);  // part 2 neutralized

    // With malformed_mime: pass the message is delivered unchanged, trackers reported.
    static auto pass = load_inline(k_rules + "malformed_mime: pass\n");
    const auto p = run_with(pass, msg);
    CHECK(p.skipped == engine::SkipReason::malformed_mime);
    CHECK(p.action != engine::Action::quarantine);
    CHECK_FALSE(p.new_body.has_value());
    for (const auto& t : p.trackers) CHECK(t.monitor);
  }

  TEST_CASE("a banner that cannot be placed is left out, the rest is rewritten") {
    // The text banner at the top of a UTF-7 part would land in a shifted run; converting
    // the part back writes its shifted "--B" as a delimiter. Without the banner, the
    // part stays as it was and the HTML part's pixel is neutralized.
    const std::string msg =
        mixed("B", "--B\r\nContent-Type: text/plain; charset=utf-7\r\n\r\n+AC0ALQBC-\r\nhello\r\n"
                   "--B\r\nContent-Type: text/html\r\n\r\n<p>x</p><img src=\"" +
                       k_url + "\">\r\n--B--\r\n");
    const auto v = run_strip(msg);
    REQUIRE(v.trackers.size() == 1);
    CHECK_FALSE(v.skipped.has_value());
    const std::string out = rewritten_in_place(msg, v);
    CHECK(out.find("+AC0ALQBC-\r\nhello") != std::string::npos);
  }

  TEST_CASE("a text banner starting \"From \" atop a part without headers stays in its body") {
    const std::string msg =
        mixed("b", "--b\r\nhello\r\n--b\r\nContent-Type: text/html\r\n\r\n<img src=\"" + k_url +
                       "\">\r\n--b--\r\n");
    static auto from =
        load_inline(k_rules + "report:\n  banner: {text: 'From the filter: {count}'}\n");
    const auto v = run_with(from, msg);
    REQUIRE(v.new_body.has_value());
    CHECK(v.new_body->find("--b\r\n\r\nFrom the filter: 1\r\n\r\nhello") != std::string::npos);
  }

  TEST_CASE("a text banner goes after a byte order mark") {
    const std::string msg =
        mixed("B", "--B\r\nContent-Type: text/plain; charset=utf-16le\r\n"
                   "Content-Transfer-Encoding: 8bit\r\n\r\n\xFF\xFE" +
                       utf16le("hello") + "\r\n--B\r\nContent-Type: text/html\r\n\r\n<img src=\"" +
                       k_url + "\">\r\n--B--\r\n");
    const auto v = run_strip(msg);
    REQUIRE(v.new_body.has_value());
    CHECK(v.new_body->find("\xFF\xFE" + utf16le("Note: 1 trackers removed")) != std::string::npos);
  }

  TEST_CASE("a UTF-7 unpaired surrogate does not hide the part's markup") {
    // "+2D0-" is a lone high surrogate: it reads as U+FFFD, and the rest of the part is
    // still read as UTF-7 (it was read as raw bytes, the shifted pixel unseen).
    const std::string msg = message(
        "utf-7",
        "+ADwAaQBtAGcAIABzAHIAYwA9ACI-https://t.tracker.example/p.gif+ACIAPg-\r\nx+2D0-y\r\n",
        "7bit");
    const auto v = run(msg);
    REQUIRE(v.trackers.size() == 1);
    REQUIRE(v.new_body.has_value());
    CHECK(v.new_body->find("t.tracker.example") == std::string::npos);
  }
}
