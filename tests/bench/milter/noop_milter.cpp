// pw_noop_milter: the floor for the milter benchmarks, a libmilter filter that does
// nothing, in three variants:
//
//   plain     every callback registered (the MTA sends every step and the full body),
//             each answers continue
//   replbody  as plain, but buffers the body and hands it back unchanged in ONE
//             smfi_replacebody call at end of message (the cost of a body rewrite
//             without any inspection)
//   noreply   negotiates SMFIP_NR_* for every step the MTA offers it for, and answers
//             SMFIS_NOREPLY there (the cheapest protocol a full-body filter can speak)
//
//   pw_noop_milter -p SOCKET [-m plain|replbody|noreply] [-N 1]
//
// SOCKET as libmilter takes it: unix:/path or inet:PORT@127.0.0.1. -N 1 sets
// TCP_NODELAY on libmilter's listening socket (Linux copies it to accepted sockets),
// which libmilter itself never does: it shows what the Nagle/delayed-ACK stall after a
// body replacement costs over TCP.

#include <libmilter/mfapi.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

enum class Mode { plain, replbody, noreply, noreply_replbody };
Mode g_mode = Mode::plain;
bool no_reply_mode() { return g_mode == Mode::noreply || g_mode == Mode::noreply_replbody; }
bool replbody_mode() { return g_mode == Mode::replbody || g_mode == Mode::noreply_replbody; }

constexpr unsigned long k_nr_steps = SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_MAIL | SMFIP_NR_RCPT |
                                     SMFIP_NR_DATA | SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY |
                                     SMFIP_NR_UNKN;

sfsistat step_reply() { return no_reply_mode() ? SMFIS_NOREPLY : SMFIS_CONTINUE; }

std::string* body_of(SMFICTX* ctx) { return static_cast<std::string*>(smfi_getpriv(ctx)); }

sfsistat on_negotiate(SMFICTX*, unsigned long f0, unsigned long f1, unsigned long, unsigned long,
                      unsigned long* pf0, unsigned long* pf1, unsigned long* pf2,
                      unsigned long* pf3) {
  *pf0 = f0 & (SMFIF_CHGBODY | SMFIF_ADDHDRS);
  *pf1 = (*pf1 & ~SMFIP_NOBODY) | (no_reply_mode() ? (f1 & k_nr_steps) : 0);
  *pf2 = 0;
  *pf3 = 0;
  return SMFIS_CONTINUE;
}

sfsistat on_connect(SMFICTX* ctx, char*, _SOCK_ADDR*) {
  if (replbody_mode()) smfi_setpriv(ctx, new std::string());
  return step_reply();
}
sfsistat on_helo(SMFICTX*, char*) { return step_reply(); }
sfsistat on_envfrom(SMFICTX* ctx, char**) {
  if (auto* b = body_of(ctx)) b->clear();
  return step_reply();
}
sfsistat on_envrcpt(SMFICTX*, char**) { return step_reply(); }
sfsistat on_data(SMFICTX*) { return step_reply(); }
sfsistat on_header(SMFICTX*, char*, char*) { return step_reply(); }
sfsistat on_eoh(SMFICTX*) { return step_reply(); }

sfsistat on_body(SMFICTX* ctx, unsigned char* chunk, size_t len) {
  if (auto* b = body_of(ctx)) b->append(reinterpret_cast<const char*>(chunk), len);
  return step_reply();
}

sfsistat on_eom(SMFICTX* ctx) {
  if (auto* b = body_of(ctx)) {
    if (smfi_replacebody(ctx, reinterpret_cast<unsigned char*>(b->data()),
                         static_cast<int>(b->size())) != MI_SUCCESS)
      return SMFIS_TEMPFAIL;
    b->clear();
  }
  return SMFIS_CONTINUE;
}

sfsistat on_abort(SMFICTX* ctx) {
  if (auto* b = body_of(ctx)) b->clear();
  return SMFIS_CONTINUE;
}

sfsistat on_close(SMFICTX* ctx) {
  delete body_of(ctx);
  smfi_setpriv(ctx, nullptr);
  return SMFIS_CONTINUE;
}

// libmilter does not expose its listening socket: find it among our descriptors.
void set_listener_nodelay() {
  for (int fd = 0; fd < 1024; ++fd) {
    int listening = 0;
    socklen_t len = sizeof(listening);
    sockaddr_storage addr{};
    socklen_t alen = sizeof(addr);
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) != 0 || !listening) continue;
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &alen) != 0) continue;
    if (addr.ss_family != AF_INET && addr.ss_family != AF_INET6) continue;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }
}

}  // namespace

int main(int argc, char** argv) {
  const char* socket = nullptr;
  bool nodelay = false;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "-p") == 0) socket = argv[i + 1];
    if (std::strcmp(argv[i], "-N") == 0) nodelay = std::strcmp(argv[i + 1], "0") != 0;
    if (std::strcmp(argv[i], "-m") == 0) {
      std::string m = argv[i + 1];
      g_mode = m == "replbody"           ? Mode::replbody
               : m == "noreply"          ? Mode::noreply
               : m == "noreply-replbody" ? Mode::noreply_replbody
                                         : Mode::plain;
    }
  }
  if (socket == nullptr) {
    std::fprintf(stderr, "usage: pw_noop_milter -p SOCKET [-m plain|replbody|noreply]\n");
    return 2;
  }
  smfiDesc desc{};
  desc.xxfi_name = const_cast<char*>("pw-noop");
  desc.xxfi_version = SMFI_VERSION;
  desc.xxfi_flags = SMFIF_CHGBODY | SMFIF_ADDHDRS;
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
  desc.xxfi_data = on_data;
  desc.xxfi_negotiate = on_negotiate;
  if (smfi_setconn(const_cast<char*>(socket)) == MI_FAILURE || smfi_register(desc) == MI_FAILURE ||
      smfi_opensocket(true) == MI_FAILURE) {
    std::fprintf(stderr, "pw_noop_milter: cannot listen on %s\n", socket);
    return 1;
  }
  if (nodelay) set_listener_nodelay();
  return smfi_main() == MI_SUCCESS ? 0 : 1;
}
