#include "observe/logging.hpp"

#include <spdlog/async.h>
#include <spdlog/async_logger.h>
#include <spdlog/details/thread_pool.h>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/syslog_sink.h>
#include <spdlog/spdlog.h>
#include <syslog.h>

#include <optional>

#include "base/json.hpp"

namespace pixelwarden::observe {
namespace {

constexpr std::size_t k_queue_size = 8192;
constexpr const char* k_json_pattern = R"({"time":"%Y-%m-%dT%H:%M:%S.%fZ","level":"%l","msg":%j})";
constexpr const char* k_text_pattern = "%Y-%m-%dT%H:%M:%S.%fZ %l %Q";
constexpr const char* k_syslog_pattern = "%Q";

std::string_view payload_of(const spdlog::details::log_msg& msg) {
  return {msg.payload.data(), msg.payload.size()};
}

// %j: the message as a JSON string literal, quotes included.
class JsonPayloadFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    std::string out;
    base::json_quote(out, payload_of(msg));
    dest.append(out.data(), out.data() + out.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonPayloadFlag>();
  }
};

// %Q: the message with control characters escaped.
class TextPayloadFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    const std::string out = escape_text(payload_of(msg));
    dest.append(out.data(), out.data() + out.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<TextPayloadFlag>();
  }
};

std::unique_ptr<spdlog::formatter> make_formatter(const std::string& pattern) {
  auto f = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
  f->add_flag<JsonPayloadFlag>('j');
  f->add_flag<TextPayloadFlag>('Q');
  f->set_pattern(pattern);
  return f;
}

std::optional<spdlog::level::level_enum> parse_level(const std::string& s) {
  if (s == "trace") return spdlog::level::trace;
  if (s == "debug") return spdlog::level::debug;
  if (s == "info") return spdlog::level::info;
  if (s == "warn") return spdlog::level::warn;
  if (s == "error") return spdlog::level::err;
  return std::nullopt;
}

}  // namespace

std::string escape_text(std::string_view s) {
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 && c != 0x7f && c != '\\') {
      out.push_back(ch);
    } else if (c == '\\') {
      out += "\\\\";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else {
      out += "\\x";
      out.push_back(k_hex[c >> 4]);
      out.push_back(k_hex[c & 15]);
    }
  }
  return out;
}

std::shared_ptr<spdlog::logger> make_logger(const LogOptions& options,
                                            std::shared_ptr<spdlog::sinks::sink> sink) {
  const char* pattern = options.format == "json" ? k_json_pattern : k_text_pattern;
  if (options.sink == "syslog") pattern = k_syslog_pattern;  // syslog adds time and level
  sink->set_formatter(make_formatter(pattern));
  std::shared_ptr<spdlog::logger> logger;
  if (options.async) {
    if (!spdlog::thread_pool()) spdlog::init_thread_pool(k_queue_size, 1);
    logger = std::make_shared<spdlog::async_logger>("pixelwarden", std::move(sink),
                                                    spdlog::thread_pool(),
                                                    spdlog::async_overflow_policy::overrun_oldest);
  } else {
    logger = std::make_shared<spdlog::logger>("pixelwarden", std::move(sink));
  }
  logger->set_level(parse_level(options.level).value_or(spdlog::level::info));
  logger->flush_on(spdlog::level::warn);
  return logger;
}

base::Status setup_logging(const LogOptions& options) {
  if (!parse_level(options.level))
    return base::Error{"unknown log level '" + options.level + "'", {}, 0, 0};
  if (options.format != "text" && options.format != "json") {
    return base::Error{"unknown log format '" + options.format + "'", {}, 0, 0};
  }
  std::shared_ptr<spdlog::sinks::sink> sink;
  if (options.sink == "stderr") {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  } else if (options.sink == "syslog") {
    // enable_formatting: our pattern (escaped payload) is what reaches syslog.
    sink = std::make_shared<spdlog::sinks::syslog_sink_mt>("pixelwarden", LOG_PID, LOG_MAIL, true);
  } else {
    return base::Error{"unknown log sink '" + options.sink + "'", {}, 0, 0};
  }
  auto logger = make_logger(options, std::move(sink));
  spdlog::set_default_logger(std::move(logger));
  return base::Ok{};
}

void shutdown_logging() {
  if (auto logger = spdlog::default_logger()) logger->flush();
  spdlog::shutdown();
}

std::uint64_t log_overruns() {
  auto pool = spdlog::thread_pool();
  return pool ? pool->overrun_counter() : 0;
}

}  // namespace pixelwarden::observe
