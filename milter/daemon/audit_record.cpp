#include "daemon/audit_record.hpp"

#include <cstring>
#include <optional>
#include <type_traits>
#include <vector>

namespace pixelwarden::daemon {
namespace {

// The record's fields, in order, for both directions: Packer reads them from a const
// verdict, Unpacker writes them into one, so the two cannot disagree on the order. The
// edits (new_body, header_edits, reply) are left out.
template <class Io, class V> void fields(Io& io, V& v) {
  io(v.action);
  io(v.decision);
  io(v.modified);
  io(v.mode);
  io(v.ruleset_name);
  io(v.ruleset_version);
  io(v.ruleset_sha256);
  io(v.queue_id);
  io(v.message_id);
  auto& e = v.envelope;
  io(e.mail_from);
  io(e.rcpt);
  io(e.client_ip);
  io(e.helo);
  io(e.auth_user);
  io(e.queue_id);
  auto& h = v.headers;
  const auto address = [&io](auto& a) {
    io(a.address);
    io(a.display_name);
  };
  io.list(h.from, address);
  io.list(h.reply_to, address);
  io.list(h.sender, address);
  io(h.subject);
  io(h.date);
  io(v.stages_seen);
  io.list(v.lures, [&io](auto& l) {
    io(l.rule);
    io(l.action);
    io(l.where);
    io(l.value);
    io(l.monitor);
    io(l.url);
    io(l.source);
    io(l.campaign);
  });
  io.list(v.trackers, [&io](auto& t) {
    io(t.rule);
    io(t.action);
    io(t.vector);
    io(t.url);
    io(t.part);
    io(t.vendor);
    io(t.monitor);
  });
  io(v.allow_rules);
  io(v.group);
  io(v.groups);
  io(v.remote_resources);
  io(v.vectors_seen);
  io(v.style_capped);
  io(v.skipped);
  io(v.elapsed_us);
  io(v.message_bytes);
}

// Writes a record: its length (u64, the bytes after it), then the fields. Numbers,
// flags and enums are a u64, strings a u64 length and their bytes, lists a u64 count
// and their elements, optionals a u64 0 or 1 and the value.
class Packer {
 public:
  explicit Packer(std::string& out) : m_out(out) {}

  void number(std::uint64_t n) {
    char b[sizeof n];
    std::memcpy(b, &n, sizeof n);
    m_out.append(b, sizeof b);
  }
  template <class N> std::enable_if_t<std::is_integral_v<N> || std::is_enum_v<N>> operator()(N n) {
    number(static_cast<std::uint64_t>(n));
  }
  void operator()(const std::string& s) {
    number(s.size());
    m_out.append(s);
  }
  template <class T> void operator()(const std::optional<T>& o) {
    number(o ? 1 : 0);
    if (o) (*this)(*o);
  }
  void operator()(const std::vector<std::string>& items) {
    list(items, [this](const std::string& s) { (*this)(s); });
  }
  template <class T, class F> void list(const std::vector<T>& items, F each) {
    number(items.size());
    for (const T& item : items) each(item);
  }

 private:
  std::string& m_out;
};

// Reads what Packer wrote. Every read checks the bytes left; the first short one marks
// the record bad and every later read gives zero or empty.
class Unpacker {
 public:
  explicit Unpacker(std::string_view in) : m_in(in) {}
  bool ok() const { return m_ok; }
  bool at_end() const { return m_in.empty(); }

  std::uint64_t number() {
    std::uint64_t n = 0;
    if (m_in.size() < sizeof n) {
      fail();
      return 0;
    }
    std::memcpy(&n, m_in.data(), sizeof n);
    m_in.remove_prefix(sizeof n);
    return n;
  }
  template <class N> std::enable_if_t<std::is_integral_v<N>> operator()(N& n) {
    n = static_cast<N>(number());
  }
  template <class E> std::enable_if_t<std::is_enum_v<E>> operator()(E& e) {
    e = static_cast<E>(static_cast<std::underlying_type_t<E>>(number()));
  }
  void operator()(std::string& s) {
    const std::uint64_t n = number();
    if (n > m_in.size()) {
      fail();
      s.clear();
      return;
    }
    s.assign(m_in.data(), static_cast<std::size_t>(n));  // keeps s's capacity
    m_in.remove_prefix(static_cast<std::size_t>(n));
  }
  template <class T> void operator()(std::optional<T>& o) {
    if (number() == 0) {
      o.reset();
      return;
    }
    if (!o) o.emplace();
    (*this)(*o);
  }
  void operator()(std::vector<std::string>& items) {
    list(items, [this](std::string& s) { (*this)(s); });
  }
  // Every element takes at least one u64, which bounds the count by the bytes left.
  template <class T, class F> void list(std::vector<T>& items, F each) {
    const std::uint64_t n = number();
    if (n > m_in.size() / sizeof(std::uint64_t)) {
      fail();
      items.clear();
      return;
    }
    items.resize(static_cast<std::size_t>(n));  // the elements keep their capacity
    for (T& item : items) each(item);
  }

 private:
  void fail() {
    m_ok = false;
    m_in = {};
  }
  std::string_view m_in;
  bool m_ok = true;
};

}  // namespace

void encode_audit_record(const engine::Verdict& v, std::string& out) {
  const std::size_t start = out.size();
  Packer p(out);
  p.number(0);  // the length, filled in below
  fields(p, v);
  const std::uint64_t length = out.size() - start - sizeof(std::uint64_t);
  std::memcpy(out.data() + start, &length, sizeof length);
}

bool decode_audit_record(std::string_view& in, engine::Verdict& v) {
  Unpacker frame(in);
  const std::uint64_t length = frame.number();
  if (!frame.ok() || length > in.size() - sizeof length) return false;
  Unpacker record(in.substr(sizeof length, static_cast<std::size_t>(length)));
  fields(record, v);
  if (!record.ok() || !record.at_end()) return false;
  in.remove_prefix(sizeof length + static_cast<std::size_t>(length));
  return true;
}

}  // namespace pixelwarden::daemon
