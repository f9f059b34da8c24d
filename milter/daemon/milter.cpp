#include "daemon/milter.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <libmilter/mfapi.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <exception>
#include <optional>
#include <string_view>
#include <thread>
#include <vector>

#include "daemon/connection_guard.hpp"
#include "daemon/worker_stack.hpp"

namespace pixelwarden::daemon {
namespace {

SessionEnv* g_env = nullptr;  // libmilter callbacks carry no user data
SocketSpec g_socket;          // the listening socket, for poke_listener()
int g_listen_fd = -1;
std::atomic<bool> g_main_returned{false};

constexpr unsigned long k_actions =
    SMFIF_CHGBODY | SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE | SMFIF_SETSYMLIST;
// Steps the MTA need not wait for: every one saves a round trip per message (and, in
// libmilter's worker pool, a hand-back of the connection to its poll thread).
// connect/helo/mail/rcpt/header always answer "continue". End of headers and the body
// chunks could answer more (a header-stage refusal, SKIP past max_message_bytes), but
// an SMTP client sees a refusal only after its final dot anyway (Postfix hands milters
// the content once it is all queued), so the header verdict is held for end of message
// and an oversized body is read and dropped. libmilter offers every one of these bits
// and answers "continue" itself to an MTA that lacks one, so they are always granted.
constexpr unsigned long k_no_reply = SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_MAIL | SMFIP_NR_RCPT |
                                     SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY;

// DATA answers only with milter.refuse_at_data (an envelope lure refused before the
// client sends the body). Otherwise the MTA need not send it at all (the envelope is
// inspected at end of headers and a refusal held for end of message), or, where it
// cannot skip DATA, need not wait for it.
unsigned long data_protocol(unsigned long offered) {
  if (g_env->refuse_at_data) return 0;
  if (offered & SMFIP_NODATA) return SMFIP_NODATA;
  return offered & SMFIP_NR_DATA;
}

// Connection state behind smfi_setpriv: the session plus what was negotiated.
struct Connection {
  explicit Connection(SessionEnv& env) : session(env) {}
  Session session;
  unsigned long protocol = 0;
};

// The real MilterActions over smfi_* (valid only inside the callback that made it).
class SmfiActions final : public MilterActions {
 public:
  explicit SmfiActions(SMFICTX* ctx) : m_ctx(ctx) {}
  bool add_header(std::string_view name, std::string_view value) override {
    std::string n(name), v(value);
    return smfi_addheader(m_ctx, n.data(), v.data()) == MI_SUCCESS;
  }
  bool change_header(std::string_view name, int index,
                     std::optional<std::string_view> value) override {
    std::string n(name), v(value.value_or(""));
    return smfi_chgheader(m_ctx, n.data(), index, value ? v.data() : nullptr) == MI_SUCCESS;
  }
  bool insert_header(int index, std::string_view name, std::string_view value) override {
    std::string n(name), v(value);
    return smfi_insheader(m_ctx, index, n.data(), v.data()) == MI_SUCCESS;
  }
  bool replace_body(std::string_view body) override {
    // One call: libmilter splits into 64 KiB packets itself, all contiguous.
    auto* p = reinterpret_cast<unsigned char*>(const_cast<char*>(body.data()));
    return smfi_replacebody(m_ctx, p, static_cast<int>(body.size())) == MI_SUCCESS;
  }
  bool quarantine(std::string_view reason) override {
    std::string r(reason);
    return smfi_quarantine(m_ctx, r.data()) == MI_SUCCESS;
  }
  bool set_reply(std::string_view code, std::string_view xcode,
                 const std::vector<std::string>& lines) override;
  bool progress() override { return smfi_progress(m_ctx) == MI_SUCCESS; }

