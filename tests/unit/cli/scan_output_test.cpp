#include <doctest/doctest.h>

#include <algorithm>

#include "cli/scan_output.hpp"
#include "scan_test_support.hpp"

using namespace pixelwarden::cli;
namespace ruleset = pixelwarden::ruleset;

namespace {

ScanRecord sample() {
  ScanRecord r;
  r.path = "/m/cur/1";
  r.mbox_offset = 1234;
  r.message_id = "<a@b>";
  r.date = "2021-01-01T00:00:00Z";
  r.from = "\"News, Daily\" <news@lure-news.example>";
  r.to = "mp@parliament.example";
  r.subject = "Agenda, day 2";
  r.folder = "INBOX";
  r.decision = "reject";
  r.rules = {"apt31-news-lures", "known-tracker-domains"};
  r.findings = {{"apt31-news-lures", "lure", "reject", "header_from", "lure-news.example",
                 "CERT-EU", "Fake Newsroom"},
                {"known-tracker-domains", "tracker", "neutralize", "resources:img",
                 "https://t.tracker.example/o.gif?id=1,2"}};
  r.verdict_json = R"({"action":"reject"})";
  return r;
}

}  // namespace

TEST_SUITE("cli::scan_output") {
  TEST_CASE("csv_quote quotes only when needed and doubles quotes") {
    CHECK(csv_quote("plain") == "plain");
    CHECK(csv_quote("a,b") == "\"a,b\"");
    CHECK(csv_quote("say \"hi\"") == "\"say \"\"hi\"\"\"");
    CHECK(csv_quote("two\nlines") == "\"two\nlines\"");
    CHECK(csv_quote("") == "");
  }

  TEST_CASE("csv_quote: a field that starts like a spreadsheet formula is shown as text") {
    CHECK(csv_quote("=HYPERLINK(\"http://x\",\"y\")") ==
          "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
    CHECK(csv_quote("+1") == "\"'+1\"");
    CHECK(csv_quote("-2+3") == "\"'-2+3\"");
    CHECK(csv_quote("@SUM(A1)") == "\"'@SUM(A1)\"");
    CHECK(csv_quote("\tx") == "\"'\tx\"");
    CHECK(csv_quote("a=b") == "a=b");  // only the first character counts
  }

  TEST_CASE("csv has one row per finding with the message columns repeated, nothing cut") {
    CHECK(csv_header() ==
          "path,mbox_offset,folder,uid,message_id,date,from,to,subject,rule,kind,action_today,"
          "where,indicator,source,campaign,decision_today\r\n");
    const std::string head =
        "/m/cur/1,1234,INBOX,,<a@b>,2021-01-01T00:00:00Z,\"\"\"News, Daily\"\" "
        "<news@lure-news.example>\",mp@parliament.example,\"Agenda, day 2\",";
    CHECK(format_csv(sample()) == head +
                                      "apt31-news-lures,lure,reject,header_from,lure-news.example,"
                                      "CERT-EU,Fake Newsroom,reject\r\n" +
                                      head +
                                      "known-tracker-domains,tracker,neutralize,resources:img,"
                                      "\"https://t.tracker.example/o.gif?id=1,2\",,,reject\r\n");
  }

  TEST_CASE("csv: a message without findings (--all) is one row with empty finding columns") {
    ScanRecord r = sample();
    r.findings.clear();
    r.mbox_offset.reset();
    r.message_id.reset();
    r.folder.reset();
    r.uid = 42;
    const std::string row = format_csv(r);
    CHECK(row.rfind("/m/cur/1,,,42,,2021", 0) == 0);
    CHECK(row.size() > 20);
    CHECK(row.substr(row.size() - 16) == ",,,,,,,,reject\r\n");
  }

  TEST_CASE("a json line has the findings, the subject and the verdict; null for absent values") {
    ScanRecord r = sample();
    r.mbox_offset.reset();
    r.to.reset();
    r.findings.resize(1);
    CHECK(format_json(r) ==
          "{\"path\":\"/m/cur/1\",\"mbox_offset\":null,\"folder\":\"INBOX\",\"uid\":null,"
          "\"message_id\":\"<a@b>\",\"date\":\"2021-01-01T00:00:00Z\",\"from\":\"\\\"News, "
          "Daily\\\" <news@lure-news.example>\",\"to\":null,\"subject\":\"Agenda, day 2\","
          "\"findings\":[{\"rule\":\"apt31-news-lures\",\"kind\":\"lure\",\"action\":\"reject\","
          "\"where\":\"header_from\",\"value\":\"lure-news.example\",\"source\":\"CERT-EU\","
          "\"campaign\":\"Fake Newsroom\"}],"
          "\"verdict\":{\"action\":\"reject\"}}\n");
  }

  TEST_CASE("terminal_safe neutralizes control characters and cuts at a UTF-8 boundary") {
    CHECK(terminal_safe("a\x1b[31mb\r\n", 100) == "a?[31mb??");
    CHECK(terminal_safe("abcdef", 4) == "ab..");
    CHECK(terminal_safe("\xC3\xA9\xC3\xA9\xC3\xA9", 5) == "\xC3\xA9..");
  }

  TEST_CASE("a table row shows every finding, the indicator uncut, and the location") {
    ScanRecord r = sample();
    r.findings[0].value = "apnews.update-security-center.example.lure-news.example";
    const std::string table = format_table(r);
    CHECK(table.rfind("2021-01-01T00:00:00Z ", 0) == 0);
    CHECK(table.find("apnews.update-security-center.example.lure-news.example [Fake Newsroom] ") !=
          std::string::npos);
    CHECK(table.find("https://t.tracker.example/o.gif?id=1,2") != std::string::npos);
    CHECK(table.find("header_from") != std::string::npos);
    CHECK(table.find("Agenda, day 2") != std::string::npos);
    CHECK(table.find("/m/cur/1@1234\n") != std::string::npos);
    CHECK(std::count(table.begin(), table.end(), '\n') == 2);
    CHECK(table_header().rfind("DATE", 0) == 0);
    CHECK(table_header().find("INDICATOR") != std::string::npos);
  }

  TEST_CASE("a table lists at most k_table_findings findings, then says how many more") {
    ScanRecord r = sample();
    r.findings.assign(8, r.findings[1]);
    const std::string table = format_table(r);
    CHECK(std::count(table.begin(), table.end(), '\n') == static_cast<long>(k_table_findings) + 1);
    CHECK(table.find("+3 more findings") != std::string::npos);
  }

  TEST_CASE("shorten_address cuts the display name before the address, then keeps the domain end") {
    const std::string from = "\"APNEWS Desk of the Week\" <editor@apnews.update.example>";
    CHECK(shorten_address(from, 100) == from);
    CHECK(shorten_address(from, 40) == "\"APNEW..\" <editor@apnews.update.example>");
    CHECK(shorten_address(from, 30) == "<editor@apnews.update.example>");
    CHECK(shorten_address(from, 25) == "..@apnews.update.example>");
    CHECK(shorten_address("editor@apnews.update.example", 15) == "..pdate.example");
    CHECK(shorten_address("Name\x1b[31m <a@b.example>", 100) == "Name?[31m <a@b.example>");
  }

  TEST_CASE("location: a file, an mbox offset, an IMAP UID") {
    ScanRecord r = sample();
    CHECK(location_of(r) == "/m/cur/1@1234");
    r.mbox_offset.reset();
    r.path = "imap://alice@127.0.0.1:1143/INBOX";
    r.uid = 7;
    CHECK(location_of(r) == "imap://alice@127.0.0.1:1143/INBOX;UID=7");
  }

  TEST_CASE("format_header is empty for json and the column line for csv") {
    CHECK(format_header(ScanFormat::json).empty());
    CHECK(format_header(ScanFormat::csv) == csv_header());
  }

  TEST_CASE("matched_rules lists lure then tracker rule ids once each") {
    pixelwarden::engine::Verdict v;
    v.lures.push_back({"l1", ruleset::LureAction::reject, "header_from", "x", false, {}});
    v.trackers.push_back({"t1", ruleset::TrackerAction::neutralize, "img", "u", "1", "", false});
    v.trackers.push_back({"t1", ruleset::TrackerAction::neutralize, "img", "u2", "1", "", false});
    v.lures.push_back({"l1", ruleset::LureAction::reject, "links", "y", false, {}});
    CHECK(matched_rules(v) == std::vector<std::string>{"l1", "t1"});
  }

  TEST_CASE("findings_of: one per rule, where and value; monitor rules act as monitor today") {
    pixelwarden::engine::Verdict v;
    v.lures.push_back({"l1", ruleset::LureAction::reject, "header_from", "x.example", false, {}});
    v.lures.push_back({"l1", ruleset::LureAction::reject, "header_from", "x.example", false, {}});
    v.lures.push_back({"l1", ruleset::LureAction::reject, "links", "x.example", false, {}});
    v.lures.push_back(
        {"l2", ruleset::LureAction::quarantine, "envelope_from", "y.example", true, {}});
    v.trackers.push_back({"t1", ruleset::TrackerAction::neutralize, "css_background", "https://t/p",
                          "1", "", false});
    const auto all = findings_of(v);
    REQUIRE(all.size() == 4);
    CHECK(all[1].where == "links");
    CHECK(all[2].action == "monitor");
    CHECK(all[3].kind == "tracker");
    CHECK(all[3].where == "resources:css_background");
    CHECK(all[3].value == "https://t/p");
    const auto only = findings_of(v, {"t1"});
    REQUIRE(only.size() == 1);
    CHECK(only[0].rule == "t1");
  }

  TEST_CASE(
      "doveadm: a move or expunge per message, quoted for the shell; untargetable ones say why") {
    ScanRecord r = sample();
    r.mbox_offset.reset();
    r.path = "imap://alice@127.0.0.1:1143/INBOX";
    r.imap_server = "imap://alice@127.0.0.1:1143";
    r.uid = 7;
    r.message_id = "<it's@x>";
    CHECK(
        format_doveadm(r, "Quarantine") ==
        "doveadm move -u 'alice' 'Quarantine' mailbox 'INBOX' header Message-ID '<it'\\''s@x>'\n");
    CHECK(format_doveadm(r, "") ==
          "doveadm expunge -u 'alice' mailbox 'INBOX' header Message-ID '<it'\\''s@x>'\n");
    r.message_id = "<a\nb>";
    CHECK(format_doveadm(r, "Q").rfind("# not targetable (no usable Message-ID)", 0) == 0);
    // doveadm's header search matches substrings: only a whole <left@right> is targeted.
    for (const char* broad : {"@", "lure.example", "<a@b> <c@d>", "<ab>", "a@b", "<a @b>", "<>"}) {
      r.message_id = broad;
      CHECK_MESSAGE(format_doveadm(r, "Q").rfind("# not targetable (no usable Message-ID)", 0) == 0,
                    broad);
    }
    ScanRecord m = sample();  // inside an mbox
    CHECK(format_doveadm(m, "Q").rfind("# not targetable (no Dovecot user and folder)", 0) == 0);
  }

  TEST_CASE("doveadm: the user of a Maildir is the directory that holds it") {
    scan_test::TempDir t;
    t.mkdir("vmail/alice/Maildir/cur");
    ScanRecord r = sample();
    r.mbox_offset.reset();
    r.path = t.write("vmail/alice/Maildir/.Archive/cur/1:2,S", "x");
    r.folder = "Archive";
    CHECK(format_doveadm(r, "Q") ==
          "doveadm move -u 'alice' 'Q' mailbox 'Archive' header Message-ID '<a@b>'\n");
    t.mkdir("mail/bob/cur");
    r.path = t.write("mail/bob/cur/2", "x");
    r.folder = "INBOX";
    CHECK(format_doveadm(r, "").find("-u 'bob' mailbox 'INBOX'") != std::string::npos);
  }
}
