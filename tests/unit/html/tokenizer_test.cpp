#include "html/tokenizer.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace pixelwarden::html;

namespace {
// "S:name[a=v,...]" / "E:name" / "C:data" / "R:text" / "CS" / "CE" per token.
std::vector<std::string> dump(std::string_view in, bool conditional = true) {
  Tokenizer tok(in, conditional);
  Token t;
  std::vector<std::string> out;
  while (tok.next(t)) {
    std::string s;
    switch (t.kind) {
      case TokenKind::start_tag: {
        s = "S:" + std::string(t.name);
        for (const Attribute& a : *t.attributes) {
          if (a.duplicate) continue;
          s += " " + std::string(a.name) + "=" +
               std::string(in.substr(a.value_begin, a.value_end - a.value_begin));
        }
        if (t.self_closing) s += " /";
        break;
      }
      case TokenKind::end_tag:
        s = "E:" + std::string(t.name);
        break;
      case TokenKind::comment:
        s = "C:" + comment_text(in, t);
        break;
      case TokenKind::doctype:
        s = "D";
        break;
      case TokenKind::cdata:
        s = "CDATA:" + std::string(in.substr(t.data_begin, t.data_end - t.data_begin));
        break;
      case TokenKind::raw_text:
        s = "R:" + std::string(in.substr(t.data_begin, t.data_end - t.data_begin));
        break;
      case TokenKind::conditional_start:
        s = "CS";
        break;
      case TokenKind::conditional_end:
        s = "CE";
        break;
      case TokenKind::foreign_text:  // "F:" then each piece, text as "t(...)", CDATA as "c(...)"
        s = "F:";
        for (const TextPiece& p : *t.pieces)
          s += std::string(p.cdata ? "c(" : "t(") +
               std::string(in.substr(p.begin, p.end - p.begin)) + ")";
        break;
    }
    out.push_back(s);
  }
  return out;
}
using V = std::vector<std::string>;
}  // namespace

