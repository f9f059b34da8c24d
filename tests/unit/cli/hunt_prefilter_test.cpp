#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "cli/hunt_prefilter.hpp"
#include "engine/inspect.hpp"
#include "ruleset/diff.hpp"
#include "ruleset/inventory.hpp"
#include "ruleset/ruleset.hpp"
#include "scan_test_support.hpp"

using pixelwarden::cli::HuntPrefilter;
namespace engine = pixelwarden::engine;
namespace ruleset = pixelwarden::ruleset;

namespace {

const std::string k_rules = R"(ruleset:
  name: prefilter-unit
  version: "1"
lists:
  lures:
    domains: [lure-news.example, "*.cdn-lure.example"]
  outlets:
    domains: [bbc.co.uk]
trackers:
  - id: pixels
    match:
      domain_in: [t.tracker.example]
    action: neutralize
lures:
  - id: lure-links
    match:
      domain_in: lures
      where: [envelope_from, header_from, links, resources]
    action: reject
  - id: lure-senders
    match:
      domain_in: lures
    action: reject
  - id: inline-lures
    match:
      domain_in: ["other-lure[.]example", " Third-Lure.Example. "]
      where: [links]
    action: quarantine
  - id: lookalike-links
    match:
      lookalike_of: outlets
      where: [links]
    action: quarantine
  - id: idn-lures
    match:
      domain_in: ["bücher.example"]
      where: [resources]
    action: quarantine
)";

std::shared_ptr<const ruleset::Ruleset> load(const scan_test::TempDir& dir, const std::string& name,
                                             const std::string& yaml) {
  ruleset::LoadOptions options;
  options.keep_entries = true;
  auto r = ruleset::load_ruleset(dir.write(name, yaml), options);
  for (const auto& e : r.errors) MESSAGE(e.to_string());
  REQUIRE(r.ruleset != nullptr);
  return r.ruleset;
}

struct Fixture {
  scan_test::TempDir dir;
  std::shared_ptr<const ruleset::Ruleset> rules;
  ruleset::Inventory inventory;

  Fixture() : rules(load(dir, "rules.yaml", k_rules)), inventory(ruleset::inventory(*rules)) {}

  std::unique_ptr<HuntPrefilter> prefilter(const std::vector<std::string>& ids) const {
    auto f = HuntPrefilter::build(inventory, ids);
    if (!f) MESSAGE(f.error());
    REQUIRE(f.ok());
    return std::move(f).value();
  }
};

std::string html_message(const std::string& html, const std::string& type = "text/html") {
  return "From: <news@safe.example>\nTo: <mp@parliament.example>\nSubject: s\n"
         "Message-ID: <1@safe.example>\nMIME-Version: 1.0\nContent-Type: " +
         type + "; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n" + html + "\n";
}

bool matched(const engine::Verdict& v, const std::string& rule) {
  for (const auto& l : v.lures) {
    if (l.rule == rule) return true;
  }
  return false;
}

// Ways to write "lure-news.example" that the engine still reads as that host.
const std::vector<std::string> k_disguised_hosts = {
    "lure-news.example",
    "LURE-NEWS.Example",
    "lure-news&period;example",
    "lure-news&#46;example",
    "lure&#x2d;news.example",
    "lure-ne&shy;ws.example",
    "lure-ne\nws.example",
    "lure-ne\r\nws.example",
    "lure-ne&Tab;ws.example",
    "lure-ne&NewLine;ws.example",
    "lure-news%2Eexample",
    "lure-news%2eexample",
    "lure-news\xEF\xBC\x8E"
    "example",  // U+FF0E FULLWIDTH FULL STOP
    "lure-news\xE3\x80\x82"
    "example",  // U+3002 IDEOGRAPHIC FULL STOP
    "\xEF\xBD\x8C"
    "ure-news.example",  // U+FF4C FULLWIDTH SMALL L
    "lure-n\xC2\xAD"
    "ews.example",  // U+00AD SOFT HYPHEN
    "lure-n\xE2\x80\x8D"
    "ews.example",               // U+200D ZERO WIDTH JOINER
    "lure-new\xC5\xBF.example",  // U+017F LATIN SMALL LETTER LONG S
    "x.cdn-lure.example",
};

}  // namespace

