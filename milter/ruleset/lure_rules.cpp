// Builder, lure and allow rules.
#include "base/text.hpp"
#include "ruleset/builder.hpp"
#include "url/host.hpp"

namespace pixelwarden::ruleset {
namespace {

constexpr WhereMask k_default_lure_where = where_bit(Where::envelope_from) |
                                           where_bit(Where::header_from) |
                                           where_bit(Where::reply_to) | where_bit(Where::sender);

bool monitor_mode(const Checker& c, const YAML::Node& n) {
  if (!n["mode"].IsDefined()) return false;
  auto m = c.choice(n["mode"], "mode", {"enforce", "monitor"});
  return m && *m == 1;
}

// `reply:` must be an SMTP reply of the action's class: 5xx for reject, 4xx for tempfail.
bool check_reply(const Checker& c, const YAML::Node& n, LureAction a, std::string& reply) {
  auto s = c.scalar(n, "reply");
  if (!s) return false;
  reply = *s;
  if (a != LureAction::reject && a != LureAction::tempfail) {
    c.error(n, "reply is only used by reject and tempfail");
    return false;
  }
  char cls = a == LureAction::reject ? '5' : '4';
  bool ok = reply.size() >= 3 && reply[0] == cls && base::is_ascii_digit(reply[1]) &&
            base::is_ascii_digit(reply[2]) && (reply.size() == 3 || reply[3] == ' ');
  for (char ch : reply) ok = ok && ch != '\r' && ch != '\n';
  if (!ok) c.error(n, std::string("reply must be one line starting with a ") + cls + "xx code");
  return ok;
}

}  // namespace

void Builder::build_lure(const Checker& c, const YAML::Node& n) {
  if (!c.check_map(n, {"id", "description", "match", "action", "reply", "mode"}, "lure rule"))
    return;
  LureRule r;
  if (!check_id(c, n, r.id)) return;
  r.monitor = monitor_mode(c, n);
  if (!n["action"].IsDefined()) {
    c.error(n, "lure rule '" + r.id + "' needs an action");
  } else if (auto a = c.choice(
                 n["action"], "action",
                 {"monitor", "tag", "defang", "quarantine", "discard", "tempfail", "reject"})) {
    r.action = static_cast<LureAction>(*a);
    if (n["reply"].IsDefined()) check_reply(c, n["reply"], r.action, r.reply);
  }
  const YAML::Node m = n["match"];
  if (!m.IsDefined()) {
    c.error(n, "lure rule '" + r.id + "' needs a match");
    return;
  }
  if (!c.check_map(m, {"domain_in", "where", "lookalike_of", "display_name", "unless_domain_in"},
                   "match")) {
    return;
  }
  bool domain_keys = m["domain_in"].IsDefined() || m["lookalike_of"].IsDefined();
  if (!domain_keys && !m["display_name"].IsDefined()) {
    c.error(m, "a lure match needs domain_in, lookalike_of or display_name");
  }
  r.where = k_default_lure_where;
  if (m["where"].IsDefined()) {
    if (!domain_keys) c.error(m["where"], "where applies to domain_in and lookalike_of");
    r.where = where_mask(c, m["where"], false).value_or(0);
  }
  if (m["domain_in"].IsDefined())
    r.domain_list = list_ref(c, m["domain_in"], true, r.id, "domain_in");
  if (m["lookalike_of"].IsDefined()) {
    int idx = list_ref(c, m["lookalike_of"], true, r.id, "lookalike_of");
    r.lookalike_list = idx;
    if (idx >= 0) {
      const CompiledList& l = m_rs->m_lists[idx];
      if (l.domain_entries.empty() && l.entries > 0) {
        c.error(m["lookalike_of"], "lookalike_of takes at most 10000 domains");
      } else {
        std::vector<std::string> legit;
        for (const auto& e : l.domain_entries) legit.push_back(e.substr(e.rfind('*') == 0 ? 2 : 0));
        r.lookalike = std::make_shared<url::LookalikeDetector>(legit);
      }
    }
  }
  if (m["display_name"].IsDefined()) {
    if (auto re = c.scalar(m["display_name"], "display_name")) {
      std::string expr = *re;
      unsigned flags = HS_FLAG_UTF8 | HS_FLAG_UCP | HS_FLAG_SINGLEMATCH;
      if (expr.rfind("(?i)", 0) == 0) {
        expr.erase(0, 4);
        flags |= HS_FLAG_CASELESS;
      }
      // Hyperscan refuses \b and \w with UCP; ASCII word semantics then (news names are
      // ASCII words; non-ASCII letters still match literally under UTF8).
      if (check_expression(expr, flags)) flags &= ~static_cast<unsigned>(HS_FLAG_UCP);
      if (auto err = check_expression(expr, flags)) {
        c.error(m["display_name"], "invalid display_name regex: " + *err);
      } else {
        auto db = PatternDb::compile({PatternSpec{expr, flags, 0}});
        if (db.ok()) {
          r.display_name = std::move(db).value();
        } else {
          c.error(m["display_name"], "invalid display_name regex: " + db.error().message);
        }
      }
    }
  }
  if (m["unless_domain_in"].IsDefined()) {
    if (!m["display_name"].IsDefined() && !m["lookalike_of"].IsDefined()) {
      c.error(m["unless_domain_in"], "unless_domain_in applies to display_name and lookalike_of");
    }
    r.unless_list = list_ref(c, m["unless_domain_in"], true, r.id, "unless_domain_in");
  }
  m_rs->m_lures.push_back(std::move(r));
}

void Builder::build_allow(const Checker& c, const YAML::Node& n) {
  if (!c.check_map(n, {"id", "description", "match", "skip", "mode"}, "allow rule")) return;
  AllowRule r;
  if (!check_id(c, n, r.id)) return;
  r.monitor = monitor_mode(c, n);
  if (!n["skip"].IsDefined()) {
    c.error(n, "allow rule '" + r.id + "' needs skip: [lures, trackers]");
  } else if (auto items = c.scalars(n["skip"], "skip", true)) {
    for (const auto& [text, node] : *items) {
      auto k = c.choice(node, "skip", {"lures", "trackers"});
      if (k) (*k == 0 ? r.skip_lures : r.skip_trackers) = true;
    }
  }
  const YAML::Node m = n["match"];
  if (!m.IsDefined()) {
    c.error(n, "allow rule '" + r.id + "' needs a match");
    return;
  }
  if (!c.check_map(m, {"authenticated", "domain_in", "where", "dmarc_pass"}, "match")) return;
  if (m.size() == 0) c.error(m, "match must have at least one key");
  if (m["authenticated"].IsDefined())
    r.authenticated = c.boolean(m["authenticated"], "authenticated");
  if (m["dmarc_pass"].IsDefined()) {
    r.dmarc_pass = c.boolean(m["dmarc_pass"], "dmarc_pass");
    if (m_rs->settings().report.authserv_id.empty()) {
      c.error(m["dmarc_pass"],
              "dmarc_pass needs report.authserv_id (whose Authentication-Results to trust)");
    }
  }
  r.where = where_bit(Where::header_from);
  if (m["where"].IsDefined()) {
    if (!m["domain_in"].IsDefined()) c.error(m["where"], "where applies to domain_in");
    r.where = where_mask(c, m["where"], true).value_or(0);
  }
  if (m["domain_in"].IsDefined()) {
    r.domain_list = list_ref(c, m["domain_in"], true, r.id, "domain_in");
    if (!r.dmarc_pass.value_or(false) && (r.where & where_bit(Where::header_from)) != 0) {
      c.warn(m["domain_in"], "allow rule '" + r.id +
                                 "' trusts sender domains without dmarc_pass: true; anyone can "
                                 "forge them");
    }
  }
  m_rs->m_allow.push_back(std::move(r));
}

}  // namespace pixelwarden::ruleset
