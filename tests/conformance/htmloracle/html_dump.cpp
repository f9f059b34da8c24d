// html_dump FILE...: for each HTML file, one JSON line with what the engine makes of it,
// for the html5lib differential oracle (oracle.py):
//   {"file": NAME,
//    "tokens": [["start", name, [[attr, decoded value]...], self_closing] | ["end", name] |
//               ["comment", text] | ["doctype", name] | ["cdata", text] | ["raw", element, text]],
//    "resources": [{"vector", "element", "attribute", "url", "resolved", "conditional"}...],
//    "links": [url...]}
// Tokens come from the tokenizer with Outlook conditional comments off (html5lib knows
// none); attributes are the non-duplicate ones, decoded as the engine decodes them;
// text between tags is not a token (the engine skips it). Resources and links are
// html::scan's, conditional comments on, as the milter runs it. Strings are the bytes
// the engine holds, JSON-escaped; newlines are not normalized (oracle.py does that).
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>

#include "html/entities.hpp"
#include "html/html.hpp"
#include "html/tokenizer.hpp"

namespace {

using namespace pixelwarden::html;

void json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (u < 0x20 || u == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(u));
      out += buf;
    } else {
      out.push_back(c);  // bytes >= 0x80 as they are: the reader decodes UTF-8
    }
  }
  out.push_back('"');
}

std::string doctype_name(std::string_view data) {
  std::size_t b = data.find_first_not_of(" \t\n\f\r");
  if (b == std::string_view::npos) return "";
  std::size_t e = data.find_first_of(" \t\n\f\r", b);
  std::string name;
  for (char c : data.substr(b, e == std::string_view::npos ? e : e - b)) {
    if (c == '\0')
      name += "\xEF\xBF\xBD";  // as the tokenizer spec emits it
    else
      name.push_back((c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c);
  }
  return name;
}

void tokens(std::string_view in, std::string& out) {
  Tokenizer tok(in, false);
  Token t;
  std::string value;
  out += "\"tokens\":[";
  bool first = true;
  while (tok.next(t)) {
    // A foreign <style>'s child text: html5lib's token stream has it as characters,
    // which neither side compares outside raw text.
    if (t.kind == TokenKind::foreign_text) continue;
    out += first ? "[" : ",[";
    first = false;
    const std::string_view data = in.substr(t.data_begin, t.data_end - t.data_begin);
    switch (t.kind) {
      case TokenKind::start_tag:
        out += "\"start\",";
        json_string(out, t.name);
        out += ",[";
        for (const Attribute& a : *t.attributes) {
          if (a.duplicate) continue;
          if (out.back() == ']') out.push_back(',');
          out.push_back('[');
          json_string(out, a.name);
          out.push_back(',');
          decode_attribute(in.substr(a.value_begin, a.value_end - a.value_begin), value);
          json_string(out, value);
          out.push_back(']');
        }
        out += t.self_closing ? "],true" : "],false";
        break;
      case TokenKind::end_tag:
        out += "\"end\",";
        json_string(out, t.name);
        break;
      case TokenKind::comment:
        out += "\"comment\",";
        json_string(out, comment_text(in, t));
        break;
      case TokenKind::doctype:
        out += "\"doctype\",";
        json_string(out, doctype_name(data));
        break;
      case TokenKind::cdata:
        out += "\"cdata\",";
        json_string(out, data);
        break;
      case TokenKind::raw_text:
        out += "\"raw\",";
        json_string(out, t.name);
        out.push_back(',');
        json_string(out, data);
        break;
      default:  // conditional comments are off
        out += "\"unexpected\"";
        break;
    }
    out.push_back(']');
  }
  out += "]";
}

void resources(std::string_view in, std::string& out) {
  const ScanResult s = scan(in);
  out += "\"resources\":[";
  for (std::size_t i = 0; i < s.resources.size(); ++i) {
    const Resource& r = s.resources[i];
    out += i == 0 ? "{" : ",{";
    out += "\"vector\":";
    json_string(out, to_string(r.vector));
    out += ",\"element\":";
    json_string(out, r.element);
    out += ",\"attribute\":";
    json_string(out, r.attribute);
    out += ",\"url\":";
    json_string(out, r.url);
    out += ",\"resolved\":";
    json_string(out, r.resolved);
    out += r.in_conditional_comment ? ",\"conditional\":true}" : ",\"conditional\":false}";
  }
  out += "],\"links\":[";
  for (std::size_t i = 0; i < s.links.size(); ++i) {
    if (i > 0) out.push_back(',');
    json_string(out, s.links[i].url);
  }
  out += "]";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: html_dump FILE...\n";
    return 2;
  }
  for (int i = 1; i < argc; ++i) {
    std::ifstream f(argv[i], std::ios::binary);
    if (!f) {
      std::cerr << "html_dump: cannot read " << argv[i] << "\n";
      return 1;
    }
    std::stringstream ss;
    ss << f.rdbuf();
    const std::string in = ss.str();
    std::string out = "{\"file\":";
    json_string(out, argv[i]);
    out.push_back(',');
    tokens(in, out);
    out.push_back(',');
    resources(in, out);
    out += "}\n";
    std::cout << out;
  }
  return 0;
}
