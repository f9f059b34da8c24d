#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include <doctest/doctest.h>
#include <zlib.h>

#include "cli/scan_runner.hpp"
#include "ruleset/ruleset.hpp"
#include "scan_test_support.hpp"

using namespace pixelwarden::cli;
using scan_test::TempDir;

namespace {

const std::string k_rules = R"(ruleset:
  name: scan-unit
  version: "1"
lists:
  trackers:
    domains: [t.tracker.example]
  lures:
    domains: [lure-news.example]
trackers:
  - id: known-trackers
    match:
      domain_in: trackers
    action: neutralize
lures:
  - id: lure-senders
    match:
      domain_in: lures
      where: [envelope_from, header_from, reply_to, sender, return_path, links, resources]
    action: reject
)";

std::string message(const std::string& from, const std::string& date,
                    const std::string& body_html) {
  return "Return-Path: <" + from + ">\nDelivered-To: mp@parliament.example\nFrom: <" + from +
         ">\nTo: mp@parliament.example\nDate: " + date + "\nMessage-ID: <" + from + "." +
         date.substr(5, 2) + ">\nMIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n\n" +
         body_html + "\n";
}

const std::string k_lure =
    message("news@lure-news.example", "Fri, 1 Jan 2021 00:00:00 +0000", "<p>Read</p>");
const std::string k_tracked = message("shop@shop.example", "Mon, 1 Feb 2021 00:00:00 +0000",
                                      "<img src=\"https://t.tracker.example/o.gif\">");
const std::string k_clean =
    message("friend@friend.example", "Mon, 1 Mar 2021 00:00:00 +0000", "<p>Hi</p>");

ScanOptions options(const TempDir& t) {
  ScanOptions opt;
  const std::string path = t.write("rules/rules.yaml", k_rules);
  auto r = pixelwarden::ruleset::load_ruleset(path);
  for (const auto& e : r.errors) MESSAGE(e.to_string());
  REQUIRE(r.ruleset != nullptr);
  opt.rules = r.ruleset;
  opt.format = ScanFormat::csv;
  return opt;
}

std::string read_file(std::FILE* f) {
  std::rewind(f);
  std::string out;
  char buf[4096];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  return out;
}

// run_scan with one job and with `jobs`: both outputs and both counts.
struct TwoRuns {
  std::string one, many;
  ScanStats s1, sn;
};

TwoRuns run_twice(const std::vector<ScanInput>& inputs, const ScanOptions& opt, unsigned jobs) {
  ScanProgress progress(false, 0);
  std::FILE* one = std::tmpfile();
  std::FILE* many = std::tmpfile();
  TwoRuns r;
  r.s1 = run_scan(inputs, opt, 1, one, progress);
  r.sn = run_scan(inputs, opt, jobs, many, progress);
  r.one = read_file(one);
  r.many = read_file(many);
  std::fclose(one);
  std::fclose(many);
  return r;
}

}  // namespace