TEST_SUITE("html::Tokenizer") {
  TEST_CASE("attribute quoting styles") {
    CHECK(dump("<img src=\"a b\" alt='x\"y' width=1 hidden>") ==
          V{"S:img src=a b alt=x\"y width=1 hidden="});
  }
  TEST_CASE("upper-case names are lowercased, offsets are raw") {
    std::string in = "x<IMG SRC=\"u\">";
    Tokenizer tok(in);
    Token t;
    REQUIRE(tok.next(t));
    CHECK(t.name == "img");
    CHECK(t.begin == 1);
    CHECK(t.end == in.size());
    const Attribute* a = t.find("src");
    REQUIRE(a != nullptr);
    CHECK(in.substr(a->value_begin, a->value_end - a->value_begin) == "u");
    CHECK(a->quote == '"');
  }
  TEST_CASE("duplicate attributes: first wins") {
    CHECK(dump("<img src=a SRC=b>") == V{"S:img src=a"});
  }
  TEST_CASE("whitespace and newlines anywhere, values spanning lines") {
    CHECK(dump("<img\n\tsrc\n=\n\"http://x/\ny\"\n/>") == V{"S:img src=http://x/\ny /"});
  }
  TEST_CASE("slash between attributes and '=' starting a name") {
    CHECK(dump("<img/src=a/b =c>") == V{"S:img src=a/b =c="});
  }
  TEST_CASE("comments and bogus comments") {
    CHECK(dump("<!-- a --><!----><!--><!---><?php x?><!x></ y>") ==
          V{"C: a ", "C:", "C:", "C:", "C:?php x?", "C:x", "C: y"});
    CHECK(dump("<!-- a --!><p>") == V{"C: a ", "S:p"});
  }
  TEST_CASE("a tag inside an ordinary comment is not a tag") {
    CHECK(dump("<!-- <img src=http://t/x> --><b>") == V{"C: <img src=http://t/x> ", "S:b"});
  }
  TEST_CASE("conditional comments are tokenized inside") {
    CHECK(dump("<!--[if mso]><v:fill src=\"u\"/><![endif]-->") ==
          V{"CS", "S:v:fill src=u /", "CE"});
    CHECK(dump("<![if !mso]><img src=a><![endif]>") == V{"CS", "S:img src=a", "CE"});
    CHECK(dump("<!--[if !mso]><!--><img src=a><!--<![endif]-->") == V{"CS", "S:img src=a", "CE"});
  }
  TEST_CASE("nested conditional comments track depth") {
    std::string in =
        "<!--[if mso]><!--[if gte mso 9]><img src=a><![endif]--><img src=b><![endif]--><img src=c>";
    Tokenizer tok(in);
    Token t;
    std::vector<int> depth_at_img;
    while (tok.next(t)) {
      if (t.kind == TokenKind::start_tag) depth_at_img.push_back(tok.conditional_depth());
    }
    CHECK(depth_at_img == std::vector<int>{2, 1, 0});
  }
  TEST_CASE("conditional comments off: plain WHATWG comment") {
    CHECK(dump("<!--[if mso]><img><![endif]-->", false) == V{"C:[if mso]><img><![endif]"});
  }
  TEST_CASE("raw text elements hide markup until their end tag") {
    CHECK(dump("<style>a{b:url(x)}</p></style ><i>") ==
          V{"S:style", "R:a{b:url(x)}</p>", "E:style", "S:i"});
    CHECK(dump("<title><img src=x></title>") == V{"S:title", "R:<img src=x>", "E:title"});
    CHECK(dump("<textarea></textareax></TEXTAREA>") ==
          V{"S:textarea", "R:</textareax>", "E:textarea"});
  }
  TEST_CASE("script escape states") {
    CHECK(dump("<script><!--<script></script>x</script><b>") ==
          V{"S:script", "R:<!--<script></script>x", "E:script", "S:b"});
    CHECK(dump("<script>a<!--b--></script>") == V{"S:script", "R:a<!--b-->", "E:script"});
  }
  TEST_CASE("plaintext swallows the rest") {
    CHECK(dump("<plaintext></plaintext><b>") == V{"S:plaintext", "R:</plaintext><b>"});
  }
  TEST_CASE("CDATA only in foreign content") {
    CHECK(dump("<![CDATA[x>y]]>") == V{"C:[CDATA[x"});
    CHECK(dump("<svg><![CDATA[<img>]]></svg>") == V{"S:svg", "CDATA:<img>", "E:svg"});
  }
  TEST_CASE("doctype and end tags") {
    CHECK(dump("<!DOCTYPE html><P></P x=\">\">") == V{"D", "S:p", "E:p"});
  }
  TEST_CASE("a tag cut off by the end of input is dropped") {
    CHECK(dump("<b><img src=\"http://x") == V{"S:b"});
    CHECK(dump("<b><img src=x") == V{"S:b"});
  }
  TEST_CASE("text with lone '<' is skipped") { CHECK(dump("a < b <3 </> <i>") == V{"S:i"}); }
  TEST_CASE("void elements") {
    CHECK(is_void_element("img"));
    CHECK(is_void_element("source"));
    CHECK_FALSE(is_void_element("td"));
  }
}

