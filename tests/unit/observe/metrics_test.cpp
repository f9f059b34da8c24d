#include "observe/metrics.hpp"

#include <doctest/doctest.h>

#include <sstream>
#include <string>
#include <vector>

#include "../fake_ruleset.hpp"
#include "base/build_info.hpp"

using namespace pixelwarden;
using observe::Metrics;
using testing::FakeRuleset;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

bool has_line(const std::string& text, const std::string& line) {
  for (const auto& l : lines_of(text)) {
    if (l == line) return true;
  }
  return false;
}

// Every exposition line that starts with `prefix` (the metric name plus "{" or " ").
std::vector<std::string> lines_starting(const std::string& text, const std::string& prefix) {
  std::vector<std::string> out;
  for (const auto& l : lines_of(text)) {
    if (l.rfind(prefix, 0) == 0) out.push_back(l);
  }
  return out;
}

engine::TrackerRecord tracker(std::string rule, ruleset::TrackerAction action, std::string vector,
                              std::string vendor = {}, bool monitor = false) {
  engine::TrackerRecord t;
  t.rule = std::move(rule);
  t.action = action;
  t.vector = std::move(vector);
  t.url = "https://tracker.example/open?u=alice%40corp.example";
  t.vendor = std::move(vendor);
  t.monitor = monitor;
  return t;
}

engine::Verdict newsletter() {
  engine::Verdict v;
  v.action = engine::Action::accept;
  v.modified = true;
  v.trackers.push_back(
      tracker("known-tracker-domains", ruleset::TrackerAction::neutralize, "img", "Mailchimp"));
  v.trackers.push_back(
      tracker("known-tracker-domains", ruleset::TrackerAction::neutralize, "img", "Mailchimp"));
  v.trackers.push_back(tracker("invisible-image", ruleset::TrackerAction::strip, "background"));
  v.vectors_seen = {"img", "img", "img", "background"};
  v.remote_resources = 4;
  v.message_bytes = 5000;
  return v;
}

#define CHECK_LINE(text, line) CHECK_MESSAGE(has_line(text, line), "missing: " << line)

}  // namespace

