#pragma once
// MilterClient: the MTA side of the milter protocol (version 6), written for the load
// generator. It behaves like Postfix 3.7's milter8.c: it offers every action and every
// protocol flag Postfix offers, honours the filter's SMFIP_NO* (step not sent) and
// SMFIP_NR_* (no reply expected) answers and its SETSYMLIST macro lists, sends the
// macros of a stage even when the stage itself is skipped (as milter8_event does), and
// reads every modification request after end of body until the final reply.
//
// Non-goals: it does not apply the modifications (it counts them and their bytes), and
// it does not implement the "accept for the rest of the connection" states beyond
// stopping the message. Not thread-safe: one client per thread.
//
// Writes are buffered like Postfix's VSTREAM: commands accumulate and are written when
// the client is about to wait for a reply, or in buffer-sized writes as the buffer
// fills (a body chunk streams out while it is being written). The buffer is
// VSTREAM_BUFSIZE (4096 bytes) on a unix socket; on TCP, vstream_tweak_tcp() raises it
// to twice the MSS when the MSS exceeds half of it (about 128 KiB over loopback). No
// TCP_NODELAY unless asked (Postfix sets none on milter sockets).

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pixelwarden::bench {

// A message as the MTA hands it to milters: header fields and the CRLF body.
struct MilterMessage {
  std::vector<std::pair<std::string, std::string>> headers;  // value with its leading space
  std::string body;                                          // CRLF line endings
  std::string mail_from;
  std::string rcpt;
};

// Reads an .eml file (LF or CRLF) into headers and a CRLF body.
MilterMessage load_message(const std::string& path, const std::string& from,
                           const std::string& rcpt);

struct MessageOutcome {
  bool ok = false;       // protocol completed (whatever the verdict)
  char final_reply = 0;  // SMFIR_* code that ended the message ('a', 'c', 'r', ...)
  std::uint64_t eob_to_final_ns = 0;
  // From the first content event (the first header, once DATA is answered) to the final
  // reply: what an SMTP client waits after its final dot through Postfix, whose cleanup
  // hands the milters the message content only once it is all queued.
  std::uint64_t content_to_final_ns = 0;
  std::uint32_t replbody_packets = 0;
  std::uint64_t replbody_bytes = 0;
  std::uint32_t header_edits = 0;  // ADDHEADER, CHGHEADER, INSHEADER
  std::uint32_t other_edits = 0;   // recipients, sender, quarantine
  std::string error;
};

class MilterClient {
 public:
  // spec: "unix:/path", "inet:PORT@HOST" or "HOST:PORT".
  MilterClient(std::string spec, bool nodelay);
  ~MilterClient();
  MilterClient(const MilterClient&) = delete;
  MilterClient& operator=(const MilterClient&) = delete;

  // Opens the connection, negotiates and sends CONNECT and HELO.
  bool open(std::string& error);
  // One MAIL..EOM transaction; on a protocol error the connection is closed.
  MessageOutcome send_message(const MilterMessage& msg, std::uint64_t serial);
  // Ends the transaction state (SMFIC_ABORT, as Postfix does between messages); the
  // packet is buffered and leaves with the next command.
  bool abort_message();
  // SMFIC_QUIT and close.
  void close();

  std::uint32_t filter_protocol() const { return m_protocol; }
  std::uint32_t filter_actions() const { return m_actions; }

 private:
  enum class Stage { connect, helo, envfrom, envrcpt, data, eom, eoh, count };

  bool negotiate(std::string& error);
  void put(char cmd, std::string_view data);
  // Writes every full buffer, as VSTREAM does when a write fills it.
  bool write_full_buffers();
  void put_macros(Stage stage, char cmd, const std::string& queue_id);
  bool flush();
  bool read_packet(char& cmd, std::string& data);
  // Reads replies to a non-EOM step; returns false on error. `verdict` gets the code.
  bool read_step_reply(char& verdict);
  bool read_eom(MessageOutcome& out);
  bool send_envelope(const MilterMessage& msg, const std::string& queue_id, char& v);
  bool send_content(const MilterMessage& msg, const std::string& queue_id, char& v);
  bool step(Stage stage, char cmd, const std::string& data, std::uint32_t no_flag,
            std::uint32_t nr_flag, const std::string& queue_id, char& verdict);

  std::string m_spec;
  bool m_nodelay = false;
  int m_fd = -1;
  std::uint32_t m_protocol = 0;
  std::uint32_t m_actions = 0;
  std::vector<std::vector<std::string>> m_macros;  // per Stage
  std::string m_out;
  std::size_t m_buffer_size = 4096;  // VSTREAM_BUFSIZE, or the TCP size (see above)
  bool m_write_failed = false;
  const MilterMessage* m_msg = nullptr;  // the message in flight, for its macros
};

}  // namespace pixelwarden::bench
