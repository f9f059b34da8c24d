#include <set>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "cli/scan_shard.hpp"

using namespace pixelwarden::cli;

TEST_SUITE("cli::scan_shard") {
  TEST_CASE("I/N parses with 0 <= I < N") {
    const auto s = parse_shard("2/5");
    REQUIRE(s);
    CHECK(s->index == 2);
    CHECK(s->count == 5);
    CHECK(parse_shard("0/1"));
    CHECK_FALSE(parse_shard("5/5"));
    CHECK_FALSE(parse_shard("1/0"));
    CHECK_FALSE(parse_shard("1"));
    CHECK_FALSE(parse_shard("a/3"));
    CHECK_FALSE(parse_shard("-1/3"));
    CHECK_FALSE(parse_shard("1/3x"));
    CHECK_FALSE(parse_shard("0/65537"));
  }

  TEST_CASE("FNV-1a 64 has its published values (so every machine agrees)") {
    CHECK(fnv1a64("") == 0xcbf29ce484222325ULL);
    CHECK(fnv1a64("a") == 0xaf63dc4c8601ec8cULL);
    CHECK(fnv1a64("foobar") == 0x85944171f73967e8ULL);
  }

  TEST_CASE("for N = 1..5 every key is in exactly one shard, and shards are not empty") {
    for (std::uint32_t n = 1; n <= 5; ++n) {
      std::set<std::uint32_t> used;
      for (int k = 0; k < 500; ++k) {
        const std::string key = "Maildir/cur/" + std::to_string(k) + ".M1.host:2,S";
        int owners = 0;
        for (std::uint32_t i = 0; i < n; ++i) {
          if (in_shard(Shard{i, n}, key)) {
            ++owners;
            used.insert(i);
          }
        }
        CHECK(owners == 1);
      }
      CHECK(used.size() == n);
    }
  }

  TEST_CASE("shards are balanced on Maildir-like names, also for N a power of two") {
    CHECK(mix64(0) == 0);
    CHECK(mix64(1) == 0xb456bcfc34c2cb2cULL);
    for (std::uint32_t n : {2u, 4u, 5u, 8u}) {
      std::vector<int> count(n, 0);
      const int total = 4000;
      for (int k = 0; k < total; ++k) {
        const std::string key = (k % 3 == 0 ? ".Archive/cur/" : "cur/") +
                                std::to_string(1600000000 + k) + ".M" + std::to_string(k) +
                                "P42.host:2,S";
        for (std::uint32_t i = 0; i < n; ++i) count[i] += in_shard(Shard{i, n}, key) ? 1 : 0;
      }
      for (std::uint32_t i = 0; i < n; ++i) {
        INFO("N=" << n << " shard " << i << ": " << count[i]);
        CHECK(count[i] > total / static_cast<int>(n) * 8 / 10);
        CHECK(count[i] < total / static_cast<int>(n) * 12 / 10);
      }
    }
  }

  TEST_CASE("message keys: mbox offset and IMAP folder, UIDVALIDITY and UID") {
    CHECK(mbox_message_key("mail/archive.mbox", 478) == "mail/archive.mbox@478");
    CHECK(imap_message_key("INBOX", 1700000000, 42) == "imap:INBOX;UIDVALIDITY=1700000000;UID=42");
  }
}