 private:
  SMFICTX* m_ctx;
};

bool SmfiActions::set_reply(std::string_view code, std::string_view xcode,
                            const std::vector<std::string>& lines) {
  std::string c(code), x(xcode);
  if (lines.size() == 1) {
    std::string l = lines.front();
    return smfi_setreply(m_ctx, c.data(), x.data(), l.data()) == MI_SUCCESS;
  }
  // smfi_setmlreply is variadic (up to 32 lines, NULL-terminated).
  std::vector<const char*> p(33, nullptr);
  for (std::size_t i = 0; i < lines.size() && i < 32; ++i) p[i] = lines[i].c_str();
  return smfi_setmlreply(m_ctx, c.c_str(), x.c_str(), p[0], p[1], p[2], p[3], p[4], p[5], p[6],
                         p[7], p[8], p[9], p[10], p[11], p[12], p[13], p[14], p[15], p[16], p[17],
                         p[18], p[19], p[20], p[21], p[22], p[23], p[24], p[25], p[26], p[27],
                         p[28], p[29], p[30], p[31], nullptr) == MI_SUCCESS;
}

std::string macro(SMFICTX* ctx, const char* name) {
  const char* v = smfi_getsymval(ctx, const_cast<char*>(name));
  return v ? std::string(v) : std::string();
}

Connection* connection(SMFICTX* ctx) { return static_cast<Connection*>(smfi_getpriv(ctx)); }

// libmilter's SMFICTX is opaque, but its struct smfi_str has begun with {thread id,
// socket descriptor} in every release since 8.12 (libmilter/libmilter.h). The connection
// guard only trusts a descriptor read here if it is one it accepted itself.
struct ContextHead {
  pthread_t thread;
  int socket;
};

int socket_of(SMFICTX* ctx) {
  int fd = -1;
  if (ctx) {
    std::memcpy(&fd, reinterpret_cast<const char*>(ctx) + offsetof(ContextHead, socket), sizeof fd);
  }
  return fd;
}

// A milter command running for a connection: busy for the guard's idle timeout, and the
// option negotiation ends its handshake timeout.
class CommandScope {
 public:
  CommandScope(SMFICTX* ctx, bool negotiation) : m_fd(socket_of(ctx)) {
    command_begin(m_fd, negotiation);
  }
  ~CommandScope() { command_end(m_fd); }
  CommandScope(const CommandScope&) = delete;
  CommandScope& operator=(const CommandScope&) = delete;

