#include "url/url.hpp"

#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

using namespace pixelwarden::url;

namespace {

bool same_url(const std::optional<Url>& a, const std::optional<Url>& b) {
  if (!a || !b) return a.has_value() == b.has_value();
  return a->scheme == b->scheme && a->host == b->host && a->port == b->port && a->path == b->path &&
         a->query == b->query && a->fragment == b->fragment && a->has_query == b->has_query &&
         a->has_fragment == b->has_fragment && a->unc == b->unc && a->href == b->href;
}

// Where two resolutions point: the same scheme, host, port and unc.
bool points_alike(const Url& a, const Url& b) {
  return a.scheme == b.scheme && a.host == b.host && a.port == b.port && a.unc == b.unc;
}

}  // namespace

TEST_SUITE("url::parse") {
  TEST_CASE("absolute http URL is normalized") {
    auto u = parse("  HTTPS://User:pw@Track.EXAMPLE:443/a/./b/../c?q=1#f \n");
    REQUIRE(u);
    CHECK(u->scheme == "https");
    CHECK(u->host == "track.example");
    CHECK(u->port.empty());
    CHECK(u->path == "/a/c");
    CHECK(u->query == "q=1");
    CHECK(u->fragment == "f");
    CHECK(u->href == "https://track.example/a/c?q=1#f");
  }
  TEST_CASE("tabs and newlines inside are removed, backslashes are slashes") {
    auto u = parse("ht\ntp:\\\\exa\tmple.com\\x\\y");
    REQUIRE(u);
    CHECK(u->href == "http://example.com/x/y");
  }
  TEST_CASE("a host holding a delimiter is kept and its href escapes it") {
    // Found by fuzz_url: "%23" decoded to '#' in the host, and a UNC host "a@b", made an
    // href that re-parsed as another URL. The URL stays (it is remote all the same); the
    // href percent-encodes what would end the host, so it reads back the same.
    for (const char* in : {"http://a.example%23b/x", "http://%zz.example/", "http://a%20b.example/",
                           "\\\\a@b\\x", "http://[1:2::3%5D]:81/"}) {
      CAPTURE(in);
      const auto u = parse(in);
      REQUIRE(u);
      const auto again = parse(u->href);
      REQUIRE(again);
      CHECK(again->host == u->host);
      CHECK(again->port == u->port);
      CHECK(again->path == u->path);
      CHECK_FALSE(again->has_fragment);
    }
    CHECK(parse("http://a.example%23b/x")->host == "a.example#b");
    CHECK(parse("http://a.example%23b/x")->href == "http://a.example%23b/x");
    CHECK(parse("\\\\a@b\\x")->href == "file://a%40b/x");
    CHECK(parse("http://%65xample.com/")->host == "example.com");
  }
  TEST_CASE("a reference resolved against a UNC base points where resolve_authority says") {
    // Found by fuzz_url: the resolved URL lost `unc`, and a base host with a NUL byte was
    // re-read as another host.
    const std::string_view base("\\\\h\0x\\share\\a.html", 17);
    const auto full = resolve(base, "img/p.gif");
    const auto where = resolve_authority(base, "img/p.gif");
    REQUIRE(full);
    REQUIRE(where);
    CHECK(full->unc);
    CHECK(full->host == where->host);
    CHECK(full->host == std::string("h\0x", 3));
    CHECK(full->path == "/share/img/p.gif");
  }
  TEST_CASE("controls and spaces in a path, query or fragment are escaped, so an href re-reads") {
    // Found by fuzz_url: resolving an empty ref against a base whose query or path ended
    // in control bytes gave an href ending in them, and parse() trims those from both ends.
    const std::string_view query_base("http:\223/?\0\0\1\0\0\0167\0\0\0#\0\0\0x", 23);
    // Not structured bindings: CAPTURE is a lambda, and Clang 14 cannot capture those.
    for (const auto& c : {std::pair<std::string_view, std::string_view>{query_base, "\1"},
                          {"file:///c\x13#\xff\xff\xff#\xff\xff\xff", ""},
                          {"http://a.example/b c ?d e #f g ", ""},
                          {"http://a.example/x?\x7f", "#\x01"}}) {
      const std::string_view base = c.first;
      const std::string_view ref = c.second;
      CAPTURE(base);
      const auto u = resolve(base, ref);
      REQUIRE(u);
      const auto again = parse(u->href);
      REQUIRE(again);
      CHECK(again->path == u->path);
      CHECK(again->query == u->query);
      CHECK(again->fragment == u->fragment);
      CHECK(again->href == u->href);
    }
    CHECK(resolve(query_base, "\1")->href == "http://\223/?%00%00%01%00%00%0E7%00%00%00");
    CHECK(resolve("file:///c\x13#\xff", "")->href == "file:///c%13");
    const auto u = parse("http://a.example/b c/./d?e f#g\x7fh");
    REQUIRE(u);
    CHECK(u->path == "/b%20c/d");
    CHECK(u->query == "e%20f");
    CHECK(u->fragment == "g%7Fh");
    CHECK(parse("mailto:a\x01"
                "b")
              ->path == "a%01b");
  }
  TEST_CASE("percent-encoded host is decoded") {
    auto u = parse("http://%74racker.example/p");
    REQUIRE(u);
    CHECK(u->host == "tracker.example");
  }
  TEST_CASE("non-default port kept, ipv6 bracketed") {
    CHECK(parse("http://h.example:8080/")->href == "http://h.example:8080/");
    auto v6 = parse("http://[::1]:80/x");
    REQUIRE(v6);
    CHECK(v6->host == "::1");
    CHECK(v6->href == "http://[::1]/x");
  }
  TEST_CASE("relative references are not absolute URLs") {
    CHECK_FALSE(parse("/images/a.png"));
    CHECK_FALSE(parse("a.png"));
    CHECK_FALSE(parse("http://"));
  }
  TEST_CASE("non-special schemes keep their path") {
    auto u = parse("CID:part1@example");
    REQUIRE(u);
    CHECK(u->scheme == "cid");
    CHECK(u->host.empty());
    CHECK(u->href == "cid:part1@example");
  }
  TEST_CASE("UNC path is a file URL with unc set") {
    auto u = parse("\\\\Evil.example\\share\\x.png");
    REQUIRE(u);
    CHECK(u->unc);
    CHECK(u->scheme == "file");
    CHECK(u->host == "evil.example");
    CHECK(u->path == "/share/x.png");
  }
}

