#include "ruleset/entry_line.hpp"

#include <doctest/doctest.h>

using pixelwarden::ruleset::canonical_fields;
using pixelwarden::ruleset::EntryLine;
using pixelwarden::ruleset::parse_entry_line;

TEST_SUITE("ruleset::entry_line") {
  TEST_CASE("canonical_fields: a fixed order, quotes only where needed, no entry or comment") {
    EntryLine a;
    EntryLine b;
    CHECK_FALSE(
        parse_entry_line("x.example campaign=\"Fake News\" tlp=amber source=CERT-EU # one", a));
    CHECK_FALSE(parse_entry_line("x.example  source=CERT-EU tlp=amber campaign=\"Fake News\"", b));
    CHECK(canonical_fields(a) == "source=CERT-EU tlp=amber campaign=\"Fake News\"");
    CHECK(canonical_fields(a) == canonical_fields(b));
    EntryLine plain;
    CHECK_FALSE(parse_entry_line("x.example # only a comment", plain));
    CHECK(canonical_fields(plain).empty());
  }
  TEST_CASE("a plain entry has no fields") {
    EntryLine e;
    CHECK_FALSE(parse_entry_line("lure-news.example", e));
    CHECK(e.entry == "lure-news.example");
    CHECK_FALSE(e.has_fields());
  }
  TEST_CASE("an inline comment after the entry") {
    EntryLine e;
    CHECK_FALSE(parse_entry_line("lure-news.example   #  seen in the advisory", e));
    CHECK(e.entry == "lure-news.example");
    CHECK(e.comment == "seen in the advisory");
    CHECK_FALSE(e.has_fields());
  }
  TEST_CASE("every field, a quoted value, then a comment") {
    EntryLine e;
    auto err = parse_entry_line(
        "lure.example source=CERT-EU feed=indicator--1 first_seen=2026-11-02 "
        "valid_until=2026-12-31T00:00:00Z tlp=amber\tcampaign=\"Fake news outlets\" # x # y",
        e);
    REQUIRE_FALSE(err);
    CHECK(e.source == "CERT-EU");
    CHECK(e.feed == "indicator--1");
    CHECK(e.first_seen == "2026-11-02");
    CHECK(e.valid_until == "2026-12-31T00:00:00Z");
    CHECK(e.tlp == "amber");
    CHECK(e.campaign == "Fake news outlets");
    CHECK(e.comment == "x # y");
  }
  TEST_CASE("unknown keys, words without '=', unterminated quotes, repeats are errors") {
    EntryLine e;
    auto err = parse_entry_line("a.example sorce=x", e);
    REQUIRE(err);
    CHECK(err->column == 11);
    CHECK(err->message.find("unknown entry field 'sorce'") != std::string::npos);
    err = parse_entry_line("a.example b.example", e);
    REQUIRE(err);
    CHECK(err->message.find("expected key=value") != std::string::npos);
    CHECK(parse_entry_line("a.example campaign=\"open", e));
    CHECK(parse_entry_line("a.example tlp=red tlp=amber", e));
    CHECK(parse_entry_line("a.example tlp=", e));
    CHECK(parse_entry_line("a.example campaign=\"x\"y", e));
  }
}