TEST_SUITE("cli::HuntPrefilter") {
  TEST_CASE("a part holding a hunted domain, in any spelling the engine reads, is let through") {
    const Fixture fx;
    const auto f = fx.prefilter({"lure-links"});
    CHECK(f->needs_body());
    CHECK(f->domain_count() == 2);
    for (const std::string& host : k_disguised_hosts) {
      for (const std::string& html :
           {"<img src=\"https://" + host + "/p.gif\" width=1 height=1>",
            "<a href=\"https://" + host + "/read\">read</a>",
            "<div style=\"background:url('https://" + host + "/b.png')\">x</div>"}) {
        CAPTURE(html);
        const std::string msg = html_message("<p>Hello &amp; welcome</p>" + html);
        const engine::Verdict full = engine::inspect(msg, {}, fx.rules);
        const engine::Verdict quick = engine::inspect(msg, {}, fx.rules, {}, f.get());
        // Where the engine reads the lure, the prefilter must not hide it.
        if (matched(full, "lure-links")) {
          CHECK(f->may_hold(html));
          CHECK(matched(quick, "lure-links"));
        }
      }
    }
    // The plain spellings are read by the engine, so the checks above were not vacuous.
    CHECK(matched(engine::inspect(html_message("<img src=\"https://lure-news&#46;example/p\">"), {},
                                  fx.rules),
                  "lure-links"));
    CHECK(matched(engine::inspect(html_message("<a href=\"https://lure-news%2Eexample/\">r</a>"),
                                  {}, fx.rules),
                  "lure-links"));
  }

  TEST_CASE("text/plain links are prefiltered the same way") {
    const Fixture fx;
    const auto f = fx.prefilter({"lure-links"});
    const std::string plain = "Read https://lure-news.example/story today\n";
    CHECK(f->may_hold(plain));
    const std::string msg = html_message(plain, "text/plain");
    CHECK(matched(engine::inspect(msg, {}, fx.rules, {}, f.get()), "lure-links"));
    CHECK_FALSE(f->may_hold("Read https://news.example/story today\n"));
    // A bare link ends at a line break; what follows the break is no part of its host
    // (found by fuzz_hunt_prefilter: joining across the break hid the domain).
    for (const std::string text :
         {"or www.lure-news.example\ne>", "see https://lure-news.example\r\nnext"}) {
      CAPTURE(text);
      CHECK(matched(engine::inspect(html_message(text, "text/plain"), {}, fx.rules), "lure-links"));
      CHECK(f->may_hold(text));
    }
    // So does a srcset URL: whitespace separates it from its descriptor.
    const std::string srcset = "<img srcset=\"https://lure-news.example\n2x\">";
    if (matched(engine::inspect(html_message(srcset), {}, fx.rules), "lure-links"))
      CHECK(f->may_hold(srcset));
  }

  TEST_CASE("a part without the domains, in ordinary newsletter markup, is skipped") {
    const Fixture fx;
    const auto f = fx.prefilter({"lure-links"});
    const std::string html =
        "<html><body>\r\n<p>Gr\xC3\xBC\xC3\x9F"
        "e \xE2\x80\x99quoted\xE2\x80\x99 &amp; &nbsp; "
        "&copy; 2024 &mdash; \xE4\xB8\xAD\xE6\x96\x87</p>\r\n"
        "<a href=\"https://shop.example/a?x=1&amp;utm=Spring%20Sale%3D%2F\">buy</a>\r\n"
        "<img src=\"https://t.tracker.example/o.gif?u=%40%3A\">\r\n</body></html>";
    CHECK_FALSE(f->may_hold(html));
    // The skipped part's resources are not in the quick verdict, only in the full one.
    const std::string msg = html_message(html);
    CHECK(engine::inspect(msg, {}, fx.rules, {}, f.get()).trackers.empty());
    CHECK_FALSE(engine::inspect(msg, {}, fx.rules).trackers.empty());
  }

  TEST_CASE("a hunted domain's bytes inside another host are not a hit") {
    const Fixture fx;
    const auto f = fx.prefilter({"lure-links"});
    for (const std::string host : {"notlure-news.example", "lure-news.example.evil.test",
                                   "lure-news.examples", "lure-news-example"}) {
      CAPTURE(host);
      const std::string html = "<img src=\"https://" + host + "/p.gif\">";
      CHECK_FALSE(f->may_hold(html));
      CHECK_FALSE(matched(engine::inspect(html_message(html), {}, fx.rules), "lure-links"));
    }
    // A subdomain, a trailing dot and a port are the domain.
    for (const std::string host :
         {"a.b.lure-news.example", "lure-news.example.", "LURE-news.example:443"}) {
      CAPTURE(host);
      const std::string html = "<img src=\"https://" + host + "/p.gif\">";
      CHECK(f->may_hold(html));
      CHECK(matched(engine::inspect(html_message(html), {}, fx.rules), "lure-links"));
    }
  }

  TEST_CASE("escapes that could spell a host let the part through") {
    const Fixture fx;
    const auto f = fx.prefilter({"lure-links"});
    CHECK(f->may_hold("<a href=\"https://x.example/\">&#108;</a>"));    // 'l'
    CHECK(f->may_hold("<a href=\"https://x.example/\">&period;</a>"));  // '.'
    CHECK(f->may_hold("<a href=\"https://x.example/%6C\">x</a>"));      // 'l'
    CHECK(f->may_hold("<a href=\"https://x.example/%2\nE\">x</a>"));   // '.' once the LF is deleted
    CHECK(f->may_hold("<a href=\"https://x.example/%C3%A9\">x</a>"));  // a UTF-8 byte
    CHECK(f->may_hold("<div style=\"background:url(https://x.example/\\6c)\">"));
    CHECK(f->may_hold("caf\xE9"));  // not UTF-8: may be read as windows-1252
    // An iframe's srcdoc is a document of its own: its references are decoded twice.
    const std::string srcdoc =
        "<iframe srcdoc=\"&lt;img src=&quot;https://lure-news&amp;period;example/p&quot;&gt;\">";
    CHECK(matched(engine::inspect(html_message(srcdoc), {}, fx.rules), "lure-links"));
    CHECK(f->may_hold(srcdoc));
    CHECK(f->may_hold("<IFRAME SrcDoc='&amp;x'>"));
    CHECK(f->may_hold("<iframe srcdoc='&amp;&#35;46;'>"));   // '#' and the '&' meet only inside
    CHECK_FALSE(f->may_hold("<iframe srcdoc='<p>x</p>'>"));  // nothing to decode a second time
    CHECK_FALSE(f->may_hold("<a href='?a=1&amp;b=2'>src doc</a>"));  // no srcdoc, one decoding
    // Harmless escapes do not.
    CHECK_FALSE(f->may_hold("<a href=\"https://x.example/?a=1&amp;b=%3D%2F%40\">&lt;&gt;</a>"));
    CHECK_FALSE(f->may_hold("&#8217; &#x2019; &#160; &# &#x;"));
  }

  TEST_CASE("code points IDNA turns into ASCII, nothing or a dot are risky; others are not") {
    const Fixture fx;
    const auto f = fx.prefilter({"lure-links"});
    for (std::uint32_t cp :
         {0xFF0EU, 0x3002U, 0xFF61U, 0xFF4CU, 0x00ADU, 0x200DU, 0x200CU, 0x212AU, 0x017FU}) {
      CAPTURE(cp);
      CHECK(f->risky_code_point(cp));
    }
    for (std::uint32_t cp : {0x00FCU, 0x00E9U, 0x2019U, 0x4E2DU, 0x0431U, 0x1F600U}) {
      CAPTURE(cp);
      CHECK_FALSE(f->risky_code_point(cp));
    }
  }

  TEST_CASE("random disguises of a hunted host: the prefilter never hides what the engine finds") {
    const Fixture fx;
    const auto f = fx.prefilter({"lure-links"});
    const std::vector<std::string> inserts = {
        "&shy;",        "\n",           "\t",           "\r\n",         "&Tab;",
        "&NewLine;",    "\xC2\xAD",     "\xE2\x80\x8B", "\xE2\x80\x8C", "\xE2\x80\x8D",
        "\xEF\xBB\xBF", "\xE2\x81\xA0", "&#173;",       "&#x200D;",     " ",
        "&amp;",        "%20",          "%0A",          "&nbsp;"};
    const std::vector<std::pair<char, std::vector<std::string>>> replacements = {
        {'.',
         {"&#46;", "&period;", "%2E", "%2\nE", "\xEF\xBC\x8E", "\xE3\x80\x82", "\xEF\xBD\xA1"}},
        {'l', {"&#108;", "&#x6C;", "%6C", "%\t6C", "\xEF\xBD\x8C", "L"}},
        {'e', {"&#101;", "%65", "\xEF\xBD\x85", "E"}},
        {'-', {"&#45;", "&hyphen;", "%2D", "\xEF\xBC\x8D"}},
        {'s', {"\xC5\xBF", "%73", "S"}},
    };
    const std::vector<std::pair<std::string, std::string>> contexts = {
        {"<img src=\"https://", "/p.gif\">"},
        {"<a href=\"https://", "/r\">r</a>"},
        {"<img srcset=\"https://", "/a.png 1x\">"},
        {"<p style=\"background-image:url(https://", "/b.png)\">x</p>"},
        {"<style>td{background:url(https://", "/c.png)}</style>"},
        {"<a href=\"//", "/\">x</a>"},
    };
    std::mt19937 rng(20261205);
    const auto pick = [&rng](std::size_t n) {
      return static_cast<std::size_t>(std::uniform_int_distribution<std::size_t>(0, n - 1)(rng));
    };
    int found = 0, skipped = 0;
    for (int round = 0; round < 3000; ++round) {
      std::string host;
      const std::string plain = round % 7 == 0 ? "x.cdn-lure.example" : "lure-news.example";
      for (char c : plain) {
        std::string piece(1, c);
        for (const auto& [from, to] : replacements) {
          if (c == from && pick(4) == 0) piece = to[pick(to.size())];
        }
        if (pick(6) == 0) piece += inserts[pick(inserts.size())];
        host += piece;
      }
      if (round % 5 == 0) host = "safe" + std::to_string(round) + ".example";  // no lure at all
      if (round % 11 == 0) host = "not" + host;   // the bytes, but not at a label boundary
      if (round % 13 == 0) host += ".evil.test";  // the bytes, but not at the end
      const std::vector<std::string> prefixes = {"", "", "www.", "a-b.", "user@", "x.y@", "X_Y."};
      const std::vector<std::string> suffixes = {"", "", ".", ":8443", ".:80"};
      host = prefixes[pick(prefixes.size())] + host + suffixes[pick(suffixes.size())];
      const auto& [before, after] = contexts[pick(contexts.size())];
      const std::string html = "<p>News &amp; more</p>" + before + host + after;
      const std::string msg = html_message(html);
      const bool full = matched(engine::inspect(msg, {}, fx.rules), "lure-links");
      const bool quick = matched(engine::inspect(msg, {}, fx.rules, {}, f.get()), "lure-links");
      if (full) {
        ++found;
        CAPTURE(html);
        CHECK(quick);
      }
      if (!f->may_hold(html)) ++skipped;
    }
    // Both branches were exercised: lures the engine read, and parts the filter skipped.
    CHECK(found > 500);
    CHECK(skipped > 200);
  }

  TEST_CASE("build() says why a hunt cannot be prefiltered") {
    const Fixture fx;
    for (const char* id : {"pixels", "lookalike-links", "idn-lures", "no-such-rule"}) {
      CAPTURE(id);
      auto f = HuntPrefilter::build(fx.inventory, {"lure-links", id});
      REQUIRE_FALSE(f.ok());
      CHECK(f.error().find(id) != std::string::npos);
    }
    CHECK_FALSE(HuntPrefilter::build(fx.inventory, {}).ok());
  }

  TEST_CASE("--new-since: a rule affected only by added entries looks for those only") {
    const Fixture fx;
    auto replace = [](std::string yaml, const std::string& from, const std::string& to) {
      yaml.replace(yaml.find(from), from.size(), to);
      return yaml;
    };
    const std::string added = replace(k_rules, "domains: [lure-news.example,",
                                      "domains: [fresh-lure.example, lure-news.example,");
    const auto newer = load(fx.dir, "added.yaml", added);
    const ruleset::RulesetDiff d = ruleset::diff(*fx.rules, *newer);
    REQUIRE(std::find(d.affected_rules.begin(), d.affected_rules.end(), "lure-links") !=
            d.affected_rules.end());
    auto f = HuntPrefilter::build(ruleset::inventory(*newer), {"lure-links"}, &d);
    REQUIRE(f.ok());
    CHECK(f.value()->domain_count() == 1);
    CHECK(f.value()->may_hold("<a href=\"https://fresh-lure.example/\">x</a>"));
    CHECK_FALSE(f.value()->may_hold("<a href=\"https://lure-news.example/\">x</a>"));
    // The same rule changed (here its places): every entry can newly match.
    const auto changed =
        load(fx.dir, "changed.yaml",
             replace(added, "where: [envelope_from, header_from, links, resources]",
                     "where: [envelope_from, header_from, reply_to, links, resources]"));
    const ruleset::RulesetDiff d2 = ruleset::diff(*fx.rules, *changed);
    auto g = HuntPrefilter::build(ruleset::inventory(*changed), {"lure-links"}, &d2);
    REQUIRE(g.ok());
    CHECK(g.value()->domain_count() == 3);
  }

  TEST_CASE("--new-since: a change to another list of the rule brings back every entry") {
    const scan_test::TempDir dir;
    const std::string rules = R"(ruleset: {name: since-unit, version: "1"}
lists:
  lures:
    domains: [lure.example, other.example]
  spared:
    domains: [safe.lure.example]
lures:
  - id: hunted
    match:
      domain_in: lures
      display_name: '(?i)news'
      unless_domain_in: spared
      where: [header_from, links]
    action: reject
)";
    const auto old_rules = load(dir, "old.yaml", rules);
    std::string yaml = rules;
    yaml.replace(yaml.find("[safe.lure.example]"), 19, "[keep.lure.example]");
    const auto new_rules = load(dir, "new.yaml", yaml);
    const ruleset::RulesetDiff d = ruleset::diff(*old_rules, *new_rules);
    auto f = HuntPrefilter::build(ruleset::inventory(*new_rules), {"hunted"}, &d);
    REQUIRE(f.ok());
    CHECK(f.value()->domain_count() == 2);
    CHECK(f.value()->may_hold("<a href=\"https://safe.lure.example/\">x</a>"));
  }

  TEST_CASE("rules that read only the envelope and headers need no body") {
    const Fixture fx;
    const auto f = fx.prefilter({"lure-senders"});
    CHECK_FALSE(f->needs_body());
    CHECK_FALSE(f->may_hold("<img src=\"https://lure-news.example/p.gif\">"));
    // The sender is still found: headers are always inspected.
    const std::string msg = "From: <news@lure-news.example>\nTo: <mp@parliament.example>\n"
                            "Subject: s\n\n<p>x</p>\n";
    CHECK(matched(engine::inspect(msg, {}, fx.rules, {}, f.get()), "lure-senders"));
    // An inline list is read from the rule itself.
    const auto g = fx.prefilter({"inline-lures"});
    CHECK(g->domain_count() == 2);
    CHECK(g->may_hold("<a href=\"https://other-lure.example/\">x</a>"));  // refanged
    CHECK(g->may_hold("<a href=\"https://third-lure.example/\">x</a>"));  // trimmed, lowercase
    CHECK_FALSE(g->may_hold("<a href=\"https://lure-news.example/\">x</a>"));
  }
}
