#include "intel/stix_pattern.hpp"

#include <optional>
#include <string>

namespace pixelwarden::intel {
namespace {

enum class Tok { lbracket, rbracket, lparen, rparen, path, string, op, keyword, other, end };

struct Token {
  Tok kind = Tok::end;
  std::string text;
};

bool ident_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == ':' || c == '.' || c == '*';
}

class Lexer {
 public:
  explicit Lexer(std::string_view s) : m_s(s) {}

  // Nothing on a lexical error (unterminated string); `error` says why.
  std::optional<Token> next(std::string& error) {
    while (m_i < m_s.size() &&
           (m_s[m_i] == ' ' || m_s[m_i] == '\t' || m_s[m_i] == '\n' || m_s[m_i] == '\r'))
      ++m_i;
    if (m_i == m_s.size()) return Token{Tok::end, ""};
    const char c = m_s[m_i];
    if (c == '[' || c == ']' || c == '(' || c == ')') {
      ++m_i;
      return Token{c == '['   ? Tok::lbracket
                   : c == ']' ? Tok::rbracket
                   : c == '(' ? Tok::lparen
                              : Tok::rparen,
                   std::string(1, c)};
    }
    if (c == '\'') return string(error);
    if (c == '=' || c == '!' || c == '<' || c == '>') {
      std::size_t at = m_i++;
      if (m_i < m_s.size() && m_s[m_i] == '=') ++m_i;
      return Token{Tok::op, std::string(m_s.substr(at, m_i - at))};
    }
    std::size_t at = m_i;
    bool in_path = false;  // a ':' seen: kept as we go (rescanning the word is quadratic)
    while (m_i < m_s.size() && ident_char(m_s[m_i])) {
      in_path = in_path || m_s[m_i] == ':';
      ++m_i;
      // An object path may hold list indexes (`to_refs[*].value`) and quoted
      // property names (`hashes.'SHA-256'`).
      if (in_path && m_i < m_s.size() && m_s[m_i] == '[') {
        const std::size_t close = m_s.find(']', m_i);
        if (close != std::string_view::npos) m_i = close + 1;
      } else if (in_path && m_i < m_s.size() && m_s[m_i] == '\'' && m_s[m_i - 1] == '.') {
        const std::size_t close = m_s.find('\'', m_i + 1);
        if (close != std::string_view::npos) m_i = close + 1;
      }
    }
    if (m_i == at) {
      ++m_i;
      return Token{Tok::other, std::string(1, c)};
    }
    std::string word(m_s.substr(at, m_i - at));
    if (word.find(':') != std::string::npos) return Token{Tok::path, word};
    return Token{Tok::keyword, word};
  }

 private:
  std::optional<Token> string(std::string& error) {
    std::string out;
    for (++m_i; m_i < m_s.size(); ++m_i) {
      const char c = m_s[m_i];
      if (c == '\\' && m_i + 1 < m_s.size()) {
        out.push_back(m_s[++m_i]);
      } else if (c == '\'') {
        ++m_i;
        return Token{Tok::string, out};
      } else {
        out.push_back(c);
      }
    }
    error = "unterminated string literal";
    return std::nullopt;
  }

  std::string_view m_s;
  std::size_t m_i = 0;
};

std::optional<ValueKind> kind_of(const std::string& path) {
  if (path == "domain-name:value") return ValueKind::domain;
  if (path == "url:value") return ValueKind::url;
  if (path == "email-addr:value" || path == "email-message:from_ref.value" ||
      path == "email-message:sender_ref.value") {
    return ValueKind::email;
  }
  return std::nullopt;
}

// Recursive descent over the tokens of one observation.
class Parser {
 public:
  explicit Parser(std::string_view s) : m_lex(s) {}

  PatternResult run() {
    advance();
    if (!m_error.empty()) return PatternInvalid{m_error};
    if (m_tok.kind != Tok::lbracket) return PatternInvalid{"a pattern starts with '['"};
    advance();
    expression();
    if (!m_error.empty()) return PatternInvalid{m_error};
    if (!m_unsupported.empty()) return PatternUnsupported{m_unsupported};
    if (m_tok.kind != Tok::rbracket)
      return PatternInvalid{"expected ']' or OR/AND, got '" + m_tok.text + "'"};
    advance();
    if (!m_error.empty()) return PatternInvalid{m_error};
    if (m_tok.kind == Tok::keyword) {
      return PatternUnsupported{"observation operator or qualifier '" + m_tok.text + "'"};
    }
    if (m_tok.kind != Tok::end)
      return PatternInvalid{"unexpected '" + m_tok.text + "' after the observation"};
    return m_values;
  }

 private:
  void advance() {
    if (!m_error.empty()) return;
    auto t = m_lex.next(m_error);
    m_tok = t ? *t : Token{Tok::end, ""};
  }

  void expression() {
    term();
    while (m_error.empty() && m_tok.kind == Tok::keyword &&
           (m_tok.text == "OR" || m_tok.text == "AND")) {
      advance();
      term();
    }
  }

  void term() {
    if (!m_error.empty()) return;
    if (m_tok.kind == Tok::lparen) {
      // Each level recurses: a feed's "((((..." must not overflow the stack.
      if (++m_depth > k_max_depth) {
        m_error = "parentheses nested deeper than " + std::to_string(k_max_depth);
        return;
      }
      advance();
      expression();
      if (m_error.empty() && m_tok.kind != Tok::rparen) m_error = "expected ')'";
      advance();
      --m_depth;
      return;
    }
    if (m_tok.kind == Tok::keyword && m_tok.text == "NOT") {
      note_unsupported("negated comparison");
      advance();
    }
    if (m_tok.kind != Tok::path) {
      m_error = "expected an object path, got '" + m_tok.text + "'";
      return;
    }
    const std::string path = m_tok.text;
    advance();
    std::string op = m_tok.text;
    if (m_tok.kind != Tok::op && m_tok.kind != Tok::keyword) {
      m_error = "expected a comparison operator after " + path;
      return;
    }
    advance();
    if (op == "IN") {  // a set: ('a', 'b'); unsupported, but skip it cleanly
      note_unsupported(path + " IN (...)");
      while (m_error.empty() && m_tok.kind != Tok::rparen && m_tok.kind != Tok::end) advance();
      advance();
      return;
    }
    if (m_tok.kind != Tok::string) {
      if (m_tok.kind == Tok::keyword || m_tok.kind == Tok::other) {
        note_unsupported(path + " " + op + " " + m_tok.text);  // numbers, t'', b'', h''
        advance();
        return;
      }
      m_error = "expected a string after " + path + " " + op;
      return;
    }
    const auto kind = kind_of(path);
    if (!kind) {
      note_unsupported("object path " + path);
    } else if (op != "=") {
      note_unsupported(path + " " + op);
    } else if (m_tok.text.empty()) {
      m_error = "empty value for " + path;
    } else {
      m_values.push_back(Observable{*kind, m_tok.text});
    }
    advance();
  }

  void note_unsupported(const std::string& what) {
    if (m_unsupported.empty()) m_unsupported = what;
  }

  static constexpr int k_max_depth = 64;

  Lexer m_lex;
  int m_depth = 0;
  Token m_tok;
  std::string m_error;
  std::string m_unsupported;
  std::vector<Observable> m_values;
};

}  // namespace

PatternResult parse_stix_pattern(std::string_view pattern) { return Parser(pattern).run(); }

}  // namespace pixelwarden::intel