TEST_SUITE("html::Tokenizer foreign content") {
  TEST_CASE("<style> in svg and math is an element: child text, CDATA, child tags") {
    CHECK(dump("<svg><style>a{}&amp;<![CDATA[<b>]]>x<g>in</g>y</style></svg>") ==
          V{"S:svg", "S:style", "CDATA:<b>", "S:g", "E:g", "F:t(a{}&amp;)c(<b>)t(x)t(y)", "E:style",
            "E:svg"});
    CHECK(dump("<math><style>p{}</style></math>") ==
          V{"S:math", "S:style", "F:t(p{})", "E:style", "E:math"});
    CHECK(dump("<style>a<b></style>") == V{"S:style", "R:a<b>", "E:style"});  // HTML: raw text
  }
  TEST_CASE("the foreign_text token comes before the token that closed the element") {
    CHECK(dump("<svg><style>a</svg><p>") == V{"S:svg", "S:style", "F:t(a)", "E:svg", "S:p"});
    CHECK(dump("<svg><style>a<div>b") == V{"S:svg", "S:style", "F:t(a)", "S:div"});  // breakout
    CHECK(dump("<svg><style>a</p>b") == V{"S:svg", "S:style", "F:t(a)", "E:p"});
    CHECK(dump("<svg><style>a") == V{"S:svg", "S:style", "F:t(a)"});  // end of input
    CHECK(dump("<svg><style>a</>b<img") ==
          V{"S:svg", "S:style", "F:t(a)t(b)"});  // "</>" dropped, cut tag too
  }
  TEST_CASE("namespaces of start tags") {
    Tokenizer tok(
        "<svg><image/><foreignObject><image><svg><image></svg></foreignObject><b><image>");
    Token t;
    std::vector<Namespace> ns;
    while (tok.next(t)) {
      if (t.kind == TokenKind::start_tag) ns.push_back(t.ns);
    }
    CHECK(ns == std::vector<Namespace>{Namespace::svg, Namespace::svg, Namespace::svg,
                                       Namespace::html, Namespace::svg, Namespace::svg,
                                       Namespace::html, Namespace::html});
  }
  TEST_CASE("HTML integration points parse HTML: raw text again, CDATA only at the point itself") {
    CHECK(
        dump("<svg><foreignObject><style>a<b></style></foreignObject></svg>") ==
        V{"S:svg", "S:foreignobject", "S:style", "R:a<b>", "E:style", "E:foreignobject", "E:svg"});
    CHECK(dump("<svg><desc><![CDATA[x]]><p><![CDATA[y]]>") ==
          V{"S:svg", "S:desc", "CDATA:x", "S:p", "C:[CDATA[y]]"});
    CHECK(dump("<svg><title>&lt;<b>") == V{"S:svg", "S:title", "S:b"});  // not RCDATA here
    CHECK(dump("<math><mi><style>a<b></style></mi><style>c</style>") ==
          V{"S:math", "S:mi", "S:style", "R:a<b>", "E:style", "E:mi", "S:style", "F:t(c)",
            "E:style"});
    CHECK(dump("<math><annotation-xml encoding=TEXT/HTML><style>a</style></annotation-xml>") ==
          V{"S:math", "S:annotation-xml encoding=TEXT/HTML", "S:style", "R:a", "E:style",
            "E:annotation-xml"});
    CHECK(dump("<math><annotation-xml encoding='application/xhtml&#43;xml'><style>a</style>") ==
          V{"S:math", "S:annotation-xml encoding=application/xhtml&#43;xml", "S:style", "R:a",
            "E:style"});
    CHECK(dump("<math><annotation-xml><style>a</style>") ==
          V{"S:math", "S:annotation-xml", "S:style", "F:t(a)", "E:style"});
  }
  TEST_CASE("breakout start tags leave foreign content; font only with color, face or size") {
    CHECK(dump("<svg><font><style>a</style>") ==
          V{"S:svg", "S:font", "S:style", "F:t(a)", "E:style"});
    CHECK(dump("<svg><font size=1><style>a</style>") ==
          V{"S:svg", "S:font size=1", "S:style", "R:a", "E:style"});
    CHECK(dump("<svg><h3><![CDATA[x]]>") == V{"S:svg", "S:h3", "C:[CDATA[x]]"});
    CHECK(dump("<svg><foreignObject><svg><p><style>a</style>") ==
          V{"S:svg", "S:foreignobject", "S:svg", "S:p", "S:style", "R:a", "E:style"});
  }
  TEST_CASE("end tags close the nearest open foreign element of their name") {
    CHECK(dump("<svg><g><style>a</g>b</style>") ==
          V{"S:svg", "S:g", "S:style", "F:t(a)", "E:g", "E:style"});
    CHECK(dump("<svg><style>a</x>b</style>") ==
          V{"S:svg", "S:style", "E:x", "F:t(a)t(b)", "E:style"});
    CHECK(dump("<svg><style><style>a</style>b</style>") ==
          V{"S:svg", "S:style", "S:style", "F:t(a)", "E:style", "F:t(b)", "E:style"});
  }
}

TEST_SUITE("html::Tokenizer foreign content depth") {
  TEST_CASE("beyond 1024 open foreign elements a <style> is raw text again") {
    std::string in = "<svg>";
    for (int i = 0; i < 1100; ++i) in += "<g>";
    in += "<style>a<b></style>";
    std::vector<std::string> d = dump(in);
    REQUIRE(d.size() >= 3);
    CHECK(d[d.size() - 3] == "S:style");
    CHECK(d[d.size() - 2] == "R:a<b>");
  }
}
