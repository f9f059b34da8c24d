// apply_verdict: header edits addressed by name and index, as an MTA applies them.
#include <doctest/doctest.h>

#include "engine/inspect.hpp"

using namespace pixelwarden;

namespace {

engine::Verdict with_edits(std::vector<engine::HeaderEdit> edits) {
  engine::Verdict v;
  v.header_edits = std::move(edits);
  return v;
}

}  // namespace

TEST_SUITE("engine::apply_verdict") {
  TEST_CASE("removals from the last to the first of a name leave the other fields in order") {
    const std::string msg = "A: 1\nX-R: a\nB: 2\nx-r: b\nX-R: c\nC: 3\n\nbody\n";
    using K = engine::HeaderEdit::Kind;
    const auto v = with_edits(
        {{K::remove, "X-R", 3, {}}, {K::remove, "X-R", 2, {}}, {K::remove, "X-R", 1, {}}});
    CHECK(engine::apply_verdict(msg, v) == "A: 1\nB: 2\nC: 3\n\nbody\n");
  }

  TEST_CASE("indexes count the fields left after earlier removals, as the MTA does") {
    const std::string msg = "X-R: a\nX-R: b\nX-R: c\n\nbody\n";
    using K = engine::HeaderEdit::Kind;
    const auto v = with_edits({{K::remove, "X-R", 1, {}}, {K::change, "X-R", 2, "new"}});
    CHECK(engine::apply_verdict(msg, v) == "X-R: b\nX-R: new\n\nbody\n");
  }

  TEST_CASE("change of a missing field adds it; add appends after the last field") {
    const std::string msg = "A: 1\n\nbody\n";
    using K = engine::HeaderEdit::Kind;
    const auto v = with_edits(
        {{K::change, "Subject", 1, "s"}, {K::add, "X-T", 1, "t"}, {K::remove, "Nope", 1, {}}});
    CHECK(engine::apply_verdict(msg, v) == "A: 1\nSubject: s\nX-T: t\n\nbody\n");
  }

  TEST_CASE("an added field can be changed by a later edit of its name") {
    const std::string msg = "A: 1\n\nbody\n";
    using K = engine::HeaderEdit::Kind;
    const auto v = with_edits({{K::add, "X-T", 1, "t"}, {K::change, "x-t", 1, "u"}});
    CHECK(engine::apply_verdict(msg, v) == "A: 1\nX-T: u\n\nbody\n");
  }

  TEST_CASE("bytes of the header block that are no field are kept where they were") {
    // Found by fuzz_inspect: a leading mbox "From " line was dropped from the delivered
    // form, even with no edit at all.
    const std::string msg = "From someone Mon Dec  1\r\nA: 1\r\nB: 2\r\n\r\nbody\r\n";
    CHECK(engine::apply_verdict(msg, engine::Verdict{}) == msg);
    using K = engine::HeaderEdit::Kind;
    const auto v = with_edits({{K::add, "X-P", 0, "v"}, {K::change, "A", 1, "3"}});
    CHECK(engine::apply_verdict(msg, v) ==
          "From someone Mon Dec  1\r\nA: 3\r\nB: 2\r\nX-P: v\r\n\r\nbody\r\n");
  }

  TEST_CASE("thousands of removals of one name among many fields") {
    std::string msg;
    const int n = 5000;
    for (int i = 0; i < n; ++i)
      msg += "X-R: " + std::to_string(i) + "\nKeep: " + std::to_string(i) + "\n";
    msg += "\nbody\n";
    std::vector<engine::HeaderEdit> edits;
    for (int i = n; i >= 1; --i) edits.push_back({engine::HeaderEdit::Kind::remove, "X-R", i, {}});
    const std::string out = engine::apply_verdict(msg, with_edits(std::move(edits)));
    std::string expect;
    for (int i = 0; i < n; ++i) expect += "Keep: " + std::to_string(i) + "\n";
    CHECK(out == expect + "\nbody\n");
  }
}
