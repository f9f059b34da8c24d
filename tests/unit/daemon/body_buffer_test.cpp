#include "daemon/body_buffer.hpp"

#include <doctest/doctest.h>

#include <string>

using pixelwarden::daemon::BodyBuffer;

TEST_SUITE("daemon::BodyBuffer") {
  TEST_CASE("chunks are appended in order across many growths") {
    BodyBuffer b;
    std::string expected;
    for (int i = 0; i < 300; ++i) {  // 300 x 4 KiB: grows from 64 KiB several times
      std::string chunk(4096, static_cast<char>('a' + i % 26));
      chunk += std::to_string(i);
      b.append(chunk);
      expected += chunk;
    }
    CHECK(b.size() == expected.size());
    CHECK(b.view() == expected);
    CHECK(b.capacity() >= b.size());
  }

  TEST_CASE("an empty buffer is an empty view, and empty chunks change nothing") {
    BodyBuffer b;
    CHECK(b.view().empty());
    b.append("");
    CHECK(b.size() == 0);
    CHECK(b.capacity() == 0);
    b.append("x");
    b.append("");
    CHECK(b.view() == "x");
  }

  TEST_CASE("clear keeps a small block for the next message and frees a large one") {
    BodyBuffer b;
    b.append(std::string(1000, 'a'));
    const std::size_t small = b.capacity();
    b.clear(256 * 1024);
    CHECK(b.size() == 0);
    CHECK(b.capacity() == small);
    b.append("next");
    CHECK(b.view() == "next");

    b.append(std::string(1 << 20, 'b'));
    CHECK(b.capacity() > 256 * 1024);
    b.clear(256 * 1024);
    CHECK(b.capacity() == 0);
    CHECK(b.view().empty());
  }
}