TEST_SUITE("observe::Metrics") {
  TEST_CASE("messages_total has a zero child for every action from the start") {
    Metrics m("5.4.9");
    const std::string out = m.serialize();
    for (const char* a : {"accept", "reject", "tempfail", "discard", "quarantine"}) {
      CHECK_LINE(out, std::string("pixelwarden_messages_total{action=\"") + a + "\"} 0");
    }
    CHECK_LINE(out, "# TYPE pixelwarden_messages_total counter");
  }

  TEST_CASE("a verdict counts its action, modification, trackers, vendors and vectors") {
    Metrics m("5.4.9");
    m.record_message(newsletter(), 0.0003);
    const std::string out = m.serialize();
    CHECK_LINE(out, "pixelwarden_messages_total{action=\"accept\"} 1");
    CHECK_LINE(out, "pixelwarden_messages_modified_total 1");
    CHECK_LINE(out,
               "pixelwarden_trackers_total{action=\"neutralize\",rule=\"known-tracker-domains\","
               "vector=\"img\"} 2");
    CHECK_LINE(out, "pixelwarden_trackers_total{action=\"strip\",rule=\"invisible-image\","
                    "vector=\"background\"} 1");
    CHECK_LINE(out, "pixelwarden_tracker_vendors_total{vendor=\"Mailchimp\"} 2");
    // No vendor list named it: the rule id stands in.
    CHECK_LINE(out, "pixelwarden_tracker_vendors_total{vendor=\"invisible-image\"} 1");
    CHECK_LINE(out, "pixelwarden_remote_resources_total{vector=\"img\"} 3");
    CHECK_LINE(out, "pixelwarden_remote_resources_total{vector=\"background\"} 1");
    CHECK_LINE(out, "pixelwarden_remote_resources_total{vector=\"iframe\"} 0");
  }

  TEST_CASE("no label value comes from the message: the URL appears nowhere") {
    Metrics m("5.4.9");
    m.record_message(newsletter(), 0.0003);
    CHECK(m.serialize().find("tracker.example") == std::string::npos);
  }

  TEST_CASE("a reject with lure hits counts each hit by rule, where and action") {
    Metrics m("5.4.9");
    engine::Verdict v;
    v.action = engine::Action::reject;
    v.lures.push_back({"apt31-news-lures",
                       ruleset::LureAction::reject,
                       "header_from",
                       "lure-news.example",
                       false,
                       {}});
    v.lures.push_back(
        {"lookalike-brands", ruleset::LureAction::tag, "links", "nytimes.co", true, {}});
    m.record_message(v, 0.001);
    const std::string out = m.serialize();
    CHECK_LINE(out, "pixelwarden_messages_total{action=\"reject\"} 1");
    CHECK_LINE(out, "pixelwarden_messages_modified_total 0");
    CHECK_LINE(out, "pixelwarden_lure_hits_total{action=\"reject\",rule=\"apt31-news-lures\","
                    "where=\"header_from\"} 1");
    // A rule in monitor mode changed nothing: its action label says so.
    CHECK_LINE(out, "pixelwarden_lure_hits_total{action=\"monitor\",rule=\"lookalike-brands\","
                    "where=\"links\"} 1");
    CHECK(out.find("nytimes.co") == std::string::npos);
  }

  TEST_CASE("messages by recipient group: the verdict's group and the MTA outcome") {
    Metrics m("5.4.9");
    engine::Verdict v;
    v.action = engine::Action::reject;
    v.group = "members";
    m.record_message(v, 0.001);
    engine::Verdict other;
    m.record_message(other, 0.001);
    const std::string out = m.serialize();
    CHECK_LINE(out,
               "pixelwarden_recipient_group_messages_total{action=\"reject\",group=\"members\"} 1");
    CHECK_LINE(out,
               "pixelwarden_recipient_group_messages_total{action=\"accept\",group=\"default\"} 1");
  }

  TEST_CASE("in a monitor-mode ruleset every tracker is counted with action monitor") {
    Metrics m("5.4.9");
    engine::Verdict v = newsletter();
    v.mode = ruleset::Mode::monitor;
    m.record_message(v, 0.0003);
    const std::string out = m.serialize();
    CHECK_LINE(out, "pixelwarden_trackers_total{action=\"monitor\",rule=\"known-tracker-domains\","
                    "vector=\"img\"} 2");
    CHECK(lines_starting(out, "pixelwarden_trackers_total{action=\"neutralize\"").empty());
  }

  TEST_CASE("skipped messages are counted by reason") {
    Metrics m("5.4.9");
    engine::Verdict v;
    v.skipped = engine::SkipReason::too_large;
    m.record_message(v, 0.00001);
    m.record_message(v, 0.00001);
    const std::string out = m.serialize();
    CHECK_LINE(out, "pixelwarden_skipped_total{reason=\"too_large\"} 2");
    CHECK_LINE(out, "pixelwarden_skipped_total{reason=\"malformed_mime\"} 0");
  }

  TEST_CASE("duration and size histograms use the buckets of docs/metrics.md") {
    Metrics m("5.4.9");
    engine::Verdict v;
    v.message_bytes = 2000;
    m.record_message(v, 0.0003);
    const std::string out = m.serialize();
    const std::vector<std::string> duration =
        lines_starting(out, "pixelwarden_message_duration_seconds_bucket{");
    REQUIRE(duration.size() == 15);
    CHECK(duration[0] == "pixelwarden_message_duration_seconds_bucket{le=\"5e-05\"} 0");
    CHECK(duration[2] == "pixelwarden_message_duration_seconds_bucket{le=\"0.00025\"} 0");
    CHECK(duration[3] == "pixelwarden_message_duration_seconds_bucket{le=\"0.0005\"} 1");
    CHECK(duration[13] == "pixelwarden_message_duration_seconds_bucket{le=\"1\"} 1");
    CHECK(duration[14] == "pixelwarden_message_duration_seconds_bucket{le=\"+Inf\"} 1");
    CHECK_LINE(out, "pixelwarden_message_duration_seconds_count 1");
    CHECK_LINE(out, "# TYPE pixelwarden_message_duration_seconds histogram");
    const std::vector<std::string> size =
        lines_starting(out, "pixelwarden_message_size_bytes_bucket{");
    REQUIRE(size.size() == 10);
    CHECK(size[0] == "pixelwarden_message_size_bytes_bucket{le=\"1024\"} 0");
    CHECK(size[1] == "pixelwarden_message_size_bytes_bucket{le=\"4096\"} 1");
    CHECK(size[8] == "pixelwarden_message_size_bytes_bucket{le=\"67108864\"} 1");
    CHECK_LINE(out, "pixelwarden_message_size_bytes_sum 2000");
  }

  TEST_CASE("errors are counted by kind") {
    Metrics m("5.4.9");
    m.record_error(observe::ErrorKind::callback);
    m.record_error(observe::ErrorKind::callback);
    m.record_error(observe::ErrorKind::milter_action);
    const std::string out = m.serialize();
    CHECK_LINE(out, "pixelwarden_errors_total{kind=\"callback\"} 2");
    CHECK_LINE(out, "pixelwarden_errors_total{kind=\"milter_action\"} 1");
    CHECK(out.find("kind=\"audit_log\"") == std::string::npos);  // created on first use
  }

  TEST_CASE("milter_connections follows opens and closes") {
    Metrics m("5.4.9");
    m.connection_opened();
    m.connection_opened();
    m.connection_opened();
    m.connection_closed();
    CHECK_LINE(m.serialize(), "pixelwarden_milter_connections 2");
  }

  TEST_CASE("milter connection limits: refusals and timeouts by reason, sockets against the cap") {
    Metrics m("5.4.9");
    std::string out = m.serialize();
    CHECK_LINE(out, "pixelwarden_milter_connections_refused_total{reason=\"limit\"} 0");
    CHECK_LINE(out, "pixelwarden_milter_connections_shut_down_total{reason=\"idle_timeout\"} 0");
    m.milter_connection_refused("limit");
    m.milter_connection_refused("limit");
    m.milter_connection_refused("fd_limit");
    m.milter_connection_expired("handshake_timeout");
    m.milter_connection_expired("evicted");
    m.milter_connection_expired("packet_timeout");
    m.milter_connection_expired("packet_timeout");
    m.milter_connection_expired("no_such_reason");  // not a label value: ignored
    m.milter_sockets(7, 4096);
    out = m.serialize();
    CHECK_LINE(out, "pixelwarden_milter_connections_refused_total{reason=\"limit\"} 2");
    CHECK_LINE(out, "pixelwarden_milter_connections_refused_total{reason=\"fd_limit\"} 1");
    CHECK_LINE(out,
               "pixelwarden_milter_connections_shut_down_total{reason=\"handshake_timeout\"} 1");
    CHECK_LINE(out, "pixelwarden_milter_connections_shut_down_total{reason=\"evicted\"} 1");
    CHECK_LINE(out, "pixelwarden_milter_connections_shut_down_total{reason=\"packet_timeout\"} 2");
    CHECK_LINE(out, "pixelwarden_milter_open_sockets 7");
    CHECK_LINE(out, "pixelwarden_milter_connection_limit 4096");
    CHECK(out.find("no_such_reason") == std::string::npos);
  }

  TEST_CASE("ruleset_loaded exports the ruleset in force, its sizes and compile time") {
    Metrics m("5.4.9");
    m.ruleset_loaded(
        FakeRuleset({"corp-default", "2026.11.22-1", "abc123"}, {12, 3, 2, 4500, 0.25}));
    const std::string out = m.serialize();
    CHECK_LINE(out, "pixelwarden_ruleset_info{name=\"corp-default\",sha256=\"abc123\","
                    "version=\"2026.11.22-1\"} 1");
    CHECK_LINE(out, "pixelwarden_ruleset_rules{kind=\"tracker\"} 12");
    CHECK_LINE(out, "pixelwarden_ruleset_rules{kind=\"lure\"} 3");
    CHECK_LINE(out, "pixelwarden_ruleset_rules{kind=\"allow\"} 2");
    CHECK_LINE(out, "pixelwarden_ruleset_rules{kind=\"list_entries\"} 4500");
    CHECK_LINE(out, "pixelwarden_ruleset_compile_seconds 0.25");
    const auto ts =
        lines_starting(out, "pixelwarden_ruleset_last_reload_success_timestamp_seconds ");
    REQUIRE(ts.size() == 1);
    const double when = std::stod(ts[0].substr(ts[0].find(' ') + 1));
    const double now = static_cast<double>(std::time(nullptr));
    CHECK(when > now - 60);
    CHECK(when < now + 60);
  }

  TEST_CASE("after a reload only the new ruleset has a ruleset_info series") {
    Metrics m("5.4.9");
    m.ruleset_loaded(FakeRuleset({"corp", "1", "aaa"}, {1, 0, 0, 0, 0.1}));
    m.ruleset_loaded(FakeRuleset({"corp", "2", "bbb"}, {2, 0, 0, 0, 0.1}));
    const std::string out = m.serialize();
    const auto info = lines_starting(out, "pixelwarden_ruleset_info{");
    REQUIRE(info.size() == 1);
    CHECK(info[0] == "pixelwarden_ruleset_info{name=\"corp\",sha256=\"bbb\",version=\"2\"} 1");
    CHECK_LINE(out, "pixelwarden_ruleset_rules{kind=\"tracker\"} 2");
  }

  TEST_CASE("reload results are counted, every result present from the start") {
    Metrics m("5.4.9");
    CHECK_LINE(m.serialize(), "pixelwarden_ruleset_reloads_total{result=\"failure\"} 0");
    m.reload_result("failure");
    m.reload_result("success");
    m.reload_result("failure");
    const std::string out = m.serialize();
    CHECK_LINE(out, "pixelwarden_ruleset_reloads_total{result=\"failure\"} 2");
    CHECK_LINE(out, "pixelwarden_ruleset_reloads_total{result=\"success\"} 1");
    CHECK_LINE(out, "pixelwarden_ruleset_reloads_total{result=\"unchanged\"} 0");
  }

  TEST_CASE("build_info carries the version and the Hyperscan version") {
    Metrics m("5.4.9");
    CHECK_LINE(m.serialize(), std::string("pixelwarden_build_info{hyperscan=\"5.4.9\",version=\"") +
                                  base::k_version + "\"} 1");
  }

  TEST_CASE("the default constructor takes the Hyperscan version from the library") {
    Metrics m;
    const auto info = lines_starting(m.serialize(), "pixelwarden_build_info{hyperscan=\"");
    REQUIRE(info.size() == 1);
    CHECK(info[0].find("hyperscan=\"5.") != std::string::npos);
  }

  TEST_CASE("process metrics are part of the scrape") {
    Metrics m("5.4.9");
    const std::string out = m.serialize();
    CHECK(lines_starting(out, "process_resident_memory_bytes ").size() == 1);
    CHECK(lines_starting(out, "process_cpu_seconds_total ").size() == 1);
    CHECK(lines_starting(out, "process_open_fds ").size() == 1);
    CHECK(lines_starting(out, "process_start_time_seconds ").size() == 1);
  }

  TEST_CASE("every metric family of docs/metrics.md is exported with its TYPE once used") {
    // Families with ruleset-derived labels have no series (and no TYPE line) until first
    // use; one of each event brings them all out.
    Metrics m("5.4.9");
    engine::Verdict v = newsletter();
    v.lures.push_back(
        {"apt31-news-lures", ruleset::LureAction::reject, "header_from", "x.example", false, {}});
    m.record_message(v, 0.001);
    m.record_error(observe::ErrorKind::audit_log);
    m.ruleset_loaded(FakeRuleset({"corp", "1", "aaa"}, {1, 0, 0, 0, 0.1}));
    const std::string out = m.serialize();
    const std::vector<std::pair<std::string, std::string>> families = {
        {"pixelwarden_messages_total", "counter"},
        {"pixelwarden_messages_modified_total", "counter"},
        {"pixelwarden_trackers_total", "counter"},
        {"pixelwarden_tracker_vendors_total", "counter"},
        {"pixelwarden_lure_hits_total", "counter"},
        {"pixelwarden_recipient_group_messages_total", "counter"},
        {"pixelwarden_remote_resources_total", "counter"},
        {"pixelwarden_skipped_total", "counter"},
        {"pixelwarden_errors_total", "counter"},
        {"pixelwarden_message_duration_seconds", "histogram"},
        {"pixelwarden_message_size_bytes", "histogram"},
        {"pixelwarden_milter_connections", "gauge"},
        {"pixelwarden_ruleset_info", "gauge"},
        {"pixelwarden_ruleset_rules", "gauge"},
        {"pixelwarden_ruleset_reloads_total", "counter"},
        {"pixelwarden_ruleset_last_reload_success_timestamp_seconds", "gauge"},
        {"pixelwarden_ruleset_compile_seconds", "gauge"},
        {"pixelwarden_build_info", "gauge"},
    };
    for (const auto& family : families) {  // no structured binding: Clang 14 and CHECK
      CHECK_LINE(out, "# TYPE " + family.first + " " + family.second);
    }
  }
}
