#include "daemon/audit_record.hpp"

#include <cstring>
#include <optional>
#include <type_traits>
#include <vector>

namespace pixelwarden::daemon {
namespace {

// A record: its length (u64, the bytes after it), then the fields in the order of
// Packer::verdict(). Numbers and enums are u64, strings a u64 length and their bytes,
// lists a u64 count and their elements, optionals a u64 0 or 1 and the value.
class Packer {
 public:
  explicit Packer(std::string& out) : m_out(out) {}

  void number(std::uint64_t n) {
    char b[sizeof n];
    std::memcpy(b, &n, sizeof n);
    m_out.append(b, sizeof b);
  }
  template <class E>
  void enumerator(E e) {
    static_assert(std::is_enum_v<E>);
    number(static_cast<std::uint64_t>(e));
  }
  void text(std::string_view s) {
    number(s.size());
    m_out.append(s);
  }
  void texts(const std::vector<std::string>& list) {
    number(list.size());
    for (const auto& s : list) text(s);
  }
  void addresses(const std::vector<engine::MailAddress>& list) {
    number(list.size());
    for (const auto& a : list) {
      text(a.address);
      text(a.display_name);
    }
  }
  void optional_text(const std::optional<std::string>& s) {
    number(s ? 1 : 0);
    if (s) text(*s);
  }

  void verdict(const engine::Verdict& v) {
    enumerator(v.action);
    enumerator(v.decision);
    number(v.modified ? 1 : 0);
    enumerator(v.mode);
    text(v.ruleset_name);
    text(v.ruleset_version);
    text(v.ruleset_sha256);
    text(v.queue_id);
    text(v.message_id);
    const engine::Envelope& e = v.envelope;
    text(e.mail_from);
    texts(e.rcpt);
    text(e.client_ip);
    text(e.helo);
    text(e.auth_user);
    text(e.queue_id);
    const engine::HeaderFacts& h = v.headers;
    addresses(h.from);
    addresses(h.reply_to);
    addresses(h.sender);
    optional_text(h.subject);
    optional_text(h.date);
    number(v.stages_seen);
    number(v.lures.size());
    for (const auto& l : v.lures) {
      text(l.rule);
      enumerator(l.action);
      text(l.where);
      text(l.value);
      number(l.monitor ? 1 : 0);
      text(l.url);
      text(l.source);
      text(l.campaign);
    }
    number(v.trackers.size());
    for (const auto& t : v.trackers) {
      text(t.rule);
      enumerator(t.action);
      text(t.vector);
      text(t.url);
      text(t.part);
      text(t.vendor);
      number(t.monitor ? 1 : 0);
    }
    texts(v.allow_rules);
    text(v.group);
    texts(v.groups);
    number(v.remote_resources);
    texts(v.vectors_seen);
    number(v.style_capped);
    number(v.skipped ? 1 : 0);
    if (v.skipped) enumerator(*v.skipped);
    number(v.elapsed_us);
    number(v.message_bytes);
  }

 private:
  std::string& m_out;
};

// Reads what Packer wrote. Every read checks the bytes left; the first short one marks
// the record bad and every later read returns zero or empty.
class Unpacker {
 public:
  explicit Unpacker(std::string_view in) : m_in(in) {}
  bool ok() const { return m_ok; }
  bool at_end() const { return m_in.empty(); }