TEST_SUITE("url::resolve") {
  TEST_CASE("protocol-relative resolves as https without base") {
    auto u = resolve("", "//cdn.example/p.gif");
    REQUIRE(u);
    CHECK(u->href == "https://cdn.example/p.gif");
  }
  TEST_CASE("protocol-relative takes the base scheme") {
    CHECK(resolve("http://b.example/", "//cdn.example/p")->href == "http://cdn.example/p");
  }
  TEST_CASE("relative with empty base is nullopt") {
    CHECK_FALSE(resolve("", "img/a.png"));
    CHECK_FALSE(resolve("mailto:x@y", "img/a.png"));
  }
  TEST_CASE("relative paths merge with the base directory") {
    CHECK(resolve("https://b.example/dir/page.html?x", "img/a.png")->href ==
          "https://b.example/dir/img/a.png");
    CHECK(resolve("https://b.example/dir/page.html", "../a.png")->href ==
          "https://b.example/a.png");
    CHECK(resolve("https://b.example/dir/page.html", "/root.png")->href ==
          "https://b.example/root.png");
    CHECK(resolve("https://b.example/dir/p?q", "?z")->href == "https://b.example/dir/p?z");
    CHECK(resolve("https://b.example/dir/p?q", "#f")->href == "https://b.example/dir/p?q#f");
  }
  TEST_CASE("absolute ref ignores the base") {
    CHECK(resolve("https://b.example/", "http://t.example/x")->host == "t.example");
    CHECK(resolve("not a url", "HTTPS://T.example/x")->href == "https://t.example/x");
  }
  TEST_CASE("a relative ref split by newlines and padded with spaces still resolves") {
    CHECK(resolve("https://b.example/dir/p", "  img/\r\npix\tel.gif \n")->href ==
          "https://b.example/dir/img/pixel.gif");
    CHECK(resolve("https://b.example/", " //cdn.example/p ")->href == "https://cdn.example/p");
  }
  TEST_CASE("resolve_authority points where resolve does, and builds nothing else") {
    const std::pair<const char*, const char*> cases[] = {
        {"", "https://User:pw@Track.EXAMPLE:8443/o?u=1#f"},
        {"", "HTTP://t.example"},
        {"", "//cdn.example/p.gif"},
        {"http://b.example:8080/d/", "//cdn.example/p"},
        {"https://b.example/dir/page.html?x", "img/a.png"},
        {"https://b.example:444/dir/p?q", "?z"},
        {"https://b.example/dir/p?q", "#f"},
        {"https://b.example/dir/p", ""},
        {"https://[2001:db8::1]/d/", "x.gif"},
        {"https://b.example/", "\\\\smb.example\\s"},
        {"https://b.example/", "  img/\r\npix.gif "},
        {"https://b.example/", "http://%6Cure.example/x"},
        {"file:///tmp/x", "y"},
        {"", "img/a.png"},
        {"mailto:x@y", "img/a.png"},
        {"", "mailto:someone@lure.example"},
        {"", "javascript:alert(1)"},
    };
    for (const auto& c : cases) {
      const char* const base = c.first;  // not a structured binding: see above
      const char* const ref = c.second;
      CAPTURE(base);
      CAPTURE(ref);
      const auto full = resolve(base, ref);
      const auto authority = resolve_authority(base, ref);
      REQUIRE(full.has_value() == authority.has_value());
      if (!full) continue;
      CHECK(points_alike(*authority, *full));
      CHECK(authority->href.empty());
      CHECK(authority->path.empty());
      const auto href = resolve_href(base, ref);
      REQUIRE(href.has_value());
      CHECK(points_alike(*href, *full));
      CHECK(href->href == full->href);
      CHECK(href->has_query == full->has_query);
      CHECK(href->has_fragment == full->has_fragment);
    }
    // A plain URL is its own href, and resolve_href() copies no part out of it.
    const auto plain = resolve_href("", "https://t.example/a/b.gif?u=1#f");
    REQUIRE(plain.has_value());
    CHECK(plain->href == "https://t.example/a/b.gif?u=1#f");
    CHECK(plain->path.empty());
    CHECK(plain->query.empty());
  }
  TEST_CASE("random references resolved three ways agree") {
    const char* pieces[] = {
        "https://", "http://", "//",   "t.example", "T", "/",   "\\",    "\\\\",    "?",   "#",
        ".",        "..",      "%2e",  "%41",       ":", ":80", "@",     "[",       "]",   "a",
        " ",        "\t",      "\x01", "\xC3\xA9",  "=", "&",   "x.gif", "mailto:", "../", "./"};
    const char* bases[] = {"", "https://b.example/dir/page.html?x", "http://b.example:8080/d/",
                           "https://[2001:db8::1]/d/", "file:///tmp/x"};
    std::uint32_t seed = 21;
    auto rng = [&] { return seed = seed * 1664525u + 1013904223u; };
    int resolved = 0;
    for (int round = 0; round < 20000; ++round) {
      std::string ref;
      for (std::size_t n = rng() % 8; n > 0; --n) ref += pieces[rng() % 30];
      const char* const base = bases[rng() % 5];
      CAPTURE(base);
      CAPTURE(ref);
      const auto full = resolve(base, ref);
      const auto href = resolve_href(base, ref);
      const auto authority = resolve_authority(base, ref);
      REQUIRE(href.has_value() == full.has_value());
      REQUIRE(authority.has_value() == full.has_value());
      if (!full) continue;
      ++resolved;
      REQUIRE(points_alike(*href, *full));
      REQUIRE(href->href == full->href);
      REQUIRE(points_alike(*authority, *full));
    }
    CHECK(resolved > 5000);  // most draws resolve: the comparison is not over nothing
  }
  TEST_CASE("UNC ref stays UNC") {
    auto u = resolve("https://b.example/", "\\\\smb.example\\s");
    REQUIRE(u);
    CHECK(u->unc);
  }
}

