#include "daemon/actions.hpp"

namespace pixelwarden::daemon {
namespace {

constexpr std::size_t k_max_lines = 32;
constexpr std::size_t k_max_line_bytes = 980;

bool valid_code(std::string_view code, char first) {
  return code.size() == 3 && code[0] == first && code[1] >= '0' && code[1] <= '9' &&
         code[2] >= '0' && code[2] <= '9';
}

bool valid_xcode(std::string_view xcode, char first) {
  // x.y.z with 1-3 digit parts, the class digit matching the reply code.
  if (xcode.size() < 5 || xcode[0] != first || xcode[1] != '.') return false;
  int dots = 0;
  for (char c : xcode.substr(1)) {
    if (c == '.') {
      ++dots;
    } else if (c < '0' || c > '9') {
      return false;
    }
  }
  return dots == 2 && xcode.back() != '.' && xcode.find("..") == std::string_view::npos;
}

std::string with_space(std::string_view value, const ApplyOptions& options) {
  std::string v;
  if (options.leading_space) v.push_back(' ');
  v.append(value);
  return v;
}

}  // namespace

std::vector<std::string> reply_lines(std::string_view text) {
  std::vector<std::string> lines;
  std::string line;
  auto flush = [&] {
    if (lines.size() < k_max_lines && !line.empty()) lines.push_back(line);
    line.clear();
  };
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '\n') {
      flush();
    } else if (c < 0x20 || c == 0x7f) {
      continue;  // CR and other control bytes could end or forge a reply line
    } else if (line.size() + (c == '%' ? 2 : 1) <= k_max_line_bytes) {
      line.push_back(ch);
      if (c == '%') line.push_back('%');
    }
  }
  flush();
  if (lines.empty()) lines.emplace_back("Message refused by policy");
  return lines;
}

Answer answer_for(engine::Action action) {
  switch (action) {
    case engine::Action::reject:
      return Answer::reject;
    case engine::Action::tempfail:
      return Answer::tempfail;
    case engine::Action::discard:
      return Answer::discard;
    case engine::Action::accept:
    case engine::Action::quarantine:
      return Answer::cont;
  }
  return Answer::cont;
}

ApplyResult apply_refusal(const engine::Verdict& verdict, MilterActions& actions) {
  ApplyResult r;
  r.answer = answer_for(verdict.action);
  if (r.answer != Answer::reject && r.answer != Answer::tempfail) return r;
  // libmilter silently ignores a reply whose class does not match the answer.
  const char cls = r.answer == Answer::reject ? '5' : '4';
  engine::Reply reply = verdict.reply.value_or(engine::Reply{});
  if (!valid_code(reply.code, cls)) reply.code = cls == '5' ? "550" : "451";
  if (!valid_xcode(reply.xcode, cls)) reply.xcode = cls == '5' ? "5.7.1" : "4.7.1";
  if (!actions.set_reply(reply.code, reply.xcode, reply_lines(reply.text))) ++r.failed_requests;
  return r;
}

ApplyResult apply(const engine::Verdict& verdict, MilterActions& actions,
                  const ApplyOptions& options) {
  if (verdict.final()) return apply_refusal(verdict, actions);
  ApplyResult r;
  if (verdict.new_body && !actions.replace_body(*verdict.new_body)) ++r.failed_requests;
  for (const auto& edit : verdict.header_edits) {
    bool ok = true;
    switch (edit.kind) {
      case engine::HeaderEdit::Kind::add:
        ok = actions.add_header(edit.name, with_space(edit.value, options));
        break;
      case engine::HeaderEdit::Kind::change:
        ok = actions.change_header(edit.name, edit.index, with_space(edit.value, options));
        break;
      case engine::HeaderEdit::Kind::remove:
        ok = actions.change_header(edit.name, edit.index, std::nullopt);
        break;
    }
    if (!ok) ++r.failed_requests;
  }
  if (verdict.action == engine::Action::quarantine) {
    std::string reason = "pixelwarden";
    if (!verdict.lures.empty()) reason += ": " + verdict.lures.front().rule;
    if (!actions.quarantine(reply_lines(reason).front())) ++r.failed_requests;
  }
  r.answer = answer_for(verdict.action);
  return r;
}

}  // namespace pixelwarden::daemon
