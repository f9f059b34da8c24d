#include "milter_client.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace pixelwarden::bench {
namespace {

// Protocol constants (libmilter/mfdef.h); spelled out so the client needs no libmilter.
constexpr std::uint32_t k_version = 6;
constexpr std::uint32_t k_all_actions = 0x1FF;  // SMFI_CURR_ACTS: what Postfix 3.7 offers
// MILTER8_V6_PROTO_MASK: NO* steps, NOUNKNOWN, NODATA, SKIP, RCPT_REJ, NR_*, HDR_LEADSPC.
constexpr std::uint32_t k_all_protocol = 0x1FFFFF;
constexpr std::uint32_t p_noconnect = 0x1, p_nohelo = 0x2, p_nomail = 0x4, p_norcpt = 0x8,
                        p_nobody = 0x10, p_nohdrs = 0x20, p_noeoh = 0x40, p_nr_hdr = 0x80,
                        p_nodata = 0x200, p_nr_conn = 0x1000, p_nr_helo = 0x2000,
                        p_nr_mail = 0x4000, p_nr_rcpt = 0x8000, p_nr_data = 0x10000,
                        p_nr_eoh = 0x40000, p_nr_body = 0x80000, p_leadspc = 0x100000;
constexpr std::size_t k_chunk = 65535;           // MILTER_CHUNK_SIZE
constexpr std::size_t k_vstream_bufsize = 4096;  // VSTREAM_BUFSIZE

// Postfix 3.7's default milter_*_macros, per stage (connect, helo, mail, rcpt, data,
// eom, eoh).
const std::vector<std::vector<std::string>> k_default_macros = {
    {"j", "{daemon_name}", "{daemon_addr}", "v", "_"},
    {"{tls_version}", "{cipher}", "{cipher_bits}", "{cert_subject}", "{cert_issuer}"},
    {"i", "{auth_type}", "{auth_authen}", "{auth_author}", "{mail_addr}", "{mail_host}",
     "{mail_mailer}"},
    {"i", "{rcpt_addr}", "{rcpt_host}", "{rcpt_mailer}"},
    {"i"},
    {"i"},
    {"i"},
};

void put_u32(std::string& s, std::uint32_t v) {
  std::uint32_t n = htonl(v);
  s.append(reinterpret_cast<const char*>(&n), 4);
}

std::uint32_t get_u32(const std::string& s, std::size_t at) {
  std::uint32_t n = 0;
  std::memcpy(&n, s.data() + at, 4);
  return ntohl(n);
}

std::string strip_brackets(const std::string& a) {
  if (a.size() >= 2 && a.front() == '<' && a.back() == '>') return a.substr(1, a.size() - 2);
  return a;
}

// What Postfix would send for a macro at this point of an unauthenticated, non-TLS
// session from 192.0.2.1; empty: undefined (Postfix then omits it).
std::string macro_value(const std::string& name, const std::string& queue_id,
                        const MilterMessage* msg) {
  if (name == "j" || name == "{daemon_name}") return "mx.test";
  if (name == "{daemon_addr}") return "127.0.0.1";
  if (name == "v") return "Postfix 3.7.11";
  if (name == "_") return "client.example [192.0.2.1]";
  if (name == "{client_addr}") return "192.0.2.1";
  if (name == "{client_name}" || name == "{client_ptr}") return "client.example";
  if (name == "{client_port}") return "40000";
  if (name == "i") return queue_id;
  if (msg == nullptr) return {};
  if (name == "{mail_addr}") return strip_brackets(msg->mail_from);
  if (name == "{rcpt_addr}") return strip_brackets(msg->rcpt);
  if (name == "{rcpt_host}") return "127.0.0.1";
  if (name == "{rcpt_mailer}") return "smtp";
  return {};
}

int connect_spec(const std::string& spec, bool nodelay, std::string& error) {
  std::string s = spec;
  if (s.rfind("unix:", 0) == 0 || s.rfind("local:", 0) == 0) {
    std::string path = s.substr(s.find(':') + 1);
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      error = "connect " + spec + ": " + std::strerror(errno);
      ::close(fd);
      return -1;
    }
    return fd;
  }
  std::string host, port;
  if (s.rfind("inet:", 0) == 0) {  // inet:PORT@HOST
    s = s.substr(5);
    auto at = s.find('@');
    port = s.substr(0, at);
    host = at == std::string::npos ? "127.0.0.1" : s.substr(at + 1);
  } else {  // HOST:PORT
    auto colon = s.rfind(':');
    host = s.substr(0, colon);
    port = s.substr(colon + 1);
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(std::stoi(port)));
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    error = "bad address in " + spec;
    return -1;
  }
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (nodelay) {
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    error = "connect " + spec + ": " + std::strerror(errno);
    ::close(fd);
    return -1;
  }
  return fd;
}