TEST_SUITE("url::helpers") {
  TEST_CASE("remote schemes") {
    CHECK(is_remote_scheme("http"));
    CHECK(is_remote_scheme("HTTPS"));
    CHECK(is_remote_scheme("ftp"));
    CHECK(is_remote_scheme("file"));
    CHECK_FALSE(is_remote_scheme("cid"));
    CHECK_FALSE(is_remote_scheme("data"));
  }
  TEST_CASE("percent_decode leaves malformed escapes") {
    CHECK(percent_decode("a%20b%2") == "a b%2");
    CHECK(percent_decode("%zz%41") == "%zzA");
  }
}

TEST_SUITE("url::parse shortcut") {
  TEST_CASE("plain http(s) URLs: the shortcut gives what the general parser gives") {
    const std::vector<std::string> cases = {
        "https://cdn.shop.example/img/p-1.jpg",
        "http://t.example/o?u=1&e=x#frag",
        "https://t.example/?",
        "https://t.example/#",
        "https://t.example/a?b#c?d#e",
        "https://t.example/a#b?c",
        "https://t.example/a/./b",
        "https://t.example/a/../b",
        "https://t.example/a/.b?x=/./",
        "https://t.example/a?x=/../#/./",
        "https://T.example/a",
        "HTTPS://t.example/a",
        "https://t.example",
        "https://t.example?q",
        "https://t.example#f",
        "https://t.example:443/a",
        "https://t.example:8443/a",
        "https://u:p@t.example/a",
        "https://[2001:db8::1]/a",
        "https://t.example/a%2e/b",
        "https://t%2Eexample/a",
        "https:///t.example/a",
        "https://t.example\\a",
        "https://t.example/a\\b",
        "https://t.example/a b",
        "https://t.example/a\x7f",
        "https://t.example/a\x01",
        "https://t\xC3\xA9.example/caf\xC3\xA9",
        "https://t^.example/a",
        "https://t|x.example/a",
        "https://t<x>.example/a",
        "http://t.example/a<b>\"c\"{d}",
        "https:/t.example/a",
        "https:t.example/a",
        "httpss://t.example/a",
        "ftp://t.example/a",
        "  https://t.example/a  ",
        "https://t.ex\tample/a\n",
    };
    for (const std::string& c : cases) {
      CAPTURE(c);
      CHECK(same_url(parse(c), parse_without_shortcut(c)));
    }
  }
  TEST_CASE("random URL-shaped strings agree with the general parser") {
    const char* pieces[] = {
        "https://", "http://", "HTTP://", "t.example", "T",        "/",   "//", "\\", "?", "#",
        ".",        "..",      "%2e",     "%41",       ":",        ":80", "@",  "[",  "]", "a",
        " ",        "\t",      "\x01",    "\x7f",      "\xC3\xA9", "^",   "|",  "<",  "=", "&"};
    std::uint32_t seed = 9;
    auto rng = [&] { return seed = seed * 1664525u + 1013904223u; };
    for (int round = 0; round < 20000; ++round) {
      std::string s = rng() % 4 == 0 ? "http://" : "https://";
      for (std::size_t n = rng() % 9; n > 0; --n) s += pieces[rng() % 30];
      CAPTURE(s);
      const auto general = parse_without_shortcut(s);
      REQUIRE(same_url(parse(s), general));
      const auto authority = resolve_authority("", s);
      REQUIRE(authority.has_value() == general.has_value());
      if (authority) {
        CHECK(authority->scheme == general->scheme);
        CHECK(authority->host == general->host);
        CHECK(authority->port == general->port);
      }
    }
  }
}