 private:
  int m_fd;
};

Connection& ensure_connection(SMFICTX* ctx) {
  if (auto* c = connection(ctx)) return *c;
  auto* c = new Connection(*g_env);
  smfi_setpriv(ctx, c);
  return *c;
}

sfsistat to_sfsistat(Answer s) {
  switch (s) {
    case Answer::accept:
      return SMFIS_ACCEPT;
    case Answer::reject:
      return SMFIS_REJECT;
    case Answer::tempfail:
      return SMFIS_TEMPFAIL;
    case Answer::discard:
      return SMFIS_DISCARD;
    case Answer::cont:
      break;
  }
  return SMFIS_CONTINUE;
}

sfsistat on_error_answer() {
  return g_env && g_env->on_error == OnError::tempfail ? SMFIS_TEMPFAIL : SMFIS_ACCEPT;
}

// Runs one step; any exception is logged, counted and answered with on_error: at once
// by a replying step (nr_bit 0), at the next replying step by a no-reply one.
template <typename F>
sfsistat guarded(SMFICTX* ctx, const char* stage, unsigned long nr_bit, F&& f) {
  const CommandScope command(ctx, std::string_view(stage) == "negotiate");
  Connection* c = nullptr;
  try {
    c = &ensure_connection(ctx);
    return f(*c);
  } catch (const std::exception& e) {
    if (c) c->session.fail(stage, e.what());
  } catch (...) {
    if (c) c->session.fail(stage, "unknown exception");
  }
  if (!c) return on_error_answer();
  if (nr_bit && (c->protocol & nr_bit)) return SMFIS_NOREPLY;
  if (nr_bit) return SMFIS_CONTINUE;
  try {
    return to_sfsistat(c->session.answer_failure());
  } catch (...) {
    return on_error_answer();
  }
}

sfsistat no_reply(const Connection& c, unsigned long bit) {
  return (c.protocol & bit) ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

sfsistat on_negotiate(SMFICTX* ctx, unsigned long f0, unsigned long f1, unsigned long,
                      unsigned long, unsigned long* pf0, unsigned long* pf1, unsigned long* pf2,
                      unsigned long* pf3) {
  return guarded(ctx, "negotiate", 0, [&](Connection& c) -> sfsistat {
    if ((f0 & k_actions) != k_actions) {
      spdlog::warn("the MTA lacks milter actions (offered {:#x}, wanted {:#x}); edits may fail", f0,
                   k_actions);
    }
    *pf0 = f0 & k_actions;
    c.protocol = *pf1 | (f1 & (k_no_reply | SMFIP_HDR_LEADSPC)) | data_protocol(f1);
    *pf1 = c.protocol;
    *pf2 = 0;
    *pf3 = 0;
    c.session.set_leading_space(c.protocol & SMFIP_HDR_LEADSPC);
    if (f0 & SMFIF_SETSYMLIST) {
      static const std::vector<std::pair<int, const char*>> k_macros = {
          {SMFIM_CONNECT, "j {daemon_name} {client_addr} {client_name}"},
          {SMFIM_HELO, "{tls_version}"},
          {SMFIM_ENVFROM, "i {auth_authen} {auth_type} {mail_addr}"},
          {SMFIM_ENVRCPT, "i {rcpt_addr}"},
          {SMFIM_DATA, "i"},
          {SMFIM_EOH, "i"},
          {SMFIM_EOM, "i {auth_authen}"},
      };
      for (const auto& [stage, list] : k_macros) {
        std::string l(list);
        smfi_setsymlist(ctx, stage, l.data());
      }
    }
    return SMFIS_CONTINUE;
  });
}

std::string address_text(const _SOCK_ADDR* addr) {
  if (!addr) return {};
  char buf[INET6_ADDRSTRLEN] = {0};
  const auto* sa = reinterpret_cast<const sockaddr*>(addr);
  if (sa->sa_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, buf, sizeof buf);
  } else if (sa->sa_family == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, buf, sizeof buf);
  }
  return buf;
}

sfsistat on_connect(SMFICTX* ctx, char*, _SOCK_ADDR* hostaddr) {
  return guarded(ctx, "connect", SMFIP_NR_CONN, [&](Connection& c) {
    std::string ip = macro(ctx, "{client_addr}");
    c.session.connect(ip.empty() ? address_text(hostaddr) : ip);
    return no_reply(c, SMFIP_NR_CONN);
  });
}

sfsistat on_helo(SMFICTX* ctx, char* name) {
  return guarded(ctx, "helo", SMFIP_NR_HELO, [&](Connection& c) {
    c.session.helo(name ? name : "");
    return no_reply(c, SMFIP_NR_HELO);
  });
}

sfsistat on_envfrom(SMFICTX* ctx, char** argv) {
  return guarded(ctx, "envfrom", SMFIP_NR_MAIL, [&](Connection& c) {
    c.session.envfrom(argv && argv[0] ? argv[0] : "", macro(ctx, "{auth_authen}"), macro(ctx, "i"));
    return no_reply(c, SMFIP_NR_MAIL);
  });
}

sfsistat on_envrcpt(SMFICTX* ctx, char** argv) {
  return guarded(ctx, "envrcpt", SMFIP_NR_RCPT, [&](Connection& c) {
    c.session.rcpt(argv && argv[0] ? argv[0] : "");
    return no_reply(c, SMFIP_NR_RCPT);
  });
}

sfsistat on_data(SMFICTX* ctx) {
  const unsigned long nr_bit = g_env->refuse_at_data ? 0 : SMFIP_NR_DATA;
  return guarded(ctx, "data", nr_bit, [&](Connection& c) {
    SmfiActions actions(ctx);
    const Answer step = c.session.data(macro(ctx, "i"), actions);
    return nr_bit ? no_reply(c, nr_bit) : to_sfsistat(step);
  });
}

sfsistat on_header(SMFICTX* ctx, char* name, char* value) {
  return guarded(ctx, "header", SMFIP_NR_HDR, [&](Connection& c) {
    c.session.header(name ? name : "", value ? value : "");
    return no_reply(c, SMFIP_NR_HDR);
  });
}

sfsistat on_eoh(SMFICTX* ctx) {
  return guarded(ctx, "eoh", SMFIP_NR_EOH, [&](Connection& c) {
    c.session.eoh(macro(ctx, "i"));
    return no_reply(c, SMFIP_NR_EOH);
  });
}

sfsistat on_body(SMFICTX* ctx, unsigned char* chunk, size_t len) {
  return guarded(ctx, "body", SMFIP_NR_BODY, [&](Connection& c) {
    c.session.body({reinterpret_cast<const char*>(chunk), len});
    return no_reply(c, SMFIP_NR_BODY);
  });
}

sfsistat on_eom(SMFICTX* ctx) {
  return guarded(ctx, "eom", 0, [&](Connection& c) {
    SmfiActions actions(ctx);
    return to_sfsistat(c.session.eom(macro(ctx, "i"), actions));
  });
}

sfsistat on_abort(SMFICTX* ctx) {
  return guarded(ctx, "abort", 0, [&](Connection& c) {
    c.session.abort();
    return SMFIS_CONTINUE;
  });
}

sfsistat on_close(SMFICTX* ctx) {
  connection_closed(socket_of(ctx));
  try {
    delete connection(ctx);  // may be null after a failed negotiation
  } catch (...) {
    spdlog::error("internal error while closing a milter connection");
  }
  smfi_setpriv(ctx, nullptr);
  return SMFIS_CONTINUE;
}

// libmilter never sets TCP_NODELAY, so after a body replacement the small final packets
// wait on Nagle against the MTA's delayed ACK (~40 ms a message, measured in
// tests/bench/milter). libmilter does not expose its listening socket: it is the one
// listening descriptor that smfi_opensocket added (the HTTP listener, bound earlier,
// listens too); TCP_NODELAY is set there, and Linux copies it to every accepted
// connection. The connection guard needs the listener too (connection_guard.hpp).
std::vector<int> listening_fds() {
  std::vector<int> out;
  for (int fd = 0; fd < 1024; ++fd) {
    int listening = 0;
    socklen_t len = sizeof(listening);
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) == 0 && listening != 0) {
      out.push_back(fd);
    }
  }
  return out;
}

