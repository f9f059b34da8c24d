#include "mime/message.hpp"

#include <doctest/doctest.h>

using namespace pixelwarden::mime;

TEST_SUITE("mime::Message") {
  TEST_CASE("spans and lazily parsed fields") {
    const std::string raw = "Subject: =?utf-8?q?h=C3=A9?=\r\n  there\r\nTo: a@b\r\n\r\nbody";
    const Message m(raw);
    CHECK(m.header_block().size() == raw.find("\r\n\r\n") + 2);
    CHECK(m.body() == "body");
    CHECK(m.body_offset() == raw.size() - 4);
    CHECK(m.fields().size() == 2);
    CHECK(m.text("subject") == "h\xC3\xA9  there");
    CHECK(m.raw_value("To") == " a@b");
    CHECK_FALSE(m.text("From").has_value());
  }
  TEST_CASE("every field of a name") {
    const Message m("Received: a\nReceived: b\n\n");
    CHECK(m.texts("received") == std::vector<std::string>{"a", "b"});
  }
  TEST_CASE("walk uses the message's own spans") {
    const Message m("Content-Type: text/html\n\n<p>");
    const WalkResult r = m.walk();
    REQUIRE(r.parts.size() == 1);
    CHECK(part_body(r.parts[0], m.body()) == "<p>");
  }
}
