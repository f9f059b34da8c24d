#include "daemon/config.hpp"

#include <doctest/doctest.h>

using namespace pixelwarden::daemon;
using namespace std::chrono_literals;

TEST_SUITE("daemon::Config") {
  TEST_CASE("built-in defaults follow docs/config.md") {
    const Config c = default_config();
    CHECK(c.milter.socket.to_string() == "inet:8894@127.0.0.1");
    CHECK(c.metrics.listen == "127.0.0.1:9894");
    CHECK(c.limits.max_message_bytes == 26214400);
    CHECK(c.milter.max_packet_bytes == 262144);
    CHECK(c.milter.on_error == OnError::accept);
    CHECK(c.milter.drain_timeout == 30s);
    CHECK_FALSE(c.milter.refuse_at_data);
    CHECK(c.audit.path.empty());
    CHECK(c.rules.path.find("rules/default.yaml") != std::string::npos);
  }

  TEST_CASE("every key of docs/config.md is read") {
    auto c = parse_config(R"(milter:
  socket: unix:/run/pixelwarden/milter.sock
  max_message_bytes: 1000
  max_packet_bytes: 524288
  on_error: tempfail
  drain_timeout: 500ms
  refuse_at_data: true
mime:
  max_depth: 8
  max_parts: 100
rules:
  path: /etc/pixelwarden/rules.yaml
  watch: false
  poll_interval: 2m
metrics:
  listen: 127.0.0.1:0
log:
  level: debug
  format: json
  sink: syslog
audit:
  path: /var/log/pixelwarden/audit.jsonl
)",
                          "/etc/pixelwarden/pixelwarden.yaml");
    REQUIRE(c.ok());
    CHECK(c->milter.socket.is_unix());
    CHECK(c->milter.socket.path == "/run/pixelwarden/milter.sock");
    CHECK(c->limits.max_message_bytes == 1000);
    CHECK(c->milter.max_packet_bytes == 524288);
    CHECK(c->milter.on_error == OnError::tempfail);
    CHECK(c->milter.drain_timeout == 500ms);
    CHECK(c->milter.refuse_at_data);
    CHECK(c->limits.walk.max_depth == 8);
    CHECK(c->limits.walk.max_parts == 100);
    CHECK(c->rules.path == "/etc/pixelwarden/rules.yaml");
    CHECK_FALSE(c->rules.watch);
    CHECK(c->rules.poll_interval == 120s);
    CHECK(c->metrics.listen == "127.0.0.1:0");
    CHECK(c->log.level == "debug");
    CHECK(c->log.format == "json");
    CHECK(c->log.sink == "syslog");
    CHECK(c->audit.path == "/var/log/pixelwarden/audit.jsonl");
    CHECK(c->source == "/etc/pixelwarden/pixelwarden.yaml");
  }

  TEST_CASE("connection limits and HTTP listener keys: defaults and values") {
    const Config d = default_config();
    CHECK(d.milter.max_connections == 4096);
    CHECK(d.milter.handshake_timeout == 10s);
    CHECK(d.milter.idle_timeout == 30min);
    CHECK(d.metrics.threads == 256);
    CHECK(d.metrics.request_timeout == 2s);
    auto c = parse_config(R"(milter:
  max_connections: 50
  handshake_timeout: 3s
  idle_timeout: 5m
metrics:
  threads: 8
  request_timeout: 500ms
)",
                          "/x/p.yaml");
    REQUIRE(c.ok());
    CHECK(c->milter.max_connections == 50);
    CHECK(c->milter.handshake_timeout == 3s);
    CHECK(c->milter.idle_timeout == 5min);
    CHECK(c->metrics.threads == 8);
    CHECK(c->metrics.request_timeout == 500ms);
  }

  TEST_CASE("a zero timeout or connection cap is refused") {
    for (const char* yaml :
         {"milter:\n  max_connections: 0\n", "milter:\n  idle_timeout: 0s\n",
          "milter:\n  handshake_timeout: 0\n", "metrics:\n  request_timeout: 0ms\n",
          "metrics:\n  threads: 0\n", "metrics:\n  threads: 5000\n"}) {
      CAPTURE(yaml);
      auto c = parse_config(yaml, "/x/p.yaml");
      CHECK_FALSE(c.ok());
    }
  }

  TEST_CASE("an unknown key is an error at its FILE:LINE:COL") {
    auto c = parse_config("milter:\n  socket: inet:1@127.0.0.1\n  on_eror: accept\n", "/x/p.yaml");
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().to_string() == "/x/p.yaml:3:3: unknown key 'milter.on_eror'");
  }

  TEST_CASE("an unknown section is an error") {
    auto c = parse_config("logs:\n  level: info\n", "/x/p.yaml");
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().line == 1);
    CHECK(c.error().column == 1);
  }

  TEST_CASE("a bad value is reported at the value") {
    auto c = parse_config("milter:\n  on_error: maybe\n", "/x/p.yaml");
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().line == 2);
    CHECK(c.error().column == 13);
    CHECK(c.error().message.find("accept | tempfail") != std::string::npos);
  }

  TEST_CASE("mime.max_depth is bounded by what the MIME walker's stack allows") {
    auto ok = parse_config("mime:\n  max_depth: 256\n", "/x/p.yaml");
    REQUIRE(ok.ok());
    CHECK(ok->limits.walk.max_depth == 256);
    auto c = parse_config("mime:\n  max_depth: 257\n", "/x/p.yaml");
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().line == 2);
    CHECK(c.error().column == 14);
    CHECK(c.error().message.find("at most 256") != std::string::npos);
  }

  TEST_CASE("relative paths resolve against the config file's directory") {
    auto c = parse_config("rules:\n  path: ../rules/default.yaml\naudit:\n  path: audit.jsonl\n",
                          "/opt/pw/config/pixelwarden.yaml");
    REQUIRE(c.ok());
    CHECK(c->rules.path == "/opt/pw/rules/default.yaml");
    CHECK(c->audit.path == "/opt/pw/config/audit.jsonl");
  }

  TEST_CASE("an empty audit path turns the audit log off") {
    auto c = parse_config("audit:\n  path:\n", "/x/p.yaml");
    REQUIRE(c.ok());
    CHECK(c->audit.path.empty());
    CHECK_FALSE(c->audit.enabled());
  }

  TEST_CASE("audit sinks, sampling, URL hashing and the line cap") {
    auto c = parse_config("audit:\n  sink: syslog\n  syslog_facility: local4\n  sample_rate: 0.25\n"
                          "  hash_url_queries: true\n  max_line_bytes: 8192\n",
                          "/x/p.yaml");
    REQUIRE(c.ok());
    CHECK(c->audit.sink == "syslog");
    CHECK(c->audit.enabled());
    CHECK(c->audit.syslog_socket == "/dev/log");
    CHECK(c->audit.syslog_facility == "local4");
    CHECK(c->audit.sample_rate == 0.25);
    CHECK(c->audit.hash_url_queries);
    CHECK(c->audit.max_line_bytes == 8192);
    CHECK(parse_config("audit:\n  sink: stdout\n", "/x/p.yaml")->audit.enabled());
  }

  TEST_CASE("bad audit values are refused with their position") {
    for (const char* bad :
         {"audit:\n  sample_rate: 1.5\n", "audit:\n  sample_rate: -0.1\n",
          "audit:\n  sample_rate: often\n", "audit:\n  sink: kafka\n",
          "audit:\n  max_line_bytes: 100\n", "audit:\n  syslog_facility: local9\n"}) {
      auto c = parse_config(bad, "/x/p.yaml");
      REQUIRE_FALSE(c.ok());
      CHECK(c.error().line == 2);
    }
  }

  TEST_CASE("a YAML syntax error carries its position") {
    auto c = parse_config("milter:\n  socket: [unclosed\n", "/x/p.yaml");
    REQUIRE_FALSE(c.ok());
    CHECK(c.error().file == "/x/p.yaml");
    CHECK(c.error().line >= 2);
  }

  TEST_CASE("a socket spec without a known scheme is refused") {
    CHECK_FALSE(parse_config("milter:\n  socket: 8894\n", "/x/p.yaml").ok());
    CHECK(parse_config("milter:\n  socket: inet6:8894@[::1]\n", "/x/p.yaml").ok());
  }

  TEST_CASE("milter.socket is parsed when the file is read; a bad one is an error at its value") {
    auto c = parse_config("milter:\n  socket: inet6:8894@[::1]\n", "/x/p.yaml");
    REQUIRE(c.ok());
    CHECK(c->milter.socket.kind == SocketSpec::Kind::inet6);
    CHECK(c->milter.socket.port == 8894);
    CHECK(c->milter.socket.host == "[::1]");
    auto scheme = parse_config("milter:\n  socket: 8894\n", "/x/p.yaml");
    REQUIRE_FALSE(scheme.ok());
    CHECK(scheme.error().to_string() ==
          "/x/p.yaml:2:11: milter.socket: expected unix:/path, inet:PORT@HOST or "
          "inet6:PORT@HOST, got '8894'");
    auto empty = parse_config("milter:\n  socket: 'unix:'\n", "/x/p.yaml");
    REQUIRE_FALSE(empty.ok());
    CHECK(empty.error().to_string() ==
          "/x/p.yaml:2:11: milter.socket: expected unix:/path, inet:PORT@HOST or "
          "inet6:PORT@HOST, got 'unix:'");
    auto port = parse_config("milter:\n  socket: inet:65536@127.0.0.1\n", "/x/p.yaml");
    REQUIRE_FALSE(port.ok());
    CHECK(port.error().to_string() ==
          "/x/p.yaml:2:11: milter.socket: expected a port from 0 to 65535, got '65536' in "
          "'inet:65536@127.0.0.1'");
  }

  TEST_CASE("privileges and socket ownership keys") {
    auto c = parse_config("daemon:\n  user: mailfilter\n  group: mail\n  allow_root: true\n"
                          "milter:\n  socket_group: postfix\n  socket_mode: '0640'\n"
                          "  postfix_chroot: /srv/postfix\n",
                          "/etc/pw.yaml");
    REQUIRE(c.ok());
    CHECK(c->daemon.user == "mailfilter");
    CHECK(c->daemon.group == "mail");
    CHECK(c->daemon.allow_root);
    CHECK(c->milter.socket_group == "postfix");
    CHECK(c->milter.socket_mode == 0640);
    CHECK(c->milter.postfix_chroot == "/srv/postfix");
    const Config d = default_config();
    CHECK(d.daemon.user == "pixelwarden");
    CHECK(d.daemon.group.empty());
    CHECK_FALSE(d.daemon.allow_root);
    CHECK(d.milter.socket_mode == 0660);
    CHECK(d.milter.postfix_chroot == "/var/spool/postfix");
    CHECK_FALSE(parse_config("milter:\n  socket_mode: 0999\n", "/p.yaml").ok());
  }

  TEST_CASE("every error of a file is reported at once, each at its position") {
    const ConfigCheck c = check_config_text(
        "milter:\n  on_error: maybe\n  sockett: x\nmime:\n  max_depth: -1\nbogus: 1\n", "/p.yaml");
    REQUIRE(c.errors.size() == 4);
    CHECK(c.errors[0].to_string().rfind("/p.yaml:2:13: milter.on_error", 0) == 0);
    CHECK(c.errors[1].to_string().rfind("/p.yaml:3:3: unknown key 'milter.sockett'", 0) == 0);
    CHECK(c.errors[2].to_string().rfind("/p.yaml:5:14: mime.max_depth", 0) == 0);
    CHECK(c.errors[3].to_string().rfind("/p.yaml:6:1: unknown key 'bogus'", 0) == 0);
    // load_config's single error is the first of them.
    CHECK(parse_config("milter:\n  on_error: maybe\nbogus: 1\n", "/p.yaml").error().line == 2);
  }

  TEST_CASE("an empty file means all defaults") {
    auto c = parse_config("", "/x/p.yaml");
    REQUIRE(c.ok());
    CHECK(c->milter.socket == default_config().milter.socket);
  }

  TEST_CASE("the bundled config file loads and points at the tree's default ruleset") {
    auto c = load_config(PIXELWARDEN_SOURCE_DIR "/config/pixelwarden.yaml");
    REQUIRE_MESSAGE(c.ok(), c.error().to_string());
    CHECK(c->rules.path == PIXELWARDEN_SOURCE_DIR "/rules/default.yaml");
  }
}

