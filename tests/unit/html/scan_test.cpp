#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "html/resource.hpp"

using namespace pixelwarden::html;

namespace {
// "vector element attribute resolved" per resource.
std::vector<std::string> found(std::string_view html) {
  std::vector<std::string> out;
  for (const Resource& r : scan(html).resources)
    out.push_back(std::string(to_string(r.vector)) + " " + r.element + " " + r.attribute + " " +
                  r.resolved);
  return out;
}
using V = std::vector<std::string>;
}  // namespace

TEST_SUITE("html::scan vectors") {
  TEST_CASE("img src and srcset candidates one by one") {
    CHECK(found("<img src=\"http://t/a.gif\" srcset=\"http://t/1x.png 1x, //t/2x.png 2x\">") ==
          V{"img img src http://t/a.gif", "srcset img srcset http://t/1x.png",
            "srcset img srcset https://t/2x.png"});
  }
  TEST_CASE("picture source srcset and media src") {
    CHECK(found("<picture><source srcset='http://t/a.webp'></picture><video><source "
                "src=http://t/v.mp4></video>") ==
          V{"picture_source source srcset http://t/a.webp", "media_src source src http://t/v.mp4"});
  }
  TEST_CASE("input type=image, video poster, audio, track") {
    CHECK(found("<input type=IMAGE src=http://t/i><input type=text src=http://t/no>"
                "<video poster=http://t/p src=http://t/v></video><audio "
                "src=http://t/a></audio><track src=http://t/t>") ==
          V{"input_image input src http://t/i", "media_src video src http://t/v",
            "video_poster video poster http://t/p", "media_src audio src http://t/a",
            "media_src track src http://t/t"});
  }
  TEST_CASE("embed, object, iframe, frame, script") {
    CHECK(found("<embed src=http://t/e><object data=http://t/o></object><iframe "
                "src=http://t/f></iframe>"
                "<frame src=http://t/fr><script src=http://t/s></script>") ==
          V{"embed embed src http://t/e", "object object data http://t/o",
            "iframe iframe src http://t/f", "iframe frame src http://t/fr",
            "script script src http://t/s"});
  }
  TEST_CASE("link imagesrcset: each candidate, for fetched rels only") {
    CHECK(found("<link rel=preload as=image imagesrcset=\"http://t/1.png 1x, //t/2.png 2x\" "
                "imagesizes=50vw>"
                "<link rel=canonical imagesrcset=http://t/c.png>") ==
          V{"link link imagesrcset http://t/1.png", "link link imagesrcset https://t/2.png"});
  }
  TEST_CASE("link href only for fetched rels") {
    CHECK(
        found("<link rel=stylesheet href=http://t/s.css><link rel='shortcut icon' href=http://t/i>"
              "<link rel=dns-prefetch href=//t.example><link rel=canonical href=http://t/c>"
              "<link rel=alternate href=http://t/a>") == V{"link link href http://t/s.css",
                                                           "link link href http://t/i",
                                                           "link link href https://t.example/"});
  }
  TEST_CASE("background on body, table, td, th") {
    CHECK(found("<body background=http://t/b><table background=http://t/t><tr><td "
                "background=http://t/d>"
                "<th background=http://t/h><div background=http://t/no>") ==
          V{"background body background http://t/b", "background table background http://t/t",
            "background td background http://t/d", "background th background http://t/h"});
    // Chromium also paints it on rows, row groups and columns.
    CHECK(found("<table><colgroup background=http://t/g><col background=http://t/c><thead "
                "background=http://t/h>"
                "<tr background=http://t/r><tbody background=http://t/b><tfoot "
                "background=http://t/f>") ==
          V{"background colgroup background http://t/g", "background col background http://t/c",
            "background thead background http://t/h", "background tr background http://t/r",
            "background tbody background http://t/b", "background tfoot background http://t/f"});
  }
  TEST_CASE("meta refresh url part") {
    CHECK(found("<meta http-equiv=Refresh content=\"0; URL='http://t/r'\">") ==
          V{"meta_refresh meta content http://t/r"});
    CHECK(found("<meta http-equiv=refresh content=\"5\">").empty());
  }
  TEST_CASE("svg image href and xlink:href") {
    CHECK(found("<svg><image href=http://t/a /><image xlink:href=http://t/b></image></svg>") ==
          V{"svg_image image href http://t/a", "svg_image image xlink:href http://t/b"});
  }
  TEST_CASE("VML imagedata, image, fill") {
    CHECK(found("<!--[if gte mso 9]><v:rect><v:fill type=tile src=\"http://t/f\"/><v:imagedata "
                "src=http://t/i />"
                "<v:image src=http://t/m /></v:rect><![endif]-->") ==
          V{"vml v:fill src http://t/f", "vml v:imagedata src http://t/i",
            "vml v:image src http://t/m"});
  }
  TEST_CASE("CSS in style attributes and style blocks") {
    CHECK(found("<style>@import 'http://t/i.css';@media x{.a{background:url(http://t/u)}}"
                "@font-face{src:url(http://t/f.woff)}</style><div "
                "style=\"background:url(&quot;http://t/s&quot;)\">") ==
          V{"css_import style  http://t/i.css", "css_url style  http://t/u",
            "font_face style  http://t/f.woff", "css_url div style http://t/s"});
  }
}

