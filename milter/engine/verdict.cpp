#include "engine/verdict.hpp"

#include "base/json.hpp"

namespace pixelwarden::engine {

const char* to_string(Action a) {
  switch (a) {
    case Action::accept:
      return "accept";
    case Action::reject:
      return "reject";
    case Action::tempfail:
      return "tempfail";
    case Action::discard:
      return "discard";
    case Action::quarantine:
      return "quarantine";
  }
  return "accept";
}

const char* to_string(Decision d) {
  switch (d) {
    case Decision::none:
      return "none";
    case Decision::monitor:
      return "monitor";
    case Decision::tag:
      return "tag";
    case Decision::defang:
      return "defang";
    case Decision::quarantine:
      return "quarantine";
    case Decision::discard:
      return "discard";
    case Decision::tempfail:
      return "tempfail";
    case Decision::reject:
      return "reject";
  }
  return "none";
}

const char* to_string(SkipReason r) {
  switch (r) {
    case SkipReason::too_large:
      return "too_large";
    case SkipReason::malformed_mime:
      return "malformed_mime";
    case SkipReason::too_many_headers:
      return "too_many_headers";
    case SkipReason::headers_too_large:
      return "headers_too_large";
    case SkipReason::allowed:
      return "allowed";
    case SkipReason::error:
      return "error";
  }
  return "error";
}

std::optional<SkipReason> skip_reason_from(std::string_view text) {
  for (std::size_t i = 0; i < k_skip_reason_count; ++i) {
    const auto r = static_cast<SkipReason>(i);
    if (text == to_string(r)) return r;
  }
  return std::nullopt;
}

std::vector<const char*> stages_not_seen(const Verdict& v) {
  std::vector<const char*> out;
  if ((v.stages_seen & stage_envelope) == 0) out.push_back("envelope");
  if ((v.stages_seen & stage_headers) == 0) out.push_back("headers");
  if ((v.stages_seen & stage_body) == 0) out.push_back("body");
  return out;
}

namespace {

void write_envelope(base::JsonWriter& w, const Envelope& env) {
  w.key("envelope").begin_object().key("from").value(env.mail_from).key("rcpt").begin_array();
  for (const auto& r : env.rcpt) w.value(r);
  w.end_array().end_object();
}

void write_lures(base::JsonWriter& w, const std::vector<LureRecord>& lures) {
  w.key("lures").begin_array();
  for (const auto& l : lures) {
    w.begin_object().key("rule").value(l.rule).key("action").value(ruleset::to_string(l.action));
    w.key("where").value(l.where).key("value").value(l.value);
    if (!l.url.empty()) w.key("url").value(l.url);
    if (l.monitor) w.key("monitor").value(true);
    if (!l.source.empty()) w.key("source").value(l.source);
    if (!l.campaign.empty()) w.key("campaign").value(l.campaign);
    w.end_object();
  }
  w.end_array();
}

void write_trackers(base::JsonWriter& w, const std::vector<TrackerRecord>& trackers) {
  w.key("trackers").begin_array();
  for (const auto& t : trackers) {
    w.begin_object().key("rule").value(t.rule).key("action").value(ruleset::to_string(t.action));
    w.key("vector").value(t.vector).key("url").value(t.url).key("part").value(t.part);
    if (!t.vendor.empty()) w.key("vendor").value(t.vendor);
    if (t.monitor) w.key("monitor").value(true);
    w.end_object();
  }
  w.end_array();
}

}  // namespace

std::string to_json(const Verdict& v) {
  base::JsonWriter w;
  w.begin_object();
  w.key("action").value(to_string(v.action));
  w.key("decision").value(to_string(v.decision));
  w.key("modified").value(v.modified);
  w.key("mode").value(ruleset::to_string(v.mode));
  w.key("ruleset").begin_object().key("name").value(v.ruleset_name);
  w.key("version").value(v.ruleset_version).key("sha256").value(v.ruleset_sha256).end_object();
  if (!v.queue_id.empty()) w.key("queue_id").value(v.queue_id);
  w.key("message_id").value(v.message_id);
  write_envelope(w, v.envelope);
  write_lures(w, v.lures);
  write_trackers(w, v.trackers);
  if (!v.allow_rules.empty()) {
    w.key("allow").begin_array();
    for (const auto& a : v.allow_rules) w.value(a);
    w.end_array();
  }
  if (!v.groups.empty()) {  // absent: no recipient in a group (the group is "default")
    w.key("group").value(v.group);
    w.key("groups").begin_array();
    for (const auto& g : v.groups) w.value(g);
    w.end_array();
  }
  if (const auto unseen = stages_not_seen(v); !unseen.empty()) {
    w.key("stages_not_seen").begin_array();
    for (const char* s : unseen) w.value(s);
    w.end_array();
  }
  w.key("remote_resources").value(v.remote_resources);
  if (v.style_capped != 0) w.key("style_capped").value(v.style_capped);
  w.key("skipped");
  if (v.skipped) {
    w.value(to_string(*v.skipped));
  } else {
    w.null();
  }
  w.key("elapsed_us").value(v.elapsed_us);
  w.end_object();
  return w.take();
}

}  // namespace pixelwarden::engine