  std::uint64_t number() {
    std::uint64_t n = 0;
    if (m_in.size() < sizeof n) {
      m_ok = false;
      m_in = {};
      return 0;
    }
    std::memcpy(&n, m_in.data(), sizeof n);
    m_in.remove_prefix(sizeof n);
    return n;
  }
  template <class E>
  void enumerator(E& e) {
    e = static_cast<E>(static_cast<std::underlying_type_t<E>>(number()));
  }
  void flag(bool& b) { b = number() != 0; }
  void text(std::string& s) {
    const std::uint64_t n = number();
    if (n > m_in.size()) {
      m_ok = false;
      m_in = {};
      s.clear();
      return;
    }
    s.assign(m_in.data(), static_cast<std::size_t>(n));  // keeps s's capacity
    m_in.remove_prefix(static_cast<std::size_t>(n));
  }
  // A count of elements that take at least min_bytes each: bounded by what is left.
  std::size_t count(std::size_t min_bytes) {
    const std::uint64_t n = number();
    if (n > m_in.size() / min_bytes) {
      m_ok = false;
      m_in = {};
      return 0;
    }
    return static_cast<std::size_t>(n);
  }
  void texts(std::vector<std::string>& list) {
    list.resize(count(sizeof(std::uint64_t)));  // the elements keep their capacity
    for (auto& s : list) text(s);
  }
  void addresses(std::vector<engine::MailAddress>& list) {
    list.resize(count(2 * sizeof(std::uint64_t)));
    for (auto& a : list) {
      text(a.address);
      text(a.display_name);
    }
  }
  void optional_text(std::optional<std::string>& s) {
    if (number() == 0) {
      s.reset();
      return;
    }
    if (!s) s.emplace();
    text(*s);
  }

  void verdict(engine::Verdict& v) {
    enumerator(v.action);
    enumerator(v.decision);
    flag(v.modified);
    enumerator(v.mode);
    text(v.ruleset_name);
    text(v.ruleset_version);
    text(v.ruleset_sha256);
    text(v.queue_id);
    text(v.message_id);
    engine::Envelope& e = v.envelope;
    text(e.mail_from);
    texts(e.rcpt);
    text(e.client_ip);
    text(e.helo);
    text(e.auth_user);
    text(e.queue_id);
    engine::HeaderFacts& h = v.headers;
    addresses(h.from);
    addresses(h.reply_to);
    addresses(h.sender);
    optional_text(h.subject);
    optional_text(h.date);
    v.stages_seen = static_cast<unsigned>(number());
    v.lures.resize(count(8 * sizeof(std::uint64_t)));
    for (auto& l : v.lures) {
      text(l.rule);
      enumerator(l.action);
      text(l.where);
      text(l.value);
      flag(l.monitor);
      text(l.url);
      text(l.source);
      text(l.campaign);
    }
    v.trackers.resize(count(7 * sizeof(std::uint64_t)));
    for (auto& t : v.trackers) {
      text(t.rule);
      enumerator(t.action);
      text(t.vector);
      text(t.url);
      text(t.part);
      text(t.vendor);
      flag(t.monitor);
    }
    texts(v.allow_rules);
    text(v.group);
    texts(v.groups);
    v.remote_resources = number();
    texts(v.vectors_seen);
    v.style_capped = number();
    if (number() != 0) {
      engine::SkipReason r{};
      enumerator(r);
      v.skipped = r;
    } else {
      v.skipped.reset();
    }
    v.elapsed_us = number();
    v.message_bytes = number();
  }

 private:
  std::string_view m_in;
  bool m_ok = true;
};

}  // namespace

void encode_audit_record(const engine::Verdict& v, std::string& out) {
  const std::size_t start = out.size();
  Packer p(out);
  p.number(0);  // the length, filled in below
  p.verdict(v);
  const std::uint64_t length = out.size() - start - sizeof(std::uint64_t);
  std::memcpy(out.data() + start, &length, sizeof length);
}

bool decode_audit_record(std::string_view& in, engine::Verdict& v) {
  Unpacker frame(in);
  const std::uint64_t length = frame.number();
  if (!frame.ok() || length > in.size() - sizeof length) return false;
  Unpacker fields(in.substr(sizeof length, static_cast<std::size_t>(length)));
  fields.verdict(v);
  if (!fields.ok() || !fields.at_end()) return false;
  in.remove_prefix(sizeof length + static_cast<std::size_t>(length));
  return true;
}

}  // namespace pixelwarden::daemon