bool read_full(int fd, char* p, std::size_t n) {
  while (n > 0) {
    ssize_t r = ::read(fd, p, n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return false;
    p += r;
    n -= static_cast<std::size_t>(r);
  }
  return true;
}

bool is_final(char c) {
  return c == 'a' || c == 'c' || c == 'r' || c == 't' || c == 'd' || c == 'y' || c == '4' ||
         c == 'f';
}

}  // namespace

MilterMessage load_message(const std::string& path, const std::string& from,
                           const std::string& rcpt) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string raw = ss.str();
  MilterMessage msg;
  msg.mail_from = "<" + from + ">";
  msg.rcpt = "<" + rcpt + ">";
  std::size_t pos = 0;
  while (pos < raw.size()) {
    std::size_t eol = raw.find('\n', pos);
    if (eol == std::string::npos) eol = raw.size();
    std::string line = raw.substr(pos, eol - pos);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    pos = eol + 1;
    if (line.empty()) break;
    if ((line[0] == ' ' || line[0] == '\t') && !msg.headers.empty()) {
      msg.headers.back().second += "\n" + line;  // Postfix joins folded lines with LF
      continue;
    }
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    msg.headers.emplace_back(line.substr(0, colon), line.substr(colon + 1));
  }
  msg.body.reserve(raw.size() + raw.size() / 30);
  while (pos < raw.size()) {
    std::size_t eol = raw.find('\n', pos);
    if (eol == std::string::npos) eol = raw.size();
    std::size_t end = eol;
    if (end > pos && raw[end - 1] == '\r') --end;
    msg.body.append(raw, pos, end - pos);
    msg.body += "\r\n";
    pos = eol + 1;
  }
  return msg;
}

MilterClient::MilterClient(std::string spec, bool nodelay)
    : m_spec(std::move(spec)), m_nodelay(nodelay) {}

MilterClient::~MilterClient() {
  if (m_fd >= 0) ::close(m_fd);
}