TEST_SUITE("html::scan details") {
  TEST_CASE("entity-encoded URLs") {
    CHECK(found("<img src=\"&#x68;ttps&colon;&sol;&sol;t&period;example/p.gif\">") ==
          V{"img img src https://t.example/p.gif"});
  }
  TEST_CASE("each quoting style and upper-case tags") {
    CHECK(found("<IMG SRC='http://t/1'><Img src=\"http://t/2\"><img src=http://t/3>").size() == 3);
  }
  TEST_CASE("attribute values spanning lines") {
    CHECK(found("<img src=\"http://t.exa\nmple/p\r\n.gif\">") ==
          V{"img img src http://t.example/p.gif"});
  }
  TEST_CASE("base href resolves relative URLs; without it they are not remote") {
    CHECK(found("<img src=a.gif>").empty());
    auto r =
        scan("<head><base href=\"https://b.example/dir/\"></head><img src=a.gif><img src=cid:x>");
    REQUIRE(r.resources.size() == 1);
    CHECK(r.resources[0].resolved == "https://b.example/dir/a.gif");
    CHECK(r.base_href == "https://b.example/dir/");
  }
  TEST_CASE("a protocol-relative base href takes https: and resolves relative URLs") {
    auto r = scan("<base href=\"//cdn.example/m/\"><img src=a.gif><a href=x.html>x</a>");
    REQUIRE(r.resources.size() == 1);
    CHECK(r.resources[0].resolved == "https://cdn.example/m/a.gif");
    CHECK(r.resources[0].host == "cdn.example");
    CHECK(r.base_href == "https://cdn.example/m/");
    REQUIRE(r.links.size() == 1);
    CHECK(r.links[0].host == "cdn.example");
    CHECK(found("<base href=/m/><img src=a.gif>").empty());  // path-relative: no base
  }
  TEST_CASE("base href applies to resources before it too, first base wins") {
    auto r = scan("<img src=a.gif><base href=http://one.example/><base href=http://two.example/>");
    REQUIRE(r.resources.size() == 1);
    CHECK(r.resources[0].host == "one.example");
  }
  TEST_CASE("remote schemes and UNC; cid and data are not remote") {
    CHECK(found("<img src=ftp://t/a><img src=file:///c:/x><img src='\\\\smb.example\\s\\p.png'>"
                "<img src=cid:abc><img src=data:image/gif;base64,AA==>")
              .size() == 3);
  }
  TEST_CASE("resource inside an ordinary comment is not counted") {
    CHECK(found("<!-- <img src=http://t/a> --><p>").empty());
  }
  TEST_CASE("nested conditional comments mark resources") {
    auto r = scan("<!--[if mso]><!--[if gte mso 9]><img "
                  "src=http://t/a><![endif]--><![endif]--><img src=http://t/b>");
    REQUIRE(r.resources.size() == 2);
    CHECK(r.resources[0].in_conditional_comment);
    CHECK_FALSE(r.resources[1].in_conditional_comment);
  }
  TEST_CASE("declared size and invisibility") {
    auto r = scan("<img src=http://t/a width=1 height=\"1\"><img src=http://t/b width=600>"
                  "<img src=http://t/c style='display:none'>");
    REQUIRE(r.resources.size() == 3);
    CHECK(r.resources[0].width == 1);
    CHECK(r.resources[0].invisible);
    CHECK_FALSE(r.resources[1].invisible);
    CHECK(r.resources[2].invisible);
  }
  TEST_CASE("hidden open ancestor, closed ancestor no longer counts") {
    auto r = scan("<div style=\"visibility:hidden\"><span><img src=http://t/a></span></div><img "
                  "src=http://t/b>"
                  "<table><tr><td style=\"opacity:0\"></td><td><img src=http://t/c>");
    REQUIRE(r.resources.size() == 3);
    CHECK(r.resources[0].ancestor_hidden);
    CHECK(r.resources[0].invisible);
    CHECK_FALSE(r.resources[1].invisible);
    CHECK_FALSE(r.resources[2].invisible);
  }
  TEST_CASE("a styled ancestor is read when an image inside it asks, entities decoded") {
    // The outer table's style is read only for the image; the hiding one is written with
    // character references, which the style's reading decodes as the attribute's value.
    auto r = scan("<table style=\"color:red\"><tr><td style=\"display&#58;none\">"
                  "<p style=\"padding:0\"><img src=http://t/a style=\"width:10px\"></p>"
                  "<td style=\"padding:1px\"><img src=http://t/b><img src=http://t/c "
                  "style='visibility:hidden'></table><title><div style=display:none>"
                  "<img src=http://t/d></title>");
    REQUIRE(r.resources.size() == 4);
    CHECK(r.resources[0].ancestor_hidden);
    CHECK(r.resources[0].invisible);
    CHECK_FALSE(r.resources[1].invisible);
    CHECK(r.resources[2].invisible);
    CHECK_FALSE(r.resources[2].ancestor_hidden);
    // Inside raw text a tag's own style counts; the tags around it are not open elements.
    CHECK_FALSE(r.resources[3].invisible);
  }
  TEST_CASE("repeated inline styles: each answer is the style's own") {
    // The scanner keeps its last answers by the style's text: a repeated style, a hiding one
    // of the same length, one written with a character reference, and more distinct styles
    // than it keeps, in an order that brings evicted ones back.
    const std::string shown = "padding:12px;color:#333";
    const std::string hides = "padding:12px;opacity:00";  // as long as `shown`
    std::string html = "<table><tr>";
    std::vector<bool> expect;
    auto cell = [&](const std::string& style, bool hidden) {
      html +=
          "<td style=\"" + style + "\"><img src=http://t/" + std::to_string(expect.size()) + ">";
      expect.push_back(hidden);
    };
    for (int round = 0; round < 3; ++round) {
      cell(shown, false);
      cell(hides, true);
      cell(shown, false);
      cell("padding:12px;opacity&#58;0", true);
      for (int k = 0; k < 10; ++k) cell("padding:" + std::to_string(k) + "px", false);
      cell("width:" + std::to_string(round * 2) + "px", round * 2 <= 2);
    }
    REQUIRE(shown.size() == hides.size());
    const auto r = scan(html);
    REQUIRE(r.resources.size() == expect.size());
    for (std::size_t i = 0; i < expect.size(); ++i) {
      CAPTURE(i);
      CHECK(r.resources[i].ancestor_hidden == expect[i]);
    }
  }
  TEST_CASE("a class rule in a style block hides an image") {
    auto r = scan(
        "<style>.h{display:none}</style><img class=h src=http://t/a><img class=x src=http://t/b>");
    REQUIRE(r.resources.size() == 2);
    CHECK(r.resources[0].invisible);
    CHECK_FALSE(r.resources[0].ancestor_hidden);
    CHECK_FALSE(r.resources[1].invisible);
    CHECK(r.style_capped == 0);
  }
  TEST_CASE("elements opened before the first style block are ancestors too") {
    auto r = scan("<html class=m><body class=x><div id=d><style>.m .x #d > img{width:1px}</style>"
                  "<img src=http://t/a><p><img src=http://t/b>");
    REQUIRE(r.resources.size() == 2);
    CHECK(r.resources[0].invisible);
    CHECK_FALSE(r.resources[1].invisible);
  }
  TEST_CASE("a hiding block after images and after a block that cannot hide") {
    auto r =
        scan("<style>img{display:block}</style><div class=h><img src=http://t/a></div>"
             "<img class=p src=http://t/b><style>.h{opacity:0}</style><img class=p src=http://t/c>"
             "<style>.p{height:0}</style>");
    REQUIRE(r.resources.size() == 3);
    CHECK(r.resources[0].invisible);
    CHECK(r.resources[0].ancestor_hidden);
    CHECK(r.resources[1].invisible);
    CHECK(r.resources[2].invisible);
  }
  TEST_CASE("a style block after the image still applies") {
    auto r = scan("<body><img class=p src=http://t/a><style>.p{width:1px;height:1px}</style>");
    REQUIRE(r.resources.size() == 1);
    CHECK(r.resources[0].invisible);
  }
  TEST_CASE("a style rule hiding an ancestor hides the image, until the ancestor closes") {
    auto r = scan("<style>div.h{visibility:hidden} td>p{opacity:0}</style>"
                  "<div class=h><span><img src=http://t/a></span></div><img src=http://t/b>"
                  "<table><tr><td><p><img src=http://t/c></p></td><td><img src=http://t/d>");
    REQUIRE(r.resources.size() == 4);
    CHECK(r.resources[0].invisible);
    CHECK(r.resources[0].ancestor_hidden);
    CHECK_FALSE(r.resources[1].invisible);
    CHECK(r.resources[2].invisible);
    CHECK_FALSE(r.resources[3].invisible);
  }
  TEST_CASE("a responsive newsletter's desktop-hidden, mobile-shown image stays visible") {
    auto r = scan("<style>.mob{display:none;max-height:0} .p{width:1px}"
                  "@media only screen and "
                  "(max-width:480px){.mob{display:block!important;max-height:none!important}}"
                  "</style><div class=mob><img src=http://t/a></div><img class=p src=http://t/b>");
    REQUIRE(r.resources.size() == 2);
    CHECK_FALSE(r.resources[0].invisible);
    CHECK(r.resources[1].invisible);
  }
  TEST_CASE("a visible 600x300 image styled by class stays visible") {
    auto r = scan("<style>.hero{width:600px;height:300px;display:block}.h{display:none}</style>"
                  "<img class=hero src=http://t/a width=600 height=300>");
    REQUIRE(r.resources.size() == 1);
    CHECK_FALSE(r.resources[0].invisible);
  }
  TEST_CASE("inline style wins over a sheet rule, unless the rule is !important") {
    auto r = scan("<style>.a{width:1px} .b{width:1px!important}</style>"
                  "<img class=a style='width:600px' src=http://t/a><img class=b "
                  "style='width:600px' src=http://t/b>");
    REQUIRE(r.resources.size() == 2);
    CHECK_FALSE(r.resources[0].invisible);
    CHECK(r.resources[1].invisible);
  }
  TEST_CASE("a style block in svg foreign content counts") {
    auto r = scan("<svg><style>#x{display:none}</style></svg><img id=x src=http://t/a>");
    REQUIRE(r.resources.size() == 1);
    CHECK(r.resources[0].invisible);
  }
  TEST_CASE("a tag inside raw text gets no style rules") {
    auto r = scan("<style>.h{display:none}</style><title><img class=h src=http://t/a></title>");
    REQUIRE(r.resources.size() == 1);
    CHECK_FALSE(r.resources[0].invisible);
  }
  TEST_CASE("links: a, area, form") {
    auto r = scan(
        "<a href=\"https://Lure.example/x\">x</a><area href=/rel><form action=http://f.example/>");
    REQUIRE(r.links.size() == 2);
    CHECK(r.links[0].host == "lure.example");
    CHECK(r.links[1].host == "f.example");
    CHECK(r.resources.empty());
  }
  TEST_CASE("URL span points at the raw bytes") {
    std::string in = "<img src=\"http://t/a\">";
    auto r = scan(in);
    REQUIRE(r.resources.size() == 1);
    CHECK(in.substr(r.resources[0].begin, r.resources[0].end - r.resources[0].begin) ==
          "http://t/a");
  }
  TEST_CASE("banner offset") {
    CHECK(scan("<html><head></head><body class=x>hi").banner_offset == 33);
    CHECK(scan("<html><head></head>hi").banner_offset == 19);
    CHECK(scan("<!doctype html><html>hi").banner_offset == 21);
    CHECK(scan("<!doctype html>hi").banner_offset == 15);
    CHECK(scan("hi").banner_offset == 0);
  }
}

