#include "daemon/audit_log.hpp"

#include <doctest/doctest.h>

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "temp_dir.hpp"
#include <fcntl.h>

using namespace pixelwarden;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_SUITE("daemon::AuditLog") {
  TEST_CASE("lines are appended, each ending in a newline") {
    testing::TempDir dir;
    const std::string path = dir.write("audit.jsonl", "{\"old\":1}\n");
    auto log = daemon::AuditLog::open(path);
    REQUIRE(log.ok());
    CHECK((*log)->write_line("{\"a\":1}").ok());
    CHECK((*log)->write_line("{\"b\":2}").ok());
    (*log)->flush();
    CHECK(slurp(path) == "{\"old\":1}\n{\"a\":1}\n{\"b\":2}\n");
  }

  TEST_CASE("concurrent writers never interleave within a line") {
    testing::TempDir dir;
    auto log = daemon::AuditLog::open(dir.file("audit.jsonl"));
    REQUIRE(log.ok());
    std::vector<std::thread> threads;
    for (char c : {'a', 'b', 'c', 'd'}) {
      threads.emplace_back([&log, c] {
        const std::string line(5000, c);
        for (int i = 0; i < 200; ++i) (void)(*log)->write_line(line);
      });
    }
    for (auto& t : threads) t.join();
    (*log)->flush();
    std::istringstream in(slurp(dir.file("audit.jsonl")));
    int lines = 0;
    for (std::string line; std::getline(in, line); ++lines) {
      REQUIRE(line.size() == 5000);
      CHECK(line.find_first_not_of(line[0]) == std::string::npos);
    }
    CHECK(lines == 800);
  }

  TEST_CASE("the writer writes queued lines on its own, within the gather interval") {
    testing::TempDir dir;
    const std::string path = dir.file("audit.jsonl");
    auto log = daemon::AuditLog::open(path);
    REQUIRE(log.ok());
    CHECK((*log)->write_line("{\"a\":1}").ok());
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (slurp(path).empty() && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    CHECK(slurp(path) == "{\"a\":1}\n");  // no flush(): the writer did it
  }

  TEST_CASE("lines go out on their own while mail flows, and after the writer went idle") {
    // While lines keep coming the writer is never woken by them (it wakes every gather
    // interval); after a quiet interval it sleeps until the next line wakes it.
    testing::TempDir dir;
    const std::string path = dir.file("audit.jsonl");
    auto log = daemon::AuditLog::open(path);
    REQUIRE(log.ok());
    std::string expected;
    const auto wait_for_file = [&](const std::string& want) {
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
      while (slurp(path) != want && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      return slurp(path);
    };
    for (int i = 0; i < 40; ++i) {
      const std::string line = "{\"n\":" + std::to_string(i) + "}";
      REQUIRE((*log)->write_line(line).ok());
      expected += line + "\n";
      std::this_thread::sleep_for(std::chrono::microseconds(500));
    }
    CHECK(wait_for_file(expected) == expected);                  // no flush()
    std::this_thread::sleep_for(std::chrono::milliseconds(30));  // several quiet intervals
    REQUIRE((*log)->write_line("{\"late\":1}").ok());
    expected += "{\"late\":1}\n";
    CHECK(wait_for_file(expected) == expected);
  }

  TEST_CASE("a verdict handed over is formatted by the writer, in order with other lines") {
    testing::TempDir dir;
    const std::string path = dir.file("audit.jsonl");
    {
      auto log = daemon::AuditLog::open(path);
      REQUIRE(log.ok());
      REQUIRE((*log)->write_line("{\"first\":1}").ok());
      engine::Verdict v;
      v.queue_id = "4TkQ1";
      v.new_body = std::string(100000, 'x');  // not the audit line's: not in its record
      v.trackers.push_back({"vendor-pixels", ruleset::TrackerAction::neutralize, "img",
                            "https://t.example/o.gif?u=1", "2", "Vendor", false});
      REQUIRE((*log)->write(v, true).ok());
      REQUIRE((*log)->write_line("{\"last\":1}").ok());
    }
    std::istringstream in(slurp(path));
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    REQUIRE(lines.size() == 3);
    CHECK(lines[0] == "{\"first\":1}");
    CHECK(lines[1].find("\"queue_id\":\"4TkQ1\"") != std::string::npos);
    CHECK(lines[1].find("\"url\":\"https://t.example/o.gif?u=1\"") != std::string::npos);
    CHECK(lines[1].find("\"sampled\":true") != std::string::npos);
    CHECK(lines[1].find("xxxx") == std::string::npos);
    CHECK(lines[2] == "{\"last\":1}");
  }

  TEST_CASE("closing the log writes every queued line, in order") {
    testing::TempDir dir;
    const std::string path = dir.file("audit.jsonl");
    std::string expected;
    {
      auto log = daemon::AuditLog::open(path);
      REQUIRE(log.ok());
      for (int i = 0; i < 3000; ++i) {
        const std::string line = "{\"n\":" + std::to_string(i) + "}";
        REQUIRE((*log)->write_line(line).ok());
        expected += line + "\n";
      }
    }
    CHECK(slurp(path) == expected);
  }

  TEST_CASE("lines the disk refuses are reported to the error handler and counted") {
    testing::TempDir dir;
    const std::string path = dir.file("audit.jsonl");
    auto log = daemon::AuditLog::open(path);
    REQUIRE(log.ok());
    std::string reported;
    std::size_t reported_lines = 0;
    (*log)->set_error_handler([&](const std::string& error, std::size_t lines) {
      reported = error;
      reported_lines += lines;
    });
    // A file size limit stands in for a full disk: the first line fits, the second is
    // cut short, the third cannot start.
    struct rlimit saved {};
    REQUIRE(::getrlimit(RLIMIT_FSIZE, &saved) == 0);
    const auto old_handler = std::signal(SIGXFSZ, SIG_IGN);
    struct rlimit small = saved;
    small.rlim_cur = 100;
    REQUIRE(::setrlimit(RLIMIT_FSIZE, &small) == 0);
    const std::string line(59, 'x');  // 60 bytes with its newline
    for (int i = 0; i < 3; ++i) (void)(*log)->write_line(line);
    (*log)->flush();
    ::setrlimit(RLIMIT_FSIZE, &saved);
    std::signal(SIGXFSZ, old_handler);
    CHECK(reported_lines == 2);
    CHECK((*log)->lost_lines() == 2);
    CHECK(reported.find(path) != std::string::npos);
    CHECK(slurp(path).substr(0, 60) == line + "\n");
    CHECK(slurp(path).size() == 100);
  }

  TEST_CASE("reopen after a rotation writes to the new file") {
    testing::TempDir dir;
    const std::string path = dir.file("audit.jsonl");
    auto log = daemon::AuditLog::open(path);
    REQUIRE(log.ok());
    (void)(*log)->write_line("{\"n\":1}");
    std::filesystem::rename(path, path + ".1");
    (void)(*log)->write_line("{\"n\":2}");  // still the old file until reopened
    REQUIRE((*log)->reopen().ok());
    (void)(*log)->write_line("{\"n\":3}");
    (*log)->flush();
    CHECK(slurp(path + ".1") == "{\"n\":1}\n{\"n\":2}\n");
    CHECK(slurp(path) == "{\"n\":3}\n");
  }

  TEST_CASE("an unwritable path is an error naming it") {
    auto log = daemon::AuditLog::open("/nonexistent-dir/audit.jsonl");
    REQUIRE_FALSE(log.ok());
    CHECK(log.error().message.find("/nonexistent-dir/audit.jsonl") != std::string::npos);
  }

  TEST_CASE("a symlink at the path is refused, never followed") {
    testing::TempDir dir;
    const std::string target = dir.write("elsewhere", "");
    std::filesystem::create_symlink(target, dir.file("audit.jsonl"));
    auto log = daemon::AuditLog::open(dir.file("audit.jsonl"));
    REQUIRE_FALSE(log.ok());
    CHECK(log.error().message.find("symbolic link") != std::string::npos);
  }

  TEST_CASE("a symlink planted before a reopen does not redirect the appends") {
    testing::TempDir dir;
    const std::string path = dir.file("audit.jsonl");
    auto log = daemon::AuditLog::open(path);
    REQUIRE(log.ok());
    (void)(*log)->write_line("{\"n\":1}");
    std::filesystem::rename(path, path + ".1");
    const std::string victim = dir.write("victim", "");
    std::filesystem::create_symlink(victim, path);
    CHECK_FALSE((*log)->reopen().ok());
    (void)(*log)->write_line("{\"n\":2}");  // still the rotated file
    (*log)->flush();
    CHECK(slurp(victim).empty());
    CHECK(slurp(path + ".1") == "{\"n\":1}\n{\"n\":2}\n");
  }

  TEST_CASE("a FIFO at the path is refused without blocking") {
    testing::TempDir dir;
    REQUIRE(::mkfifo(dir.file("audit.jsonl").c_str(), 0600) == 0);
    auto log = daemon::AuditLog::open(dir.file("audit.jsonl"));  // no reader: ENXIO
    REQUIRE_FALSE(log.ok());
    CHECK(log.error().message.find(dir.file("audit.jsonl")) != std::string::npos);
    // With a reader the open succeeds, and the type check refuses it.
    const int reader = ::open(dir.file("audit.jsonl").c_str(), O_RDONLY | O_NONBLOCK);
    REQUIRE(reader >= 0);
    auto again = daemon::AuditLog::open(dir.file("audit.jsonl"));
    ::close(reader);
    REQUIRE_FALSE(again.ok());
    CHECK(again.error().message.find("not a regular file") != std::string::npos);
  }

  TEST_CASE("the descriptor is close-on-exec") {
    testing::TempDir dir;
    const int before = ::open("/dev/null", O_RDONLY);  // the lowest free descriptor
    ::close(before);
    auto log = daemon::AuditLog::open(dir.file("audit.jsonl"));
    REQUIRE(log.ok());
    CHECK((::fcntl(before, F_GETFD) & FD_CLOEXEC) != 0);
  }

  TEST_CASE("the syslog sink sends one datagram per line: header, tag, the JSON") {
    testing::TempDir dir;
    const std::string sock_path = dir.file("log.sock");
    const int rx = ::socket(AF_UNIX, SOCK_DGRAM, 0);
    REQUIRE(rx >= 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strcpy(addr.sun_path, sock_path.c_str());
    REQUIRE(::bind(rx, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
    daemon::AuditSettings s;
    s.sink = daemon::AuditSink::syslog;
    s.syslog_socket = sock_path;
    s.syslog_facility = daemon::syslog_facility("local3");
    auto log = daemon::AuditLog::open(s);
    REQUIRE(log.ok());
    REQUIRE((*log)->write_line("{\"a\":1}").ok());
    char buf[512] = {};
    const ssize_t n = ::recv(rx, buf, sizeof(buf) - 1, 0);
    REQUIRE(n > 0);
    const std::string msg(buf, static_cast<std::size_t>(n));
    CHECK(msg.rfind("<158>", 0) == 0);  // local3 (19) * 8 + info (6)
    CHECK(msg.find(" pixelwarden-audit[" + std::to_string(::getpid()) + "]: {\"a\":1}") !=
          std::string::npos);
    CHECK(msg.back() == '}');
    // The receiver restarts (a new socket at the same path): the sink reconnects.
    ::close(rx);
    std::filesystem::remove(sock_path);
    const int rx2 = ::socket(AF_UNIX, SOCK_DGRAM, 0);
    REQUIRE(::bind(rx2, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0);
    REQUIRE((*log)->write_line("{\"b\":2}").ok());
    const ssize_t n2 = ::recv(rx2, buf, sizeof(buf) - 1, 0);
    REQUIRE(n2 > 0);
    CHECK(std::string(buf, static_cast<std::size_t>(n2)).find("{\"b\":2}") != std::string::npos);
    ::close(rx2);
  }

  TEST_CASE("a missing syslog socket is a start-up error naming it") {
    daemon::AuditSettings s;
    s.sink = daemon::AuditSink::syslog;
    s.syslog_socket = "/nonexistent-dir/log";
    auto log = daemon::AuditLog::open(s);
    REQUIRE_FALSE(log.ok());
    CHECK(log.error().message.find("/nonexistent-dir/log") != std::string::npos);
  }

  TEST_CASE("the stdout sink writes whole lines to descriptor 1") {
    testing::TempDir dir;
    const std::string out = dir.file("stdout");
    std::fflush(stdout);
    const int saved = ::dup(STDOUT_FILENO);
    const int f = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    REQUIRE(::dup2(f, STDOUT_FILENO) == STDOUT_FILENO);
    ::close(f);
    {
      daemon::AuditSettings s;
      s.sink = daemon::AuditSink::stdout_;
      auto log = daemon::AuditLog::open(s);
      REQUIRE(log.ok());
      CHECK((*log)->write_line("{\"c\":3}").ok());
      CHECK((*log)->reopen().ok());
    }
    ::dup2(saved, STDOUT_FILENO);
    ::close(saved);
    CHECK(slurp(out) == "{\"c\":3}\n");
  }

  TEST_CASE("sampling: matched messages always, unmatched exactly at the rate") {
    testing::TempDir dir;
    daemon::AuditSettings s;
    s.path = dir.file("audit.jsonl");
    s.sample_rate = 0.1;
    auto log = daemon::AuditLog::open(s);
    REQUIRE(log.ok());
    int unmatched = 0;
    for (int i = 0; i < 1000; ++i) unmatched += (*log)->wants(false) ? 1 : 0;
    CHECK(unmatched == 100);
    CHECK((*log)->wants(true));
    s.sample_rate = 0;
    auto off = daemon::AuditLog::open(s);
    REQUIRE(off.ok());
    CHECK_FALSE((*off)->wants(false));
    CHECK((*off)->wants(true));
  }

  TEST_CASE("facility names") {
    CHECK(daemon::syslog_facility("mail") == 2);
    CHECK(daemon::syslog_facility("local7") == 23);
    CHECK(daemon::syslog_facility("local8") == -1);
    CHECK(daemon::syslog_facility("") == -1);
  }
}