int new_listener(const std::vector<int>& before) {
  for (const int fd : listening_fds()) {
    if (std::find(before.begin(), before.end(), fd) == before.end()) return fd;
  }
  return -1;
}

void set_listener_nodelay(int fd) {
  sockaddr_storage addr{};
  socklen_t alen = sizeof(addr);
  if (fd < 0 || getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &alen) != 0) return;
  if (addr.ss_family != AF_INET && addr.ss_family != AF_INET6) return;
  int one = 1;
  if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)) != 0) {
    spdlog::warn("cannot set TCP_NODELAY on the milter socket: {}", std::strerror(errno));
  }
}

// libmilter creates a unix socket with the process umask (milter_open narrows it for
// the bind); the MTA connects through the socket's group and nobody else may.
base::Status restrict_unix_socket(const MilterOptions& options) {
  if (!options.socket.is_unix()) return base::Ok{};
  const std::string& path = options.socket.path;
  // Root changes the owner and mode of a path in a directory the daemon's user may own:
  // never through a symlink swapped in after the bind (lchown; the socket is checked
  // first, which narrows the window for the chmod, which has no no-follow form here).
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || !S_ISSOCK(st.st_mode)) {
    return base::plain_error("milter socket " + path + " is no longer the socket just bound");
  }
  // No chown(2) when nothing changes: a sandbox may forbid it (systemd's ~@privileged).
  const bool same =
      options.socket_owner == static_cast<uid_t>(-1) &&
      (options.socket_group == static_cast<gid_t>(-1) || options.socket_group == ::getegid());
  if (!same && ::lchown(path.c_str(), options.socket_owner, options.socket_group) != 0) {
    return base::plain_error("cannot set the owner/group of milter socket " + path + ": " +
                             std::strerror(errno));
  }
  if (::chmod(path.c_str(), options.socket_mode) != 0) {
    return base::plain_error(fmt::format("cannot set mode {:04o} on milter socket {}: {}",
                                         options.socket_mode, path, std::strerror(errno)));
  }
  return base::Ok{};
}

}  // namespace

base::Status milter_open(SessionEnv& env, const MilterOptions& options) {
  g_env = &env;
  static smfiDesc desc{};
  desc.xxfi_name = const_cast<char*>("pixelwarden");
  desc.xxfi_version = SMFI_VERSION;
  desc.xxfi_flags = k_actions;
  desc.xxfi_connect = on_connect;
  desc.xxfi_helo = on_helo;
  desc.xxfi_envfrom = on_envfrom;
  desc.xxfi_envrcpt = on_envrcpt;
  desc.xxfi_header = on_header;
  desc.xxfi_eoh = on_eoh;
  desc.xxfi_body = on_body;
  desc.xxfi_eom = on_eom;
  desc.xxfi_abort = on_abort;
  desc.xxfi_close = on_close;
  desc.xxfi_unknown = nullptr;
  desc.xxfi_data = on_data;
  desc.xxfi_negotiate = on_negotiate;
  if (smfi_register(desc) != MI_SUCCESS) return base::plain_error("smfi_register failed");
  static std::string conn;  // libmilter may keep the pointer
  conn = options.socket.to_string();
  g_socket = options.socket;
  if (smfi_setconn(conn.data()) != MI_SUCCESS) {
    return base::plain_error("invalid milter socket '" + conn + "'");
  }
  smfi_setmaxdatasize(options.max_packet_bytes);
  const auto timeout_s = std::chrono::ceil<std::chrono::seconds>(options.idle_timeout).count();
  smfi_settimeout(static_cast<int>(std::max<std::int64_t>(timeout_s, 1)));
  // A unix socket is born with at most its final mode (no window with the process
  // umask), then gets its owner, group and mode.
  const std::vector<int> listening_before = listening_fds();
  const mode_t umask_before = ::umask(static_cast<mode_t>(~options.socket_mode & 0777));
  const bool opened = smfi_opensocket(true) == MI_SUCCESS;
  ::umask(umask_before);
  if (!opened) {
    return base::plain_error("cannot listen on milter socket " + conn +
                             " (address in use, or not permitted)");
  }
  g_listen_fd = new_listener(listening_before);
  set_listener_nodelay(g_listen_fd);
  return restrict_unix_socket(options);
}

