// html5lib tokenizer conformance: runs every test of html5lib-tests' tokenizer suite
// (the html5lib-tokenizer folder of the outside corpora, see tests/README.md) through
// html::Tokenizer (conditional comments off: plain WHATWG) and compares the start tags
// (name, attributes with decoded values, self-closing), end tags and
// comments. Character and DOCTYPE tokens are not compared: the engine never emits
// text. Tests that fail are listed with a reason in expected-failures.txt; a new
// failure, or a listed test that now passes, fails the run.
// Usage: html5lib_runner DATA_DIR EXPECTED_FAILURES [--list]   (--list prints failures)

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "html/entities.hpp"
#include "html/tokenizer.hpp"
#include "json_reader.hpp"

namespace fs = std::filesystem;
using pixelwarden::testing::Json;
using namespace pixelwarden::html;

namespace {

std::string read_file(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// "Preprocessing the input stream": CRLF and CR become LF.
std::string preprocess(std::string_view in) {
  std::string out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '\r') {
      out.push_back('\n');
      if (i + 1 < in.size() && in[i + 1] == '\n') ++i;
    } else {
      out.push_back(in[i]);
    }
  }
  return out;
}

std::string tag_string(const std::string& name,
                       std::vector<std::pair<std::string, std::string>> attrs, bool self_closing) {
  std::sort(attrs.begin(), attrs.end());
  std::string s = "StartTag " + name;
  for (auto& [k, v] : attrs) s += " [" + k + "]=[" + v + "]";
  if (self_closing) s += " /";
  return s;
}

std::vector<std::string> expected_tokens(const Json& output, bool double_escaped) {
  auto un = [&](const std::string& s) {
    return double_escaped ? pixelwarden::testing::unescape_u(s) : s;
  };
  std::vector<std::string> out;
  for (const Json& tok : output.arr) {
    const std::string& type = tok.arr.at(0).str;
    if (type == "StartTag") {
      std::vector<std::pair<std::string, std::string>> attrs;
      for (const auto& [k, v] : tok.arr.at(2).obj) attrs.emplace_back(un(k), un(v.str));
      bool sc = tok.arr.size() > 3 && tok.arr[3].b;
      out.push_back(tag_string(un(tok.arr.at(1).str), attrs, sc));
    } else if (type == "EndTag") {
      out.push_back("EndTag " + un(tok.arr.at(1).str));
    } else if (type == "Comment") {
      out.push_back("Comment [" + un(tok.arr.at(1).str) + "]");
    }
  }
  return out;
}

std::vector<std::string> actual_tokens(const std::string& input, InitialState state,
                                       const std::string& last) {
  Tokenizer tok(input, false);
  tok.set_initial_state(state, last);
  Token t;
  std::vector<std::string> out;
  std::string value;
  while (tok.next(t)) {
    if (t.kind == TokenKind::start_tag) {
      std::vector<std::pair<std::string, std::string>> attrs;
      for (const Attribute& a : *t.attributes) {
        if (a.duplicate) continue;
        decode_attribute(std::string_view(input).substr(a.value_begin, a.value_end - a.value_begin),
                         value);
        attrs.emplace_back(std::string(a.name), value);
      }
      out.push_back(tag_string(std::string(t.name), attrs, t.self_closing));
    } else if (t.kind == TokenKind::end_tag) {
      out.push_back("EndTag " + std::string(t.name));
    } else if (t.kind == TokenKind::comment) {
      out.push_back("Comment [" + comment_text(input, t) + "]");
    }
  }
  return out;
}

bool parse_state(const std::string& s, InitialState& st) {
  static const std::map<std::string, InitialState> k = {
      {"Data state", InitialState::data},
      {"PLAINTEXT state", InitialState::plaintext},
      {"RCDATA state", InitialState::rcdata},
      {"RAWTEXT state", InitialState::rawtext},
      {"Script data state", InitialState::script_data},
      {"CDATA section state", InitialState::cdata}};
  auto it = k.find(s);
  if (it == k.end()) return false;
  st = it->second;
  return true;
}

// id -> reason, from lines "ID<TAB>reason" ('#' comments).
std::map<std::string, std::string> load_expected(const fs::path& p) {
  std::map<std::string, std::string> m;
  std::ifstream f(p);
  std::string line;
  while (std::getline(f, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto tab = line.find('\t');
    m[line.substr(0, tab)] = tab == std::string::npos ? "" : line.substr(tab + 1);
  }
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: html5lib_runner DATA_DIR EXPECTED_FAILURES [--list]\n";
    return 2;
  }
  bool list = argc > 3 && std::string(argv[3]) == "--list";
  auto expected_fail = load_expected(argv[2]);
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(argv[1])) {
    if (e.path().extension() == ".test") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  int problems = 0, total_pass = 0, total = 0;
  std::set<std::string> seen;
  for (const fs::path& file : files) {
    Json root = pixelwarden::testing::JsonReader(read_file(file)).parse();
    const Json* tests = root.get("tests");
    if (tests == nullptr) tests = root.get("xmlViolationTests");
    if (tests == nullptr) continue;
    int pass = 0, count = 0;
    for (std::size_t i = 0; i < tests->arr.size(); ++i) {
      const Json& test = tests->arr[i];
      bool dbl = test.get("doubleEscaped") != nullptr && test.get("doubleEscaped")->b;
      std::string input = preprocess(dbl ? pixelwarden::testing::unescape_u(test.get("input")->str)
                                         : test.get("input")->str);
      std::string last = test.get("lastStartTag") ? test.get("lastStartTag")->str : "";
      std::vector<std::string> states = {"Data state"};
      if (const Json* s = test.get("initialStates")) {
        states.clear();
        for (const Json& x : s->arr) states.push_back(x.str);
      }
      auto want = expected_tokens(*test.get("output"), dbl);
      for (const std::string& sname : states) {
        InitialState st{};
        if (!parse_state(sname, st)) continue;
        std::string id = file.filename().string() + "#" + std::to_string(i) + "/" + sname;
        seen.insert(id);
        ++count;
        bool ok = actual_tokens(input, st, last) == want;
        bool listed = expected_fail.count(id) != 0;
        if (ok) ++pass;
        if (list && !ok) std::cout << id << "\t" << test.get("description")->str << "\n";
        if (!ok && !listed) {
          ++problems;
          std::cerr << "NEW FAILURE " << id << ": " << test.get("description")->str << "\n";
        } else if (ok && listed) {
          ++problems;
          std::cerr << "LISTED BUT PASSES (remove from expected-failures) " << id << "\n";
        }
      }
    }
    std::cout << file.filename().string() << ": " << pass << "/" << count << " passed\n";
    total_pass += pass;
    total += count;
  }
  for (const auto& [id, reason] : expected_fail) {
    if (!seen.count(id)) {
      ++problems;
      std::cerr << "LISTED BUT UNKNOWN " << id << "\n";
    }
  }
  std::cout << "total: " << total_pass << "/" << total << " passed, " << expected_fail.size()
            << " expected failures, " << problems << " problems\n";
  return problems == 0 ? 0 : 1;
}