namespace {

bool send_all(int fd, const char* p, std::size_t n) {
  while (n > 0) {
    ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

// The VSTREAM buffer size Postfix ends up with on this socket (vstream_tweak_tcp).
std::size_t vstream_buffer_size(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return k_vstream_bufsize;
  if (ss.ss_family != AF_INET && ss.ss_family != AF_INET6) return k_vstream_bufsize;
  int mss = 0;
  socklen_t mss_len = sizeof(mss);
  if (::getsockopt(fd, IPPROTO_TCP, TCP_MAXSEG, &mss, &mss_len) != 0) return k_vstream_bufsize;
  if (mss > static_cast<int>(k_vstream_bufsize / 2)) return 2 * static_cast<std::size_t>(mss);
  return k_vstream_bufsize;
}

}  // namespace

void MilterClient::put(char cmd, std::string_view data) {
  put_u32(m_out, static_cast<std::uint32_t>(data.size() + 1));
  m_out += cmd;
  m_out += data;
  if (!write_full_buffers()) m_write_failed = true;
}

bool MilterClient::write_full_buffers() {
  if (m_write_failed) return false;
  std::size_t off = 0;
  while (m_out.size() - off >= m_buffer_size) {
    if (!send_all(m_fd, m_out.data() + off, m_buffer_size)) return false;
    off += m_buffer_size;
  }
  m_out.erase(0, off);
  return true;
}

bool MilterClient::flush() {
  if (m_write_failed || !send_all(m_fd, m_out.data(), m_out.size())) return false;
  m_out.clear();
  return true;
}

bool MilterClient::read_packet(char& cmd, std::string& data) {
  if (!m_out.empty() && !flush()) return false;
  char hdr[4];
  if (!read_full(m_fd, hdr, 4)) return false;
  std::uint32_t len = 0;
  std::memcpy(&len, hdr, 4);
  len = ntohl(len);
  if (len < 1 || len > (64u << 20)) return false;
  data.resize(len);
  if (!read_full(m_fd, data.data(), len)) return false;
  cmd = data[0];
  data.erase(0, 1);
  return true;
}

void MilterClient::put_macros(Stage stage, char cmd, const std::string& queue_id) {
  // Postfix looks each listed macro up, sends the defined ones, and sends the
  // SMFIC_MACRO packet even when none is defined (milter8_event).
  std::string data(1, cmd);
  for (const auto& name : m_macros[static_cast<int>(stage)]) {
    std::string v = macro_value(name, queue_id, m_msg);
    if (v.empty()) continue;
    data += name;
    data += '\0';
    data += v;
    data += '\0';
  }
  put('D', data);
}

bool MilterClient::negotiate(std::string& error) {
  std::string data;
  put_u32(data, k_version);
  put_u32(data, k_all_actions);
  put_u32(data, k_all_protocol);
  put('O', data);
  char cmd = 0;
  if (!read_packet(cmd, data) || cmd != 'O' || data.size() < 12) {
    error = "option negotiation failed";
    return false;
  }
  m_actions = get_u32(data, 4);
  m_protocol = get_u32(data, 8);
  m_macros = k_default_macros;
  // SETSYMLIST: (uint32 stage, NUL-terminated space-separated names)*. As in Postfix,
  // once the filter sends any list, every stage it did not list gets no macros.
  if (data.size() > 12) m_macros.assign(k_default_macros.size(), {});
  std::size_t at = 12;
  while (at + 4 < data.size()) {
    std::uint32_t stage = get_u32(data, at);
    at += 4;
    std::size_t nul = data.find('\0', at);
    if (nul == std::string::npos) nul = data.size();
    std::istringstream names(data.substr(at, nul - at));
    at = nul + 1;
    if (stage >= m_macros.size()) continue;
    m_macros[stage].clear();
    for (std::string n; names >> n;) m_macros[stage].push_back(n);
  }
  return true;
}

bool MilterClient::open(std::string& error) {
  m_fd = connect_spec(m_spec, m_nodelay, error);
  if (m_fd < 0) return false;
  m_buffer_size = vstream_buffer_size(m_fd);
  m_out.clear();
  // VSTREAM allocates its buffer once; growing a string to a 50 KB message by doubling
  // (and dropping it per connection) cost this client ~150 us more CPU per message over
  // TCP, where the buffer is 2 x MSS and a no-reply filter's whole message fits in it.
  // Room for a full buffer plus one 64 KiB body chunk appended to it.
  m_out.reserve(m_buffer_size + 65536 + 64);
  m_write_failed = false;
  if (!negotiate(error)) return false;
  m_msg = nullptr;
  char verdict = 0;
  // CONNECT: hostname, family '4', port (network order), address.
  std::string data = "client.example";
  data += '\0';
  data += '4';
  std::uint16_t port = htons(40000);
  data.append(reinterpret_cast<const char*>(&port), 2);
  data += "192.0.2.1";
  data += '\0';
  if (!step(Stage::connect, 'C', data, p_noconnect, p_nr_conn, {}, verdict)) {
    error = "connect step failed";
    return false;
  }
  if (!step(Stage::helo, 'H', std::string("client.example") + '\0', p_nohelo, p_nr_helo, {},
            verdict)) {
    error = "helo step failed";
    return false;
  }
  return true;
}

bool MilterClient::read_step_reply(char& verdict) {
  std::string data;
  for (;;) {
    char cmd = 0;
    if (!read_packet(cmd, data)) return false;
    if (cmd == 'p') continue;  // progress
    if (cmd == 'q') continue;  // quarantine is not a transition
    verdict = cmd;
    return true;
  }
}

bool MilterClient::step(Stage stage, char cmd, const std::string& data, std::uint32_t no_flag,
                        std::uint32_t nr_flag, const std::string& queue_id, char& verdict) {
  verdict = 'c';
  put_macros(stage, cmd, queue_id);  // sent even when the step itself is skipped
  if ((m_protocol & no_flag) != 0) return true;
  put(cmd, data);
  if ((m_protocol & nr_flag) != 0) return !m_write_failed;
  return read_step_reply(verdict);
}

// MAIL, RCPT, DATA. False on an I/O error; `v` is the filter's last verdict.
bool MilterClient::send_envelope(const MilterMessage& msg, const std::string& queue_id, char& v) {
  std::string data = msg.mail_from + '\0' + "BODY=8BITMIME" + '\0' +
                     "SIZE=" + std::to_string(msg.body.size()) + '\0';
  if (!step(Stage::envfrom, 'M', data, p_nomail, p_nr_mail, {}, v)) return false;
  if (v == 'c' && !step(Stage::envrcpt, 'R', msg.rcpt + '\0', p_norcpt, p_nr_rcpt, queue_id, v))
    return false;
  return v != 'c' || step(Stage::data, 'T', {}, p_nodata, p_nr_data, queue_id, v);
}

// Headers, EOH and the body chunks (stopping early on SMFIR_SKIP). Same contract.
bool MilterClient::send_content(const MilterMessage& msg, const std::string& queue_id, char& v) {
  const bool leadspc = (m_protocol & p_leadspc) != 0;
  for (std::size_t i = 0; i < msg.headers.size() && v == 'c' && (m_protocol & p_nohdrs) == 0; ++i) {
    const auto& [name, value] = msg.headers[i];
    std::string hv = value;
    if (!leadspc && !hv.empty() && hv[0] == ' ') hv.erase(0, 1);
    put('L', name + '\0' + hv + '\0');
    if ((m_protocol & p_nr_hdr) == 0 && !read_step_reply(v)) return false;
  }
  if (v == 'c' && !step(Stage::eoh, 'N', {}, p_noeoh, p_nr_eoh, queue_id, v)) return false;
  for (std::size_t off = 0; off < msg.body.size() && v == 'c' && (m_protocol & p_nobody) == 0;
       off += k_chunk) {
    put('B', std::string_view(msg.body).substr(off, k_chunk));
    if (m_write_failed) return false;
    if ((m_protocol & p_nr_body) != 0) continue;
    if (!read_step_reply(v)) return false;
    if (v == 's') {  // SMFIR_SKIP: no more body chunks
      v = 'c';
      break;
    }
  }
  return true;
}

MessageOutcome MilterClient::send_message(const MilterMessage& msg, std::uint64_t serial) {
  MessageOutcome out;
  m_msg = &msg;
  char qid[32];
  std::snprintf(qid, sizeof(qid), "4Tk%010llX", static_cast<unsigned long long>(serial));
  const std::string queue_id = qid;
  auto fail = [&](const char* what) {
    if (out.error.empty()) out.error = what;
    ::close(m_fd);
    m_fd = -1;
    return out;
  };
  char v = 'c';  // anything but continue (accept, reject, ...) ends the message
  if (!send_envelope(msg, queue_id, v)) return fail("envelope");
  // A filter with no-reply MAIL/RCPT/DATA leaves them in the buffer: out with them
  // first, so their processing is not counted as content time.
  if (!flush()) return fail("envelope");
  const auto content_start = std::chrono::steady_clock::now();
  if (v == 'c' && !send_content(msg, queue_id, v)) return fail("content");
  if (v != 'c') {  // decided before end of message: no EOM latency to measure
    out.ok = true;
    out.final_reply = v;
    return out;
  }
  put_macros(Stage::eom, 'E', queue_id);
  put('E', {});
  // Timed from before the last write: a filter on the other core may answer before
  // write(2) returns here.
  const auto t0 = std::chrono::steady_clock::now();
  if (!flush()) return fail("eob");
  if (!read_eom(out)) return fail("eom");
  const auto t1 = std::chrono::steady_clock::now();
  out.eob_to_final_ns = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count());
  out.content_to_final_ns = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - content_start).count());
  out.ok = true;
  return out;
}

bool MilterClient::read_eom(MessageOutcome& out) {
  std::string data;
  for (;;) {
    char cmd = 0;
    if (!read_packet(cmd, data)) return false;
    switch (cmd) {
      case 'b':
        ++out.replbody_packets;
        out.replbody_bytes += data.size();
        continue;
      case 'h':
      case 'm':
      case 'i':
        ++out.header_edits;
        continue;
      case 'q':
      case 'e':
      case '+':
      case '-':
      case '2':
        ++out.other_edits;
        continue;
      case 'p':
        continue;
      default:
        break;
    }
    if (is_final(cmd)) {
      out.final_reply = cmd;
      return true;
    }
    out.error = std::string("unexpected reply ") + cmd;
    return false;
  }
}

bool MilterClient::abort_message() {
  put('A', {});  // buffered: goes out with the next command, as through Postfix's VSTREAM
  return true;
}

void MilterClient::close() {
  if (m_fd < 0) return;
  put('Q', {});
  flush();
  ::close(m_fd);
  m_fd = -1;
}

}  // namespace pixelwarden::bench
