#pragma once
// MilterActions: the seam between a decided Verdict and the MTA. The real implementation
// (SmfiActions, smfi_actions.cpp) calls smfi_*; tests use a recording fake. apply()
// turns one Verdict into calls on it, in the order Postfix needs:
//
//   1. the new body in ONE replace_body call (Postfix rejects a REPLBODY that follows
//      any other request, and small pieces stall on Nagle over inet: sockets)
//   2. header edits (add / change / remove via change with no value)
//   3. quarantine
//   4. the SMTP reply for reject / tempfail (multi-line safe)
//
// Non-goals: deciding anything; buffering. Only valid at end of message for 1-3
// (libmilter refuses modifications elsewhere); reply lines may be set at any stage.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/verdict.hpp"

namespace pixelwarden::daemon {

class MilterActions {
 public:
  virtual ~MilterActions() = default;
  // Each returns false when the MTA (or libmilter) refused the request.
  virtual bool add_header(std::string_view name, std::string_view value) = 0;
  // 1-based index among headers of that name; no value deletes the header.
  virtual bool change_header(std::string_view name, int index,
                             std::optional<std::string_view> value) = 0;
  virtual bool insert_header(int index, std::string_view name, std::string_view value) = 0;
  virtual bool replace_body(std::string_view body) = 0;
  virtual bool quarantine(std::string_view reason) = 0;
  // lines: already sanitized by reply_lines(); one line or several (multi-line reply).
  virtual bool set_reply(std::string_view code, std::string_view xcode,
                         const std::vector<std::string>& lines) = 0;
  virtual bool progress() = 0;
};

// What a milter step answers the MTA: the one outcome type between the engine's verdict
// and libmilter. Session returns it from every replying step; milter.cpp maps it 1:1 to
// sfsistat. The verdict's engine::Action differs in two ways only: `quarantine` is a
// request applied before the answer (answered `cont`), and `cont` (go on to the next
// step) is not a decision. answer_for() is the one mapping between them.
enum class Answer { cont, accept, reject, tempfail, discard };

// The answer for a verdict action at end of message (accept and quarantine: cont).
Answer answer_for(engine::Action action);

struct ApplyResult {
  Answer answer = Answer::cont;
  int failed_requests = 0;  // actions the MTA refused (logged and counted by the caller)
};

struct ApplyOptions {
  // SMFIP_HDR_LEADSPC was negotiated: header values travel byte-exact, so added and
  // changed values need their own leading space.
  bool leading_space = false;
};

ApplyResult apply(const engine::Verdict& verdict, MilterActions& actions,
                  const ApplyOptions& options = {});

// Sets the reply of a refusal and returns the answer for it (reject, tempfail or
// discard); used by apply() and by the decisions made before the body (answered at
// DATA with refuse_at_data, otherwise held for end of message).
ApplyResult apply_refusal(const engine::Verdict& verdict, MilterActions& actions);

// Reply text as libmilter accepts it: split on LF, CR and other control bytes removed,
// every '%' doubled (Sendmail uses the text as a format string), at most 32 lines of
// at most 980 bytes; never empty.
std::vector<std::string> reply_lines(std::string_view text);

}  // namespace pixelwarden::daemon