namespace {

// One connection to our own listening socket, closed at once: wakes libmilter's
// listener from its 5 s poll.
void poke_listener(const SocketSpec& spec) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (spec.is_unix()) {
    const std::string& path = spec.path;
    auto* sa = reinterpret_cast<sockaddr_un*>(&ss);
    if (path.size() >= sizeof sa->sun_path) return;
    sa->sun_family = AF_UNIX;
    std::memcpy(sa->sun_path, path.c_str(), path.size() + 1);
    len = sizeof(sockaddr_un);
  } else {
    std::string host = spec.host.empty() ? "127.0.0.1" : spec.host;
    if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
    if (host == "localhost" || host == "0.0.0.0") host = "127.0.0.1";
    const auto port = htons(spec.port);
    auto* sa4 = reinterpret_cast<sockaddr_in*>(&ss);
    auto* sa6 = reinterpret_cast<sockaddr_in6*>(&ss);
    if (inet_pton(AF_INET, host.c_str(), &sa4->sin_addr) == 1) {
      sa4->sin_family = AF_INET;
      sa4->sin_port = port;
      len = sizeof(sockaddr_in);
    } else if (inet_pton(AF_INET6, host.c_str(), &sa6->sin6_addr) == 1) {
      sa6->sin6_family = AF_INET6;
      sa6->sin6_port = port;
      len = sizeof(sockaddr_in6);
    } else {
      return;  // a host name: no poke, smfi_main returns within 5 s anyway
    }
  }
  const int fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  (void)::connect(fd, reinterpret_cast<sockaddr*>(&ss), len);
  ::close(fd);
}

}  // namespace

namespace {

// libmilter's worker pool retires a worker whenever two sit idle and starts a new one
// whenever none is: under load about one thread every three messages (perf stat
// syscalls:sys_enter_clone3, tests/bench milter). glibc keeps the stacks of finished
// threads for reuse up to 40 MiB, five of the default 8 MiB stacks, so half the new
// workers mapped a fresh stack while an old one was unmapped (with the TLB shootdown
// that costs across cores): 10-15% of the milter's throughput. With 1 MiB stacks the
// cache holds forty (k_worker_stack_bytes, worker_stack.hpp). The engine's worst inputs
// need far less (tests/unit/engine); our own threads were all started before this point.
void use_small_worker_stacks() {
  pthread_attr_t attr;
  if (pthread_attr_init(&attr) != 0) return;
  if (pthread_attr_setstacksize(&attr, k_worker_stack_bytes) != 0 ||
      pthread_setattr_default_np(&attr) != 0) {
    spdlog::warn("cannot set the milter worker stack size; using the default");
  }
  pthread_attr_destroy(&attr);
}

}  // namespace

int milter_listen_fd() { return g_listen_fd; }

bool milter_main() {
  use_small_worker_stacks();  // before smfi_main starts libmilter's threads
  const bool ok = smfi_main() == MI_SUCCESS;
  g_main_returned = true;
  return ok;
}

void milter_stop() {
  // smfi_stop() sets the stop flag, then waits for the listener's lock to close the
  // socket; the listener holds that lock while it polls (up to 5 s). So stop from a
  // helper thread and wake the listener with a connection of our own.
  std::thread([] { smfi_stop(); }).detach();
  for (int i = 0; i < 100 && !g_main_returned; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (!g_main_returned) poke_listener(g_socket);
  }
}

}  // namespace pixelwarden::daemon