TEST_SUITE("cli::scan_runner") {
  TEST_CASE("a lure and a tracker message are reported, a clean one is not") {
    TempDir t;
    const ScanOptions opt = options(t);
    ScanStats st;
    auto lure = scan_message(k_lure, "p", std::nullopt, opt, st);
    REQUIRE(lure);
    CHECK(lure->rules == std::vector<std::string>{"lure-senders"});
    CHECK(lure->decision == "reject");
    CHECK(lure->date == "2021-01-01T00:00:00Z");
    CHECK(lure->from == "<news@lure-news.example>");
    CHECK(lure->subject == std::nullopt);
    REQUIRE_FALSE(lure->findings.empty());
    CHECK(lure->findings[0].rule == "lure-senders");
    CHECK(lure->findings[0].value == "lure-news.example");
    auto tracked = scan_message(k_tracked, "p", std::nullopt, opt, st);
    REQUIRE(tracked);
    REQUIRE(tracked->findings.size() == 1);
    CHECK(tracked->findings[0].where == "resources:img");
    CHECK(tracked->findings[0].value == "https://t.tracker.example/o.gif");
    CHECK_FALSE(scan_message(k_clean, "p", std::nullopt, opt, st));
    CHECK(st.messages == 3);
    CHECK(st.matched == 2);
    CHECK(st.per_rule["lure-senders"] == 1);
    CHECK(st.per_recipient["mp@parliament.example"] == 2);
  }

  TEST_CASE("--all reports every message, --rule only those the rule matched") {
    TempDir t;
    ScanOptions opt = options(t);
    ScanStats st;
    opt.all = true;
    CHECK(scan_message(k_clean, "p", std::nullopt, opt, st));
    opt.all = false;
    opt.only_rules = {"known-trackers"};
    CHECK_FALSE(scan_message(k_lure, "p", std::nullopt, opt, st));
    auto rec = scan_message(k_tracked, "p", std::nullopt, opt, st);
    REQUIRE(rec);
    CHECK(rec->findings.size() == 1);
    CHECK(st.per_rule.count("lure-senders") == 0);
  }

  TEST_CASE("--new-since reports only matches the baseline ruleset would not have made") {
    TempDir t;
    ScanOptions opt = options(t);  // the rules above, as the baseline
    opt.baseline = opt.rules;
    std::string updated = k_rules;
    updated.replace(updated.find("[lure-news.example]"), 19, "[lure-news.example, shop.example]");
    pixelwarden::ruleset::LoadOptions keep;
    keep.keep_entries = true;
    auto r = pixelwarden::ruleset::load_ruleset(t.write("new/rules.yaml", updated), keep);
    REQUIRE(r.ruleset != nullptr);
    auto b = pixelwarden::ruleset::load_ruleset(t.write("old/rules.yaml", k_rules), keep);
    REQUIRE(b.ruleset != nullptr);
    opt.rules = r.ruleset;
    opt.baseline = b.ruleset;
    opt.affected_rules = {"lure-senders"};
    ScanStats st;
    CHECK_FALSE(scan_message(k_lure, "p", std::nullopt, opt, st));   // found before
    CHECK_FALSE(scan_message(k_clean, "p", std::nullopt, opt, st));  // nothing at all
    auto rec = scan_message(k_tracked, "p", std::nullopt, opt, st);  // shop.example is new
    REQUIRE(rec);
    REQUIRE_FALSE(rec->findings.empty());
    for (const auto& f : rec->findings) {
      CHECK(f.rule == "lure-senders");  // the unchanged tracker rule's match is not new
      CHECK(f.value == "shop.example");
    }
    CHECK(rec->verdict_json.find("known-trackers") == std::string::npos);
    CHECK(st.matched == 1);
  }

  TEST_CASE("--since/--until filter on Date; undated messages are scanned and counted") {
    TempDir t;
    ScanOptions opt = options(t);
    opt.since = 1612137600;  // 2021-02-01
    opt.until = 1614556800;  // 2021-03-01
    ScanStats st;
    CHECK_FALSE(scan_message(k_lure, "p", std::nullopt, opt, st));
    CHECK(scan_message(k_tracked, "p", std::nullopt, opt, st));
    const std::string undated = "From: <news@lure-news.example>\nDate: someday\n\nx\n";
    auto rec = scan_message(undated, "p", std::nullopt, opt, st);
    REQUIRE(rec);
    CHECK(rec->date == "someday");
    CHECK(st.out_of_range == 1);
    CHECK(st.undated == 1);
  }

  TEST_CASE("message files read one after another see only their own bytes") {
    // The read buffer is kept from file to file: a shorter file after a longer one must
    // not be scanned with the longer one's tail (here, its tracker), and a file past the
    // buffer's keep size (1 MiB, let go after its message) must change nothing after it.
    TempDir t;
    const ScanOptions opt = options(t);
    const std::string tracked_long = message(
        "shop@shop.example", "Mon, 1 Feb 2021 00:00:00 +0000",
        "<p>" + std::string(400, 'x') + "</p><img src=\"https://t.tracker.example/o.gif\">");
    const std::string huge_clean =
        message("friend@friend.example", "Mon, 1 Mar 2021 00:00:00 +0000",
                "<p>" + std::string(3 << 20, 'y') + "</p>");
    REQUIRE(tracked_long.size() > k_clean.size());
    const std::vector<std::pair<std::string, bool>> files = {
        {tracked_long, true}, {k_clean, false},  {huge_clean, false},
        {k_clean, false},     {k_tracked, true}, {k_clean, false}};
    for (std::size_t i = 0; i < files.size(); ++i) {
      const std::string path = t.write("m" + std::to_string(i), files[i].first);
      const FileResult r = scan_file(
          ScanInput{path, "m" + std::to_string(i), InputKind::message, files[i].first.size()}, opt,
          nullptr);
      CHECK_MESSAGE(r.errors.empty(), "file " << i);
      CHECK_MESSAGE(r.stats.messages == 1, "file " << i);
      CHECK_MESSAGE(r.stats.matched == (files[i].second ? 1 : 0), "file " << i);
    }
  }

  TEST_CASE("an mbox reports offsets of the matching messages' From lines") {
    TempDir t;
    ScanOptions opt = options(t);
    const std::string mbox = "From a Fri Jan  1 00:00:00 2021\n" + k_clean +
                             "\nFrom b Fri Jan  1 00:00:00 2021\n" + k_lure +
                             "\nFrom c Fri Jan  1 00:00:00 2021\n" + k_tracked;
    const std::string path = t.write("box", mbox);
    FileResult r = scan_file(ScanInput{path, "box", InputKind::mbox, mbox.size()}, opt, nullptr);
    CHECK(r.errors.empty());
    CHECK(r.stats.messages == 3);
    CHECK(r.output.find("," + std::to_string(mbox.find("From b")) + ",") != std::string::npos);
    CHECK(r.output.find("," + std::to_string(mbox.find("From c")) + ",") != std::string::npos);
    CHECK(r.output.find(",0,") == std::string::npos);
  }

  TEST_CASE("a gzip mbox is read through zlib with offsets in the uncompressed stream") {
    TempDir t;
    ScanOptions opt = options(t);
    const std::string mbox = "From a x\n" + k_clean + "\nFrom b x\n" + k_lure;
    const std::string path = t.path() + "/box.mbox.gz";
    gzFile z = gzopen(path.c_str(), "wb");
    REQUIRE(z != nullptr);
    gzwrite(z, mbox.data(), static_cast<unsigned>(mbox.size()));
    gzclose(z);
    opt.format = ScanFormat::json;
    FileResult r = scan_file(ScanInput{path, "box", InputKind::mbox, 0}, opt, nullptr);
    CHECK(r.errors.empty());
    CHECK(r.stats.messages == 2);
    CHECK(r.stats.reported == 1);
    CHECK(r.output.find("\"mbox_offset\":" + std::to_string(mbox.find("From b"))) !=
          std::string::npos);
  }

  TEST_CASE("unreadable files and unsplittable mboxes are errors, counted") {
    TempDir t;
    ScanOptions opt = options(t);
    FileResult missing =
        scan_file(ScanInput{t.path() + "/nope", "nope", InputKind::message, 0}, opt, nullptr);
    CHECK(missing.stats.errors == 1);
    const std::string path = t.write("bad.mbox", k_lure);
    FileResult bad = scan_file(ScanInput{path, "box", InputKind::mbox, 0}, opt, nullptr);
    REQUIRE(bad.errors.size() == 1);
    CHECK(bad.errors[0].find("does not start with") != std::string::npos);
    CHECK(bad.stats.messages == 0);
  }

  TEST_CASE("run_scan writes in input order whatever the number of jobs") {
    TempDir t;
    ScanOptions opt = options(t);
    std::vector<ScanInput> inputs;
    for (int i = 0; i < 40; ++i) {
      const std::string& m = i % 3 == 0 ? k_lure : (i % 3 == 1 ? k_tracked : k_clean);
      inputs.push_back(ScanInput{t.write("m/" + std::to_string(100 + i) + ".eml", m),
                                 std::to_string(100 + i) + ".eml", InputKind::message, m.size()});
    }
    const TwoRuns r = run_twice(inputs, opt, 4);
    CHECK(r.one == r.many);
    CHECK(r.s1.reported == 27);
    CHECK(r.sn.messages == 40);
    CHECK(r.one.find("/m/100.eml") < r.one.find("/m/101.eml"));
    CHECK(r.one.find("/m/102.eml") == std::string::npos);
  }

  TEST_CASE("one large mbox is shared by the jobs; output and counts are those of one job") {
    TempDir t;
    ScanOptions opt = options(t);
    std::vector<ScanInput> inputs;
    for (int box = 0; box < 2; ++box) {
      std::string mbox;
      for (int i = 0; i < 150; ++i) {  // several batches of 64
        const std::string& m = i % 3 == 0 ? k_lure : (i % 3 == 1 ? k_tracked : k_clean);
        if (i > 0) mbox += '\n';
        mbox += "From m";
        mbox += std::to_string(i);
        mbox += " Fri Jan  1 00:00:00 2021\n";
        mbox += m;
      }
      const std::string name = "box" + std::to_string(box);
      inputs.push_back(ScanInput{t.write(name, mbox), name, InputKind::mbox, mbox.size()});
    }
    // The boxes whole, split by this thread (too small to cut), then cut into parts of
    // about a message (parts that start inside one) and of a few messages.
    for (const std::uint64_t segment :
         {std::uint64_t{4} << 20, std::uint64_t{64}, std::uint64_t{1000}, std::uint64_t{9999}}) {
      INFO("parts of " << segment << " bytes");
      opt.mbox_segment_bytes = segment;
      const auto parts = mbox_segments(inputs, segment);
      CHECK(parts.size() ==
            (segment == 4u << 20 ? 2 : 2 * ((inputs[0].size + segment - 1) / segment)));
      const TwoRuns r = run_twice(inputs, opt, 3);
      CHECK(r.one == r.many);
      CHECK(r.s1.messages == 300);
      CHECK(r.sn.messages == 300);
      CHECK(r.sn.reported == r.s1.reported);
      CHECK(r.sn.reported == 200);
      CHECK(r.sn.files == 2);
      CHECK(r.sn.errors == 0);
      CHECK(r.one.find("box0") < r.one.rfind("box1"));
    }
  }

  TEST_CASE("a cut mbox: a part's first separator is found across read windows") {
    // Parts of 1.5 MiB; the second part's first separator lies about 1 MiB after its
    // start, after 16 of the search's 64 KiB read windows (each starts 8 bytes before
    // the last one's end), at and around the spot where two of them overlap.
    TempDir t;
    ScanOptions opt = options(t);
    opt.all = true;
    opt.mbox_segment_bytes = 3u << 19;
    opt.limits.max_message_bytes = 64 * 1024;  // the long messages: headers only, cheaply
    const std::size_t window_edge = opt.mbox_segment_bytes + 16 * ((64u << 10) - 8);
    for (int d = -4; d <= 4; ++d) {
      const std::size_t sep = static_cast<std::size_t>(static_cast<int>(window_edge) + d);
      std::string mbox = "From a x\n" + k_clean.substr(0, k_clean.find("\n\n") + 2);
      while (mbox.size() + 101 < sep - 1) mbox += std::string(99, 'w') + "\n";
      mbox += std::string(sep - 2 - mbox.size(), 'v') + "\n\n";
      REQUIRE(mbox.size() == sep);
      mbox += "From b x\n" + k_lure + "\nFrom c x\n" + k_tracked + "\n";
      mbox += "From d x\n" + k_clean.substr(0, k_clean.find("\n\n") + 2);
      mbox += std::string(1u << 20, 'u') + "\n\nFrom e x\n" + k_lure;
      const std::vector<ScanInput> inputs{ScanInput{t.write("box" + std::to_string(d + 4), mbox),
                                                    "box", InputKind::mbox, mbox.size()}};
      REQUIRE(mbox_segments(inputs, opt.mbox_segment_bytes).size() == 3);
      const TwoRuns r = run_twice(inputs, opt, 2);
      INFO("separator " << d << " bytes from the window edge");
      CHECK(r.one == r.many);
      CHECK(r.s1.messages == 5);
      CHECK(r.sn.messages == 5);
      CHECK(r.sn.files == 1);
      CHECK(r.one.find("," + std::to_string(sep) + ",") != std::string::npos);
    }
  }

  TEST_CASE("a part of a cut mbox replaced since it was cut is an error, not another file's mail") {
    TempDir t;
    ScanOptions opt = options(t);
    std::string mbox;
    for (int i = 0; i < 20; ++i) mbox += "From m" + std::to_string(i) + " x\n" + k_lure + "\n";
    const std::string path = t.write("box", mbox);
    const auto parts = mbox_segments({ScanInput{path, "box", InputKind::mbox, mbox.size()}}, 1000);
    REQUIRE(parts.size() > 2);
    // The same path, another file (written beside it and renamed over it).
    const std::string other = t.write("box.new", mbox);
    REQUIRE(std::rename(other.c_str(), path.c_str()) == 0);
    const FileResult r = scan_file(parts[1], opt, nullptr);
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0] == path +
                             ": replaced by another file while it was being scanned: not scanned "
                             "(the part from byte 1000 to 2000)");
    CHECK(r.stats.messages == 0);
    CHECK(r.stats.errors == 1);
  }

  TEST_CASE("only plain mboxes of at least two parts are cut") {
    TempDir t;
    const std::string mbox = "From a x\n" + k_clean + "\nFrom b x\n" + k_lure;
    const std::string gz = t.path() + "/box.gz";
    gzFile z = gzopen(gz.c_str(), "wb");
    gzwrite(z, mbox.data(), static_cast<unsigned>(mbox.size()));
    gzclose(z);
    const std::string not_mbox = "Subject: x\n\n" + mbox;
    const std::vector<ScanInput> inputs{
        ScanInput{t.write("plain", mbox), "plain", InputKind::mbox, mbox.size()},
        ScanInput{gz, "gz", InputKind::mbox, mbox.size()},  // as if as large as the plain one
        ScanInput{t.write("odd", not_mbox), "odd", InputKind::mbox, not_mbox.size()},
        ScanInput{t.write("m.eml", mbox), "m.eml", InputKind::message, mbox.size()}};
    const std::uint64_t part = mbox.size() / 3;
    const auto cut = mbox_segments(inputs, part);
    REQUIRE(cut.size() == 3 + 3 + (mbox.size() % part != 0 ? 1 : 0));
    CHECK(cut[0].segment_begin == 0);
    CHECK(cut[1].segment_begin == part);
    CHECK(cut[1].segment_end == 2 * part);
    CHECK(cut[1].inode != 0);
    CHECK(cut[1].inode == cut[0].inode);
    const std::size_t last = cut.size() - 4;
    CHECK(cut[last].segment_end == UINT64_MAX);  // to the end, even if the file has grown
    for (std::size_t i = cut.size() - 3; i < cut.size(); ++i) CHECK(cut[i].segment_end == 0);
    CHECK(mbox_segments(inputs, mbox.size()).size() == 4);  // one part: not cut
  }
}
