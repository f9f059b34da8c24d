#include <doctest/doctest.h>

#include <cctype>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "base/digest.hpp"
#include "base/text.hpp"
#include "mime/codec.hpp"
#include "ruleset/ruleset.hpp"

using pixelwarden::ruleset::RecipientTokens;

namespace {
const RecipientTokens k_alice({"Alice.Smith@Corp.example"});
}

TEST_SUITE("ruleset::RecipientTokens") {
  TEST_CASE("the address in clear, any case, percent-encoded") {
    CHECK(k_alice.found_in("https://t.example/o?to=alice.smith@corp.example"));
    CHECK(k_alice.found_in("https://t.example/o?to=ALICE.SMITH%40CORP.EXAMPLE"));
    // Capitals without escapes, and escapes without capitals: each is its own path.
    CHECK(k_alice.found_in("https://t.example/o?to=Alice.Smith@Corp.Example"));
    CHECK(k_alice.found_in("https://t.example/o?to=alice.smith%40corp.example"));
    CHECK(k_alice.found_in("https://t.example/o/%61lice.smith/1.gif"));
    CHECK_FALSE(k_alice.found_in("https://t.example/o?to=Alice.Smyth@Corp.Example"));
  }
  TEST_CASE("the local part of four or more characters") {
    CHECK(k_alice.found_in("https://t.example/o/alice.smith/1.gif"));
    RecipientTokens bob({"bob@corp.example"});
    CHECK_FALSE(bob.found_in("https://t.example/o/bob/1.gif"));
  }
  TEST_CASE("hex md5, sha1 and sha256 of the lower-cased address") {
    const std::string a = "alice.smith@corp.example";
    CHECK(k_alice.found_in("https://t.example/p?h=" + pixelwarden::base::md5_hex(a)));
    CHECK(k_alice.found_in("https://t.example/p/" + pixelwarden::base::sha1_hex(a) + ".gif"));
    CHECK(k_alice.found_in("https://t.example/p#" + pixelwarden::base::sha256_hex(a)));
  }
  TEST_CASE("uppercase hex digests match too") {
    std::string h = pixelwarden::base::md5_hex("alice.smith@corp.example");
    for (char& c : h) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    CHECK(k_alice.found_in("https://t.example/p?h=" + h));
  }
  TEST_CASE("base64 standard, padded, at alignment 0") {
    // base64("alice.smith@corp.example") = YWxpY2Uuc21pdGhAY29ycC5leGFtcGxl
    CHECK(k_alice.found_in("https://t.example/o?u=YWxpY2Uuc21pdGhAY29ycC5leGFtcGxl"));
  }
  TEST_CASE("base64 at alignments 1 and 2 inside a longer run") {
    // base64("x" + addr) and base64("xy" + addr)
    CHECK(k_alice.found_in("https://t.example/o?d=eGFsaWNlLnNtaXRoQGNvcnAuZXhhbXBsZQ=="));
    CHECK(k_alice.found_in("https://t.example/o?d=eHlhbGljZS5zbWl0aEBjb3JwLmV4YW1wbGU="));
  }
  TEST_CASE("base64 at every alignment and length, against the MIME encoder") {
    // Addresses of 6 to 40 characters, each inside runs that put it at offset 0, 1 or 2
    // of a base64 quantum, with 0 to 2 bytes after it: the URL carries the whole run.
    std::string local = "abcd";
    for (int n = 0; n < 35; ++n) {
      local.push_back(static_cast<char>('e' + n % 20));
      const std::string addr = local + "@x";
      const RecipientTokens t({addr});
      for (const std::string before : {"", "p", "pq"}) {
        for (const std::string after : {"", "&", "&z"}) {
          const std::string run = pixelwarden::mime::encode_base64(before + addr + after, 0, "");
          INFO(addr, " before='", before, "' after='", after, "' run=", run);
          CHECK(t.found_in("https://t.example/o?d=" + run));
          // Every bit of the address counts: with all bits of its first byte or of the last
          // byte of its local part flipped (the local part alone is a token too), the run
          // holds no token.
          for (const std::size_t at : {std::size_t{0}, local.size() - 1}) {
            std::string changed = addr;
            changed[at] = static_cast<char>(~changed[at]);
            CHECK_FALSE(
                t.found_in("https://t.example/o?d=" +
                           pixelwarden::mime::encode_base64(before + changed + after, 0, "")));
          }
        }
      }
    }
  }
  TEST_CASE("base64 URL-safe alphabet") {
    // base64url("??>alice@corp.example") contains '-' / '_' where standard has '+' '/'
    RecipientTokens t({"a>?b@c.example"});
    // standard: YT4/YkBjLmV4YW1wbGU=, url-safe: YT4_YkBjLmV4YW1wbGU
    CHECK(t.found_in("https://t.example/o?d=YT4_YkBjLmV4YW1wbGU"));
    CHECK(t.found_in("https://t.example/o?d=YT4%2FYkBjLmV4YW1wbGU%3D"));
  }
  TEST_CASE("base64 is case-sensitive") {
    CHECK_FALSE(k_alice.found_in("https://t.example/o?u=ywxpy2uuc21pdghay29ycc5legftcgxl"));
  }
  TEST_CASE("the forms made at the first lookup serve every later one") {
    const RecipientTokens t({" <Carol.Jones@Corp.example> "});
    CHECK_FALSE(t.empty());
    CHECK_FALSE(t.found_in("https://t.example/o?to=someone-else"));
    CHECK(t.found_in("https://t.example/o?to=carol.jones@corp.example"));
    CHECK(t.found_in("https://t.example/p?h=" +
                     pixelwarden::base::sha1_hex("carol.jones@corp.example")));
    CHECK(RecipientTokens({" ", "<>"}).empty());
  }
  TEST_CASE("a recipient's forms are shared by every thread; each message sees only its own") {
    auto url_for = [](const std::string& addr) {
      return "https://t.example/p?h=" + pixelwarden::base::sha1_hex(addr);
    };
    // More recipients than the cache keeps (1,024): it starts over and answers stay right.
    for (int round = 0; round < 2; ++round) {
      for (int i = 0; i < 1100; ++i) {
        const std::string addr = "user" + std::to_string(i) + "@corp.example";
        const RecipientTokens t({addr});
        CHECK(t.found_in(url_for(addr)));
        CHECK_FALSE(t.found_in(url_for("user" + std::to_string(i + 1) + "@corp.example")));
      }
    }
    // Several recipients: the forms of each, merged.
    const RecipientTokens both({"user7@corp.example", "user8@corp.example"});
    CHECK(both.found_in(url_for("user7@corp.example")));
    CHECK(both.found_in(url_for("user8@corp.example")));
    CHECK_FALSE(both.found_in(url_for("user9@corp.example")));
    // Threads at once (libmilter runs each connection on its own thread), on the same
    // recipients and on new ones, so that lookups, inserts and the cache starting over
    // overlap (the ThreadSanitizer stage runs this too).
    std::vector<std::thread> threads;
    std::vector<int> wrong(4, 0);
    for (int k = 0; k < 4; ++k) {
      threads.emplace_back([&, k] {
        for (int i = 0; i < 600; ++i) {
          const std::string addr =
              "user" + std::to_string((i * 7 + k * 300) % 1500) + "@corp.example";
          const RecipientTokens t({addr});
          if (!t.found_in(url_for(addr)) || t.found_in(url_for("x" + addr))) ++wrong[k];
        }
      });
    }
    for (auto& t : threads) t.join();
    CHECK(wrong == std::vector<int>(4, 0));
  }
  TEST_CASE("the host part never counts") {
    RecipientTokens t({"news@alice.example"});
    CHECK_FALSE(t.found_in("https://alice.example/logo.png"));
  }
  TEST_CASE("other recipients' tokens do not match") {
    CHECK_FALSE(k_alice.found_in("https://t.example/o?to=bob@corp.example"));
    CHECK(RecipientTokens().empty());
    CHECK_FALSE(RecipientTokens().found_in("https://t.example/alice.smith@corp.example"));
  }
  TEST_CASE("the one-pass search finds what searching each form finds") {
    // URLs built from pieces of the recipients' forms (cut anywhere, in either case, some
    // percent-encoded) and of other text: hits, near misses and none.
    const std::vector<std::vector<std::string>> recipient_sets = {
        {"Alice.Smith@Corp.example"}, {"bob@corp.example", "Eve@X.example"}, {"a@b"}, {"ab@"}};
    std::uint32_t seed = 5;
    auto rng = [&] { return seed = seed * 1664525u + 1013904223u; };
    for (const auto& recipients : recipient_sets) {
      const RecipientTokens t(recipients);
      std::vector<std::string> pieces = {"/", "?", "#", "=", "&",  "%",  "%4", "%41", "%2F",
                                         "x", "Y", "@", ".", "ab", "AB", "b@", "@b",  "a@b"};
      for (const std::string& r : recipients) {
        const std::string lower = pixelwarden::base::to_lower(r);
        for (const std::string& form :
             {r, lower, pixelwarden::base::md5_hex(lower), pixelwarden::base::sha1_hex(lower),
              pixelwarden::mime::encode_base64(r, 0, ""),
              pixelwarden::mime::encode_base64("x" + lower, 0, "")}) {
          pieces.push_back(form);
          pieces.push_back(form.substr(0, form.size() / 2));
          pieces.push_back(form.substr(form.size() / 2));
          std::string upper = form;
          for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
          pieces.push_back(upper);
        }
      }
      int hits = 0;
      for (int round = 0; round < 5000; ++round) {
        std::string url = rng() % 5 == 0 ? "" : "https://t.example";
        for (std::size_t n = rng() % 6; n > 0; --n) url += pieces[rng() % pieces.size()];
        CAPTURE(url);
        const bool expected = t.found_in_without_index(url);
        REQUIRE(t.found_in(url) == expected);
        hits += expected ? 1 : 0;
      }
      CHECK(hits > 100);  // the pieces do make hits: the comparison covers both answers
      CHECK(hits < 4900);
    }
  }
  TEST_CASE("angle brackets around the recipient are ignored") {
    RecipientTokens t({"<carol@corp.example>"});
    CHECK(t.found_in("https://t.example/o?to=carol@corp.example"));
  }
}
