#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <doctest/doctest.h>

#include "cli/scan_remediate.hpp"
#include "scan_test_support.hpp"

using namespace pixelwarden::cli;
using scan_test::TempDir;

namespace {

ScanRecord record(const std::string& path) {
  ScanRecord r;
  r.path = path;
  r.message_id = "<m@x>";
  r.rules = {"lure-senders"};
  return r;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool exists(const std::string& p) { return std::filesystem::exists(p); }

struct Box {
  TempDir t;
  std::string inbox_msg, archive_msg;
  Box() {
    inbox_msg = t.write("Maildir/cur/1.M1.host:2,RS", "From: a\n\nlure one\n");
    archive_msg = t.write("Maildir/.Archive/new/2.M2.host", "From: b\n\nlure two\n");
    t.mkdir("Maildir/new");
    t.mkdir("Maildir/tmp");
  }
  std::string root() const { return t.path() + "/Maildir"; }
};

}  // namespace

TEST_SUITE("cli::scan_remediate") {
  TEST_CASE("folder names: Maildir++ names only, never INBOX or a path") {
    CHECK(check_folder_name("Quarantine").empty());
    CHECK(check_folder_name("Junk.Phish").empty());
    CHECK_FALSE(check_folder_name("").empty());
    CHECK_FALSE(check_folder_name("../x").empty());
    CHECK_FALSE(check_folder_name(".Quarantine").empty());
    CHECK_FALSE(check_folder_name("a/b").empty());
    CHECK_FALSE(check_folder_name("INBOX").empty());
    CHECK_FALSE(check_folder_name("a\nb").empty());
  }

  TEST_CASE("the plan keeps subdir and file name and lists what cannot move, with why") {
    Box b;
    MovePlan plan;
    plan_move(record(b.inbox_msg), "Quarantine", plan);
    plan_move(record(b.archive_msg), "Quarantine", plan);
    ScanRecord in_mbox = record(b.t.path() + "/old.mbox");
    in_mbox.mbox_offset = 4242;
    plan_move(in_mbox, "Quarantine", plan);
    plan_move(record(b.t.write("exports/x.eml", "x")), "Quarantine", plan);
    plan_move(record(b.t.write("Maildir/.Quarantine/cur/9", "x")), "Quarantine", plan);
    REQUIRE(plan.moves.size() == 2);
    CHECK(plan.moves[0].to == b.root() + "/.Quarantine/cur/1.M1.host:2,RS");
    CHECK(plan.moves[1].to == b.root() + "/.Quarantine/new/2.M2.host");
    REQUIRE(plan.not_moved.size() == 3);
    CHECK(plan.not_moved[0].location == b.t.path() + "/old.mbox@4242");
    CHECK(plan.not_moved[0].why.find("never modified") != std::string::npos);
    CHECK(plan.not_moved[1].why.find("not in a Maildir") != std::string::npos);
    CHECK(plan.not_moved[2].why.find("already in Quarantine") != std::string::npos);
  }

  TEST_CASE("a plan alone changes nothing on disk") {
    Box b;
    struct stat before {};
    REQUIRE(::stat(b.inbox_msg.c_str(), &before) == 0);
    MovePlan plan;
    plan_move(record(b.inbox_msg), "Quarantine", plan);
    struct stat after {};
    REQUIRE(::stat(b.inbox_msg.c_str(), &after) == 0);
    CHECK(before.st_ino == after.st_ino);
    CHECK(before.st_mtim.tv_nsec == after.st_mtim.tv_nsec);
    CHECK_FALSE(exists(b.root() + "/.Quarantine"));
  }

  TEST_CASE("apply moves by rename into a created folder, journals, and undo restores") {
    Box b;
    const std::string bytes1 = slurp(b.inbox_msg);
    struct stat st {};
    REQUIRE(::stat(b.inbox_msg.c_str(), &st) == 0);
    MovePlan plan;
    plan_move(record(b.inbox_msg), "Quarantine", plan);
    plan_move(record(b.archive_msg), "Quarantine", plan);
    const std::string journal = b.t.path() + "/moves.jsonl";
    const MoveResult r = apply_moves(plan, journal);
    CHECK(r.errors.empty());
    CHECK(r.moved == 2);
    CHECK_FALSE(exists(b.inbox_msg));
    CHECK_FALSE(exists(b.archive_msg));
    const std::string moved = b.root() + "/.Quarantine/cur/1.M1.host:2,RS";
    CHECK(slurp(moved) == bytes1);
    struct stat st2 {};
    REQUIRE(::stat(moved.c_str(), &st2) == 0);
    CHECK(st2.st_ino == st.st_ino);  // renamed, not copied
    CHECK(exists(b.root() + "/.Quarantine/maildirfolder"));
    CHECK(exists(b.root() + "/.Quarantine/tmp"));
    const std::string j = slurp(journal);
    CHECK(std::count(j.begin(), j.end(), '\n') == 2);
    CHECK(j.find("\"op\":\"move\"") != std::string::npos);

    const UndoResult u = undo_journal(journal);
    CHECK(u.errors.empty());
    CHECK(u.restored == 2);
    CHECK(slurp(b.inbox_msg) == bytes1);
    CHECK(exists(b.archive_msg));
    CHECK_FALSE(exists(moved));
    const UndoResult again = undo_journal(journal);
    CHECK(again.restored == 0);
    CHECK(again.already_back == 2);
    CHECK(again.errors.empty());
  }

  TEST_CASE("an existing target is never overwritten; the journal marks the failed move") {
    Box b;
    const std::string squatter = b.t.write("Maildir/.Quarantine/cur/1.M1.host:2,RS", "other\n");
    MovePlan plan;
    plan_move(record(b.inbox_msg), "Quarantine", plan);
    const std::string journal = b.t.path() + "/moves.jsonl";
    const MoveResult r = apply_moves(plan, journal);
    CHECK(r.moved == 0);
    REQUIRE(r.errors.size() == 1);
    CHECK(slurp(squatter) == "other\n");
    CHECK(exists(b.inbox_msg));
    CHECK(slurp(journal).find("\"op\":\"failed\"") != std::string::npos);
    const UndoResult u = undo_journal(journal);
    CHECK(u.errors.empty());
    CHECK(u.restored == 0);
    CHECK(slurp(squatter) == "other\n");
  }

  TEST_CASE("a folder that is a symbolic link is not followed: nothing moves through it") {
    Box b;
    const std::string elsewhere = b.t.mkdir("other/Maildir");
    REQUIRE(::symlink(elsewhere.c_str(), (b.root() + "/.Quarantine").c_str()) == 0);
    MovePlan plan;
    plan_move(record(b.inbox_msg), "Quarantine", plan);
    const MoveResult r = apply_moves(plan, b.t.path() + "/moves.jsonl");
    CHECK(r.moved == 0);
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].find("not a directory") != std::string::npos);
    CHECK(exists(b.inbox_msg));
    CHECK_FALSE(exists(elsewhere + "/cur"));
  }

  TEST_CASE("undo leaves a message that changed since its move, and says so") {
    Box b;
    MovePlan plan;
    plan_move(record(b.inbox_msg), "Quarantine", plan);
    const std::string journal = b.t.path() + "/moves.jsonl";
    REQUIRE(apply_moves(plan, journal).moved == 1);
    b.t.write("Maildir/.Quarantine/cur/1.M1.host:2,RS", "rewritten by someone\n");
    const UndoResult u = undo_journal(journal);
    REQUIRE(u.errors.size() == 1);
    CHECK(u.errors[0].find("changed since") != std::string::npos);
    CHECK_FALSE(exists(b.inbox_msg));
  }

  TEST_CASE("an unreadable or garbled journal is an error, not a silent no-op") {
    TempDir t;
    CHECK(undo_journal(t.path() + "/none.jsonl").errors.size() == 1);
    const std::string j = t.write("bad.jsonl", "{\"op\":\"move\"\nnot json\n");
    CHECK(undo_journal(j).errors.size() == 2);
  }
}
