#include <cstdint>
#include <random>
#include <string>

#include <doctest/doctest.h>

#include "cli/imap_wire.hpp"

using namespace pixelwarden::cli;

namespace {

// A FETCH answer whose body holds lines that look like responses.
const std::string k_body =
    "From: a@b\r\nSubject: x\r\n\r\npw3 OK fake tagged answer\r\n* 9 FETCH (UID 99)\r\n{12}\r\nend";
const std::string k_stream = "* 1 FETCH (UID 42 BODY[]<0> {" + std::to_string(k_body.size()) +
                             "}\r\n" + k_body + ")\r\n* 2 FETCH (UID 43 BODY[]<0> {3}\r\nabc)\r\n" +
                             "pw3 OK Fetch completed.\r\n";

std::vector<ImapResponse> read_in_chunks(const std::string& stream, std::mt19937& rng) {
  ImapReader reader(1 << 20);
  std::vector<ImapResponse> out;
  std::size_t i = 0;
  while (i < stream.size()) {
    const std::size_t n = std::uniform_int_distribution<std::size_t>(1, 17)(rng);
    REQUIRE(reader.feed(std::string_view(stream).substr(i, n), out));
    i += n;
  }
  CHECK(reader.idle());
  return out;
}

}  // namespace

TEST_SUITE("cli::imap_wire") {
  TEST_CASE("literals are counted, not scanned: body lines that look like answers stay body") {
    ImapReader reader(1 << 20);
    std::vector<ImapResponse> out;
    REQUIRE(reader.feed(k_stream, out));
    REQUIRE(out.size() == 3);
    CHECK_FALSE(out[0].tagged());
    REQUIRE(out[0].literals.size() == 1);
    CHECK(out[0].literals[0] == k_body);
    CHECK(out[2].tagged());
    CHECK(tagged_status(out[2], "pw3") == "OK");
    CHECK(tagged_status(out[2], "pw4").empty());
    auto m = fetched(out[0]);
    REQUIRE(m);
    CHECK(m->uid == 42);
    CHECK(m->bytes == k_body);
    CHECK(fetched(out[1])->bytes == "abc");
  }

  TEST_CASE("any chunking of the stream gives the same responses") {
    const unsigned seed = std::random_device{}();
    INFO("seed " << seed);
    std::mt19937 rng(seed);
    for (int round = 0; round < 50; ++round) {
      auto out = read_in_chunks(k_stream, rng);
      REQUIRE(out.size() == 3);
      CHECK(out[0].literals[0] == k_body);
      CHECK(out[2].line == "pw3 OK Fetch completed.");
    }
  }

  TEST_CASE("a literal over the limit stops the reader with a reason") {
    ImapReader reader(10);
    std::vector<ImapResponse> out;
    CHECK_FALSE(reader.feed("* 1 FETCH (UID 1 BODY[] {11}\r\n", out));
    CHECK(reader.error().find("literal of 11 bytes") != std::string::npos);
  }

  TEST_CASE("one response chaining literals is bounded as a whole") {
    ImapReader reader(10);
    std::vector<ImapResponse> out;
    const std::string piece = " {10}\r\n0123456789";
    bool ok = reader.feed("* 1 FETCH (X", out);
    int fed = 0;
    for (; ok && fed < 2000000; ++fed) ok = reader.feed(piece, out);
    CHECK_FALSE(ok);
    CHECK(out.empty());
    CHECK(fed <= static_cast<int>((10 + ImapReader::k_max_line) / 10) + 1);
    CHECK(reader.error().find("literal") != std::string::npos);

    ImapReader empty_literals(10);
    std::string many;
    for (int i = 0; i < 4000000; ++i) many += "x {0}\r\n";  // 5 bytes of line each
    CHECK_FALSE(empty_literals.feed("* 1 FETCH (" + many, out));
    CHECK(empty_literals.error().find("response longer than 16 MiB") != std::string::npos);
  }

  TEST_CASE("UID SEARCH of a folder of 300,000 messages fits on its one line") {
    ImapReader reader(1 << 20);
    std::vector<ImapResponse> out;
    std::string line = "* SEARCH";
    for (std::uint32_t uid = 1000001; uid <= 1300000; ++uid) line += " " + std::to_string(uid);
    REQUIRE(line.size() > (1u << 20));
    REQUIRE(reader.feed(line + "\r\npw2 OK Search completed.\r\n", out));
    REQUIRE(out.size() == 2);
    std::vector<std::uint32_t> uids;
    CHECK(search_uids(out[0], uids));
    CHECK(uids.size() == 300000);
    CHECK(uids.back() == 1300000);
  }

  TEST_CASE("EXAMINE, SEARCH, CAPABILITY and LIST answers") {
    ImapReader reader(1 << 20);
    std::vector<ImapResponse> out;
    REQUIRE(reader.feed(
        "* 520 EXISTS\r\n* OK [UIDVALIDITY 1796307172] UIDs valid\r\n* SEARCH 1 2 30\r\n"
        "* CAPABILITY IMAP4rev1 move UIDPLUS\r\n* LIST (\\HasNoChildren) \".\" \"Sent "
        "\\\"x\\\"\"\r\n"
        "* LIST (\\Noselect) \".\" Parent\r\n* LIST () NIL INBOX\r\n* LIST () \"/\" "
        "{3}\r\nA\"b\r\n",
        out));
    REQUIRE(out.size() == 8);
    CHECK(exists_count(out[0]) == 520u);
    CHECK(uidvalidity(out[1]) == 1796307172u);
    std::vector<std::uint32_t> uids;
    CHECK(search_uids(out[2], uids));
    CHECK(uids == std::vector<std::uint32_t>{1, 2, 30});
    std::vector<std::string> caps;
    CHECK(capabilities(out[3], caps));
    CHECK(caps == std::vector<std::string>{"IMAP4REV1", "MOVE", "UIDPLUS"});
    CHECK(list_name(out[4]) == "Sent \"x\"");
    CHECK_FALSE(list_name(out[5]));
    CHECK(list_name(out[6]) == "INBOX");
    CHECK(list_name(out[7]) == "A\"b");
  }

  TEST_CASE("COPYUID pairs source and destination UIDs") {
    ImapResponse r;
    r.line = "* OK [COPYUID 99 4:6,9 101:104] Moved UIDs.";
    auto c = copyuid(r);
    REQUIRE(c);
    CHECK(c->validity == 99);
    REQUIRE(c->pairs.size() == 4);
    CHECK(c->pairs[3] == std::make_pair(9u, 104u));
    r.line = "pw5 OK [COPYUID 99 4:6 101] bad";
    CHECK_FALSE(copyuid(r));
  }

  TEST_CASE("UID sets compress runs and expand back") {
    CHECK(uid_set({7, 1, 2, 3, 4, 9, 10, 3}) == "1:4,7,9:10");
    CHECK(uid_set({5}) == "5");
    CHECK(expand_set("1:4,7,9:10") == std::vector<std::uint32_t>{1, 2, 3, 4, 7, 9, 10});
    CHECK(expand_set("6:4") == std::vector<std::uint32_t>{4, 5, 6});
    CHECK_FALSE(expand_set("1:x"));
    CHECK_FALSE(expand_set("*"));
  }

  TEST_CASE("mailbox names are quoted; CR, LF, NUL and non-ASCII cannot be sent") {
    CHECK(quote_mailbox("INBOX") == "\"INBOX\"");
    CHECK(quote_mailbox("a\"b\\c") == "\"a\\\"b\\\\c\"");
    CHECK_FALSE(quote_mailbox("a\r\nb"));
    CHECK_FALSE(quote_mailbox("Entw\xC3\xBC"
                              "rfe"));
  }
}
