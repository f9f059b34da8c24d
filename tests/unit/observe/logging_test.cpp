#include "observe/logging.hpp"

#include <doctest/doctest.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <mutex>
#include <sstream>
#include <thread>

using namespace pixelwarden::observe;

namespace {

// Keeps the last formatted line; shared_ptr-owned, so queued async messages never
// outlive it.
class CollectingSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::string last() {
    std::lock_guard lock(mutex_);
    return m_last;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t buf;
    formatter_->format(msg, buf);
    m_last.assign(buf.data(), buf.size());
  }
  void flush_() override {}

 private:
  std::string m_last;
};

std::string log_one(const std::string& format, const std::string& message) {
  std::ostringstream out;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
  LogOptions o;
  o.format = format;
  o.async = false;
  auto logger = make_logger(o, sink);
  logger->info("{}", message);
  logger->flush();
  return out.str();
}

}  // namespace

TEST_SUITE("observe::logging") {
  TEST_CASE("text: CR/LF in a value cannot start a forged line") {
    const auto line = log_one("text", "from=<a@b>\r\n2026-01-01 info forged");
    CHECK(std::count(line.begin(), line.end(), '\n') == 1);
    CHECK(line.find("from=<a@b>\\r\\n2026-01-01 info forged") != std::string::npos);
    CHECK(line.find(" info ") != std::string::npos);
  }

  TEST_CASE("json: one valid object per line, the payload escaped") {
    const auto line = log_one("json", "he said \"hi\"\n{\"level\":\"error\"}");
    CHECK(std::count(line.begin(), line.end(), '\n') == 1);
    CHECK(line.rfind("{\"time\":\"", 0) == 0);
    CHECK(line.find("\"level\":\"info\"") != std::string::npos);
    CHECK(line.find(R"("msg":"he said \"hi\"\n{\"level\":\"error\"}"})") != std::string::npos);
  }

  TEST_CASE("escape_text escapes controls and backslashes, keeps UTF-8") {
    CHECK(escape_text("a\tb\x01\x7f\\n") == "a\\tb\\x01\\x7f\\\\n");
    CHECK(escape_text("caf\xC3\xA9") == "caf\xC3\xA9");
  }

  TEST_CASE("the level filters lower messages") {
    std::ostringstream out;
    LogOptions o;
    o.level = "warn";
    o.async = false;
    auto logger = make_logger(o, std::make_shared<spdlog::sinks::ostream_sink_mt>(out));
    logger->info("quiet");
    logger->warn("loud");
    CHECK(out.str().find("quiet") == std::string::npos);
    CHECK(out.str().find("loud") != std::string::npos);
  }

  TEST_CASE("setup_logging refuses unknown settings") {
    LogOptions o;
    o.level = "verbose";
    CHECK_FALSE(setup_logging(o).ok());
    o = LogOptions{};
    o.sink = "file";
    CHECK_FALSE(setup_logging(o).ok());
  }

  TEST_CASE("async logging delivers through the logger thread, the newest line last") {
    auto sink = std::make_shared<CollectingSink>();
    LogOptions o;
    o.async = true;
    auto logger = make_logger(o, sink);
    for (int i = 0; i < 50000; ++i) logger->info("line {}", i);
    bool seen = false;
    for (int i = 0; i < 400 && !seen; ++i) {
      seen = sink->last().find("line 49999") != std::string::npos;
      if (!seen) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    CHECK(seen);
  }
}