TEST_SUITE("html::scan_text_links") {
  TEST_CASE("bare URLs with trailing punctuation trimmed") {
    auto l = scan_text_links(
        "See https://a.example/x?y=1. Or (www.b.example/p), and http://c.example/(w)!");
    REQUIRE(l.size() == 3);
    CHECK(l[0].url == "https://a.example/x?y=1");
    CHECK(l[1].url == "www.b.example/p");
    CHECK(l[1].host == "www.b.example");
    CHECK(l[2].url == "http://c.example/(w)");
  }
  TEST_CASE("no URL, no link") { CHECK(scan_text_links("http:// and www and nothing").empty()); }
}

TEST_SUITE("html::scan raw text") {
  TEST_CASE("tags hidden in unclosed raw text are still scanned") {
    auto r = scan("<style>p{}<img src=http://t/a></p><title><img src=http://t/b>");
    REQUIRE(r.resources.size() == 2);
    CHECK(r.resources[0].resolved == "http://t/a");
    CHECK(r.resources[1].resolved == "http://t/b");
  }
  TEST_CASE("script bodies are not scanned") {
    CHECK(found("<script>document.write('<img src=http://t/a>')</script>").empty());
  }
}

TEST_SUITE("html::scan raw text read twice") {
  TEST_CASE("resources of a raw-text block holding '<' name the block") {
    std::string in = "<style>p{background:url(http://t/a)} <img "
                     "src=http://t/b></style><style>q{background:url(http://t/c)}</style>";
    ScanResult s = scan(in);
    REQUIRE(s.resources.size() == 3);
    CHECK(s.resources[0].block_element == "style");
    CHECK(s.resources[1].block_element == "style");
    CHECK(in.substr(s.resources[1].block_begin,
                    s.resources[1].block_end - s.resources[1].block_begin) ==
          "p{background:url(http://t/a)} <img src=http://t/b>");
    CHECK(s.resources[2].block_element.empty());
  }
  TEST_CASE("a fragment scanned with an inherited base resolves relative URLs") {
    CHECK(scan("<img src=a.png>").resources.empty());
    ScanResult s = scan("<img src=a.png>", "https://h/d/");
    REQUIRE(s.resources.size() == 1);
    CHECK(s.resources[0].resolved == "https://h/d/a.png");
  }
  TEST_CASE("SVG presentation attributes with url() are CSS") {
    CHECK(
        found(
            "<svg fill=\"url(http://t/s#p)\"><rect stroke=\"url(http://t/a#p)\" "
            "mask='url(&quot;http://t/m&quot;)' "
            "clip-path=url(http://t/c) marker-end=\"url(//t/e)\" cursor=\"url(http://t/k), auto\" "
            "filter=\"url(http://t/f#f)\" fill=\"url(#local)\" x=\"url(http://t/no)\"/></svg>"
            "<div fill=\"url(http://t/no2)\">") ==
        V{"css_url svg fill http://t/s#p", "css_url rect stroke http://t/a#p",
          "css_url rect mask http://t/m", "css_url rect clip-path http://t/c",
          "css_url rect marker-end https://t/e", "css_url rect cursor http://t/k",
          "css_url rect filter http://t/f#f"});
  }
  TEST_CASE("SVG set and animate: href values are URLs, other values CSS") {
    CHECK(
        found(
            "<svg><image><set attributeName=href to=\"http://t/1\"/>"
            "<animate attributeName=\" xlink:href\" from=http://t/2 values=\"http://t/3; //t/4 ;\" "
            "by=http://t/5 "
            "dur=1s/></image><rect><set attributeName=mask to=\"url(http://t/6#m)\"/>"
            "<animate attributeName=cursor values=\"url(http://t/7),auto;auto\"/></rect></svg>") ==
        V{"svg_image set to http://t/1", "svg_image animate from http://t/2",
          "svg_image animate values http://t/3", "svg_image animate values https://t/4",
          "svg_image animate by http://t/5", "css_url set to http://t/6#m",
          "css_url animate values http://t/7"});
  }
}

