#include "engine/decide.hpp"

#include <algorithm>
#include <iterator>

#include "base/text.hpp"
#include "engine/evidence.hpp"
#include "mime/encoded_word.hpp"
#include "mime/header.hpp"

namespace pixelwarden::engine {
namespace {

constexpr const char* k_read_receipt_headers[] = {"Disposition-Notification-To",
                                                  "Return-Receipt-To", "X-Confirm-Reading-To"};

std::string_view strip_leading_space(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  return v;
}

Decision decision_of(ruleset::LureAction a) {
  switch (a) {
    case ruleset::LureAction::monitor:
      return Decision::monitor;
    case ruleset::LureAction::tag:
      return Decision::tag;
    case ruleset::LureAction::defang:
      return Decision::defang;
    case ruleset::LureAction::quarantine:
      return Decision::quarantine;
    case ruleset::LureAction::discard:
      return Decision::discard;
    case ruleset::LureAction::tempfail:
      return Decision::tempfail;
    case ruleset::LureAction::reject:
      return Decision::reject;
  }
  return Decision::none;
}

bool is_refusal(Decision d) {
  return d == Decision::reject || d == Decision::tempfail || d == Decision::discard;
}

// "550 5.7.1 text" -> Reply; a missing or malformed code falls back to the default.
Reply make_reply(Decision d, std::string_view configured) {
  Reply r;
  if (d == Decision::tempfail) {
    r.code = "451";
    r.xcode = "4.7.1";
    r.text = "Message deferred by policy";
  } else {
    r.text = "Message refused by policy";
  }
  std::string_view c = base::trim(configured);
  if (c.size() >= 3 && base::is_ascii_digit(c[0]) && base::is_ascii_digit(c[1]) &&
      base::is_ascii_digit(c[2]) && (c.size() == 3 || c[3] == ' ')) {
    r.code = std::string(c.substr(0, 3));
    c = base::trim(c.substr(3));
    const std::size_t sp = c.find(' ');
    const std::string_view x = c.substr(0, sp);
    if (x.size() >= 5 && base::is_ascii_digit(x[0]) && x[1] == '.' &&
        x.find('.', 2) != std::string_view::npos) {
      r.xcode = std::string(x);
      c = sp == std::string_view::npos ? std::string_view() : base::trim(c.substr(sp));
    }
    if (!c.empty()) r.text = std::string(c);
  } else if (!c.empty()) {
    r.text = std::string(c);
  }
  return r;
}

// One finding per rule and `where`: a stage re-finds what earlier stages found.
void merge_hits(std::vector<ruleset::LureHit>& hits, std::vector<ruleset::LureHit> fresh) {
  for (auto& h : fresh) {
    const bool seen = std::any_of(hits.begin(), hits.end(), [&](const ruleset::LureHit& o) {
      return o.rule == h.rule && o.where == h.where;
    });
    if (!seen) hits.push_back(std::move(h));
  }
}

}  // namespace

namespace {
bool is_mime_field(std::string_view name) {
  name = base::trim(name);
  return base::iequals(name, "Content-Type") || base::iequals(name, "Content-Transfer-Encoding") ||
         base::iequals(name, "Content-Disposition");
}
}  // namespace

bool is_uninspectable(std::optional<SkipReason> skipped) {
  return skipped == SkipReason::malformed_mime || skipped == SkipReason::too_large ||
         skipped == SkipReason::too_many_headers || skipped == SkipReason::headers_too_large;
}

MessageHeaders read_headers(std::span<const HeaderView> fields, const ruleset::Report& report) {
  MessageHeaders h;
  // Occurrences of the read-receipt names only (their removal addresses the N-th field of
  // that name): a table of every name seen made each field cost a scan of the names so far.
  int receipt_counts[std::size(k_read_receipt_headers)] = {};
  for (const HeaderView& f : fields) {
    const std::string_view v = strip_leading_space(f.value);
    if (base::iequals(f.name, "From")) {
      for (auto& a : header_addresses(v, &h.facts.from)) h.from.push_back(std::move(a));
    } else if (base::iequals(f.name, "Reply-To")) {
      for (auto& a : header_addresses(v, &h.facts.reply_to)) h.reply_to.push_back(std::move(a));
    } else if (base::iequals(f.name, "Sender")) {
      for (auto& a : header_addresses(v, &h.facts.sender)) h.sender.push_back(std::move(a));
    } else if (base::iequals(f.name, "Return-Path")) {
      for (auto& a : header_addresses(v)) h.return_path.push_back(std::move(a));
    } else if (base::iequals(f.name, "Message-ID") && h.message_id.empty()) {
      h.message_id = std::string(base::trim(v));
      h.message_id_domain = message_id_domain(v);
    } else if (base::iequals(f.name, "Subject") && !h.subject) {
      h.subject = std::string(v);
      h.facts.subject = mime::decode_rfc2047(mime::unfold(v));
    } else if (base::iequals(f.name, "Date") && !h.facts.date) {
      h.facts.date = std::string(base::trim(mime::unfold(v)));
    } else if (base::iequals(f.name, "Authentication-Results")) {
      h.dmarc_pass = h.dmarc_pass || dmarc_passed(v, report.authserv_id);
    } else if (is_mime_field(f.name)) {
      // As a header-block parser reads the name: without the whitespace before the colon.
      h.mime_fields.push_back({std::string(base::trim(f.name)), std::string(f.value)});
    }
    if (base::iequals(f.name, report.header)) ++h.report_headers;
    for (std::size_t i = 0; i < std::size(k_read_receipt_headers); ++i) {
      const char* rr = k_read_receipt_headers[i];
      if (base::iequals(f.name, rr)) {
        h.read_receipts.push_back({rr, ++receipt_counts[i], std::string(base::trim(v))});
      }
    }
  }
  return h;
}

void evaluate(const ruleset::Ruleset& rules, const ruleset::LureEvidence& lure,
              const ruleset::AllowEvidence& allow, ruleset::AllowDecision& allowed,
              std::vector<ruleset::LureHit>& hits, Verdict& verdict) {
  // Once a stage refused, the answer is settled (at DATA it may already be sent): later
  // stages only add their findings, so the verdict lists every match.
  const bool settled = verdict.final();
  if (!settled) {
    allowed = rules.match_allow(allow);
    verdict.allow_rules = allowed.rules;
  }
  if (allowed.skip_lures) {
    hits.clear();
  } else {
    merge_hits(hits, rules.match_lures(lure));
  }
  const bool global_monitor = rules.mode() == ruleset::Mode::monitor;
  verdict.lures.clear();
  Decision strongest = Decision::none;
  const ruleset::LureHit* strongest_hit = nullptr;
  for (const auto& h : hits) {
    const bool monitor = h.monitor || global_monitor;
    verdict.lures.push_back(
        {h.rule, h.action, h.where, h.value, monitor, {}, h.source, h.campaign});
    if (monitor) continue;
    const Decision d = decision_of(h.action);
    if (d > strongest) {
      strongest = d;
      strongest_hit = &h;
    }
  }
  if (settled) return;
  if (strongest == Decision::none && !hits.empty()) strongest = Decision::monitor;
  verdict.decision = strongest;
  if (allowed.skip_lures && allowed.skip_trackers) verdict.skipped = SkipReason::allowed;
  // A refusal is final now, unless an allow rule reading headers could still lift it.
  const bool allow_pending = !allow.headers_known && rules.allow_depends_on_headers();
  if (is_refusal(strongest) && !allow_pending) {
    verdict.action = strongest == Decision::reject     ? Action::reject
                     : strongest == Decision::tempfail ? Action::tempfail
                                                       : Action::discard;
    if (strongest != Decision::discard) verdict.reply = make_reply(strongest, strongest_hit->reply);
  }
}

namespace {

void add_read_receipts(const ruleset::Ruleset& rules, const MessageHeaders& headers, bool enforce,
                       Verdict& verdict) {
  if (rules.read_receipts() != ruleset::ReadReceipts::strip) return;
  // Last to first: removing the N-th field of a name leaves the earlier indexes valid.
  // (No std::views::reverse: Clang 14 with libstdc++ 12 cannot compile ranges views.)
  // NOLINTNEXTLINE(modernize-loop-convert)
  for (auto it = headers.read_receipts.rbegin(); it != headers.read_receipts.rend(); ++it) {
    TrackerRecord rec;
    rec.rule = "read-receipts";
    rec.action = ruleset::TrackerAction::strip;
    rec.vector = "mdn_header";
    rec.url = it->value;
    rec.monitor = !enforce;
    verdict.trackers.push_back(std::move(rec));
    verdict.vectors_seen.emplace_back("mdn_header");
    ++verdict.remote_resources;
    if (enforce)
      verdict.header_edits.push_back({HeaderEdit::Kind::remove, it->name, it->index, {}});
  }
}

std::string report_value(const Verdict& v) {
  std::vector<std::string> ids;
  for (const auto& l : v.lures) ids.push_back(l.rule);
  for (const auto& t : v.trackers) ids.push_back(t.rule);
  std::vector<std::string> unique;
  for (auto& id : ids) {
    if (std::find(unique.begin(), unique.end(), id) == unique.end()) unique.push_back(id);
  }
  std::string rules_list;
  for (const auto& id : unique) rules_list += (rules_list.empty() ? "" : ",") + id;
  return std::string("action=") + to_string(v.action) + "; decision=" + to_string(v.decision) +
         "; modified=" + (v.modified ? "yes" : "no") +
         "; trackers=" + std::to_string(v.trackers.size()) + "; rules=" + rules_list +
         "; ruleset=" + v.ruleset_name + "/" + v.ruleset_version + "/" +
         v.ruleset_sha256.substr(0, 12);
}

}  // namespace

void finish(const ruleset::Ruleset& rules, const MessageHeaders& headers, BodyScan* scan,
            std::string_view body, Verdict& verdict, const ruleset::GroupPolicy* group) {
  if (verdict.final()) return;
  const bool enforce = rules.mode() == ruleset::Mode::enforce;
  bool malformed = is_uninspectable(verdict.skipped);
  const auto policy = rules.malformed_mime();
  bool neutralize = malformed && policy == ruleset::MalformedPolicy::neutralize;
  // The body is rewritten first: a part that cannot be rewritten in its place makes the
  // message malformed, and everything below treats it as such.
  std::optional<BodyRewrite> rewrite;
  if (enforce && scan != nullptr && (!malformed || neutralize)) {
    RewritePlan plan{true, verdict.decision == Decision::defang || neutralize};
    if (group != nullptr) plan.remote_content = group->remote_content;
    rewrite = rewrite_body(body, *scan, rules, plan);
    if (!rewrite->unsafe_parts.empty() && !malformed) {
      malformed = true;
      verdict.skipped = SkipReason::malformed_mime;
      neutralize = policy == ruleset::MalformedPolicy::neutralize;
      if (neutralize) {
        plan.defang = true;  // what could be parsed, every remote resource neutralized
        rewrite = rewrite_body(body, *scan, rules, plan);
      } else {
        rewrite.reset();
      }
    }
  }
  // neutralize: what was parsed is rewritten with every remote resource neutralized, and
  // since what lies past the cap (or past max_message_bytes) cannot be inspected, the
  // message is also held: a sender can force quarantine, never an unfiltered delivery.
  if (verdict.decision == Decision::quarantine ||
      (malformed && enforce && (policy == ruleset::MalformedPolicy::quarantine || neutralize))) {
    verdict.action = Action::quarantine;
  }
  if (malformed && !neutralize) {
    for (auto& t : verdict.trackers) t.monitor = true;  // reported, not acted on
  }
  add_read_receipts(rules, headers, enforce, verdict);
  if (!enforce) return;  // monitor: decide and report, change nothing
  if (rewrite) {
    // The trackers of a part left as it was are reported, not acted on.
    for (auto& t : verdict.trackers) {
      const auto& unsafe = rewrite->unsafe_parts;
      if (std::find(unsafe.begin(), unsafe.end(), t.part) != unsafe.end()) t.monitor = true;
    }
    verdict.new_body = std::move(rewrite->body);
  }
  const auto& report = rules.report();
  const bool prefix = (verdict.decision == Decision::tag || verdict.decision == Decision::defang) &&
                      !report.subject_prefix.empty();
  if (prefix) {
    if (headers.subject) {
      verdict.header_edits.push_back(
          {HeaderEdit::Kind::change, "Subject", 1, report.subject_prefix + *headers.subject});
    } else {
      verdict.header_edits.push_back({HeaderEdit::Kind::add, "Subject", 1, report.subject_prefix});
    }
  }
  verdict.modified = verdict.new_body.has_value() || !verdict.header_edits.empty();
  for (int i = headers.report_headers; i >= 1; --i) {
    verdict.header_edits.push_back({HeaderEdit::Kind::remove, report.header, i, {}});
  }
  const bool enforced_tracker = std::any_of(verdict.trackers.begin(), verdict.trackers.end(),
                                            [](const TrackerRecord& t) { return !t.monitor; });
  const bool flagged =
      verdict.modified || enforced_tracker ||
      (verdict.decision != Decision::none && verdict.decision != Decision::monitor) ||
      (malformed && policy != ruleset::MalformedPolicy::pass);
  if (flagged || report.header_on == ruleset::HeaderOn::all) {
    verdict.header_edits.push_back(
        {HeaderEdit::Kind::add, report.header, 1, report_value(verdict)});
  }
}

}  // namespace pixelwarden::engine