TEST_SUITE("daemon::parse_duration") {
  TEST_CASE("units") {
    CHECK(*parse_duration("30s") == 30s);
    CHECK(*parse_duration("500ms") == 500ms);
    CHECK(*parse_duration("2m") == 120s);
    CHECK(*parse_duration("1h") == 3600s);
    CHECK(*parse_duration("0") == 0ms);
    CHECK(*parse_duration("15") == 15s);
  }
  TEST_CASE("garbage is refused") {
    CHECK_FALSE(parse_duration("").ok());
    CHECK_FALSE(parse_duration("s").ok());
    CHECK_FALSE(parse_duration("10 s").ok());
    CHECK_FALSE(parse_duration("-1s").ok());
    CHECK_FALSE(parse_duration("5d").ok());
  }
}

TEST_SUITE("daemon::Config reload") {
  TEST_CASE("reload.require_tests: off by default, a boolean") {
    CHECK_FALSE(default_config().reload.require_tests);
    auto c = parse_config("reload:\n  require_tests: true\n", "c.yaml");
    REQUIRE(c.ok());
    CHECK(c->reload.require_tests);
    CHECK_FALSE(parse_config("reload:\n  require_tests: maybe\n", "c.yaml").ok());
    CHECK_FALSE(parse_config("reload:\n  require_test: true\n", "c.yaml").ok());
  }
  TEST_CASE("reload.strict: off by default, a boolean") {
    CHECK_FALSE(default_config().reload.strict);
    auto c = parse_config("reload:\n  strict: true\n", "c.yaml");
    REQUIRE(c.ok());
    CHECK(c->reload.strict);
    CHECK_FALSE(parse_config("reload:\n  strict: sometimes\n", "c.yaml").ok());
  }
}