TEST_SUITE("html::scan iframe srcdoc") {
  TEST_CASE("the decoded value is a document: its resources, spans in the raw value") {
    std::string in = "<iframe srcdoc=\"<img src=&quot;http://t.example/p.gif&quot;>\"></iframe>";
    ScanResult s = scan(in);
    REQUIRE(s.resources.size() == 1);
    const Resource& r = s.resources[0];
    CHECK(to_string(r.vector) == std::string("img"));
    CHECK(r.resolved == "http://t.example/p.gif");
    CHECK(r.srcdoc == 0);
    CHECK(in.substr(r.begin, r.end - r.begin) == "http://t.example/p.gif");
    REQUIRE(s.srcdocs.size() == 1);
    CHECK(s.srcdocs[0].document == "<img src=\"http://t.example/p.gif\">");
  }
  TEST_CASE("entity-encoded markup and URLs, style blocks, links") {
    CHECK(found("<iframe "
                "srcdoc='&lt;style&gt;b{background:url(&#104;ttp://t/b.png)}&lt;/style&gt;'>") ==
          V{"css_url style  http://t/b.png"});
    ScanResult s = scan("<iframe srcdoc=\"<a href='https://lure.example/x'>x</a>\">");
    REQUIRE(s.links.size() == 1);
    CHECK(s.links[0].host == "lure.example");
  }
  TEST_CASE("the outer base URL applies, an inner <base> wins") {
    CHECK(found("<base href=http://b.example/d/><iframe srcdoc=\"<img src=p.gif>\">") ==
          V{"img img src http://b.example/d/p.gif"});
    CHECK(found("<iframe srcdoc=\"<img src=p.gif>\"></iframe><base href=http://late.example/>") ==
          V{"img img src http://late.example/p.gif"});
    CHECK(found("<base href=http://b.example/><iframe srcdoc=\"<base href=http://in.example/><img "
                "src=p.gif>\">") == V{"img img src http://in.example/p.gif"});
  }
  TEST_CASE("a hidden iframe makes its document's resources invisible") {
    ScanResult s = scan("<iframe width=0 srcdoc=\"<img src=http://t/a.png width=600>\">");
    REQUIRE(s.resources.size() == 1);
    CHECK(s.resources[0].invisible);
  }
  TEST_CASE("srcdoc inside srcdoc, to the depth cap; beyond it counted") {
    // Level n's markup escapes '&' once more than level n-1's.
    std::string doc = "<img src=http://t/deep.gif>";
    std::string in;
    for (int level = 1; level <= k_max_srcdoc_depth + 1; ++level) {
      std::string escaped;
      for (char c : doc)
        escaped += c == '&'   ? std::string("&amp;")
                   : c == '"' ? std::string("&quot;")
                              : std::string(1, c);
      doc = "<iframe srcdoc=\"" + escaped + "\"></iframe><img src=http://t/l" +
            std::to_string(level) + ".gif>";
      in = doc;
    }
    ScanResult s = scan(in);
    std::vector<std::string> urls;
    for (const Resource& r : s.resources) urls.push_back(r.resolved);
    // The outermost document is level 5 (not a srcdoc); levels 4..1 are srcdoc documents
    // at depth 1..4; deep.gif sits in a fifth, not read.
    CHECK(urls == V{"http://t/l5.gif", "http://t/l4.gif", "http://t/l3.gif", "http://t/l2.gif",
                    "http://t/l1.gif"});
    CHECK(s.srcdocs_skipped == 1);
  }
  TEST_CASE("at most k_max_srcdocs documents per part") {
    std::string in;
    for (std::size_t i = 0; i < k_max_srcdocs + 3; ++i)
      in += "<iframe srcdoc=\"<img src=http://t/a.gif>\"></iframe>";
    ScanResult s = scan(in);
    CHECK(s.resources.size() == k_max_srcdocs);
    CHECK(s.srcdocs_skipped == 3);
  }
  TEST_CASE("frame has no srcdoc; an empty srcdoc has nothing") {
    CHECK(found("<frame srcdoc=\"<img src=http://t/a.gif>\">").empty());
    CHECK(found("<iframe srcdoc></iframe>").empty());
  }
}

TEST_SUITE("html::scan foreign content") {
  TEST_CASE("a <style> in svg: character references decoded, CDATA literal") {
    CHECK(found("<svg><style>p{background:url(&#104;ttps://t.example/p.gif)}</style></svg>") ==
          V{"css_url style  https://t.example/p.gif"});
    CHECK(found("<svg><style><![CDATA[@import 'http://t.example/a.css';]]></style></svg>") ==
          V{"css_import style  http://t.example/a.css"});
    CHECK(found("<math><style>@font-face{src:url(http&colon;//t.example/f.woff)}</style></math>") ==
          V{"font_face style  http://t.example/f.woff"});
  }
  TEST_CASE("the child text only: a url( split by a child element or a CDATA section is one") {
    CHECK(
        found(
            "<svg><style>p{background:url(<g>ignored</g>http://t.example/a.png)}</style></svg>") ==
        V{"css_url style  http://t.example/a.png"});
    CHECK(
        found("<svg><style>p{background:url(<![CDATA[http://t.example/b.png]]>)}</style></svg>") ==
        V{"css_url style  http://t.example/b.png"});
  }
  TEST_CASE("the raw span of a decoded URL") {
    std::string in = "<svg><style>p{background:url(&#104;ttp://t/a.png)}</style></svg>";
    ScanResult s = scan(in);
    REQUIRE(s.resources.size() == 1);
    CHECK(in.substr(s.resources[0].begin, s.resources[0].end - s.resources[0].begin) ==
          "&#104;ttp://t/a.png");
  }
  TEST_CASE("an integration point's <style> is HTML raw text again") {
    CHECK(found("<svg><foreignObject><style>p{background:url(&#104;ttp://t/a.png)}</style></"
                "foreignObject></svg>")
              .empty());  // raw text: "&#104;ttp" is not decoded, not remote
    CHECK(found("<svg><desc><style>p{background:url(http://t/b.png)}</style></desc></svg>") ==
          V{"css_url style  http://t/b.png"});
  }
  TEST_CASE("breakout: after <p> an <image> is HTML again") {
    CHECK(found("<svg><p><image src=http://t/a.png href=http://t/b.png>") ==
          V{"img image src http://t/a.png"});
    CHECK(found("<svg><image src=http://t/a.png href=http://t/b.png>") ==
          V{"svg_image image href http://t/b.png"});
    CHECK(found("<math><image href=http://t/b.png></math>").empty());
  }
  TEST_CASE("svg script href and presentation attributes; not use (cross-origin: never fetched)") {
    CHECK(
        found("<svg><use href=http://t/s.svg#a /><use xlink:href=\"//t/u.svg#b\"/></svg>").empty());
    CHECK(found("<svg><script href=http://t/s.js></script></svg>") ==
          V{"script script href http://t/s.js"});
    CHECK(found("<svg><rect fill=\"url(http://t/p.svg#g)\" filter='url(//t/f.svg#f)' "
                "cursor=url(http://t/c.cur) "
                "mask=\"url(#local)\"/></svg>") == V{"css_url rect fill http://t/p.svg#g",
                                                     "css_url rect filter https://t/f.svg#f",
                                                     "css_url rect cursor http://t/c.cur"});
    CHECK(found("<div fill=\"url(http://t/p.svg#g)\"></div>").empty());  // HTML: no such attribute
  }
}

TEST_SUITE("html::scan AMP for Email") {
  std::vector<std::string> found_amp(std::string_view html) {
    std::vector<std::string> out;
    for (const Resource& r : scan(html, {}, ScanOptions{true}).resources)
      out.push_back(std::string(to_string(r.vector)) + " " + r.element + " " + r.attribute + " " +
                    r.resolved);
    return out;
  }
  TEST_CASE("the components that fetch on open") {
    CHECK(found_amp("<amp-img src=https://t/a.png width=1 height=1 layout=fixed></amp-img>"
                    "<amp-anim srcset='https://t/1.gif 1x, https://t/2.gif 2x'></amp-anim>") ==
          V{"img amp-img src https://t/a.png", "srcset amp-anim srcset https://t/1.gif",
            "srcset amp-anim srcset https://t/2.gif"});
    CHECK(found_amp(
              "<amp-video src=https://t/v.mp4 poster=https://t/p.jpg><source src=https://t/s.webm>"
              "</amp-video><amp-audio src=https://t/a.mp3></amp-audio>") ==
          V{"media_src amp-video src https://t/v.mp4",
            "video_poster amp-video poster https://t/p.jpg",
            "media_src source src https://t/s.webm", "media_src amp-audio src https://t/a.mp3"});
    CHECK(found_amp(
              "<amp-iframe src=https://t/f></amp-iframe><amp-list src=https://t/l.json></amp-list>"
              "<amp-state id=s src=https://t/s.json></amp-state>") ==
          V{"iframe amp-iframe src https://t/f", "link amp-list src https://t/l.json",
            "link amp-state src https://t/s.json"});
    CHECK(found_amp("<amp-carousel type=slides><amp-img src=https://t/c1.png></amp-img>"
                    "<amp-img src=https://t/c2.png></amp-img></amp-carousel>") ==
          V{"img amp-img src https://t/c1.png", "img amp-img src https://t/c2.png"});
  }
  TEST_CASE("the invisibility heuristic reads amp-img dimensions") {
    ScanResult s =
        scan("<amp-img src=https://t/a.png width=1 height=1></amp-img>", {}, ScanOptions{true});
    REQUIRE(s.resources.size() == 1);
    CHECK(s.resources[0].invisible);
  }
  TEST_CASE("form action-xhr is a link; HTML parts ignore amp- elements") {
    ScanResult s =
        scan("<form method=post action-xhr=https://lure.example/x></form>", {}, ScanOptions{true});
    REQUIRE(s.links.size() == 1);
    CHECK(s.links[0].host == "lure.example");
    CHECK(found("<amp-img src=https://t/a.png></amp-img>").empty());
  }
}
