#include <doctest/doctest.h>

#include "cli/scan_maildir.hpp"
#include "scan_test_support.hpp"

using namespace pixelwarden::cli;
using scan_test::TempDir;

TEST_SUITE("cli::scan_maildir") {
  TEST_CASE("a message in cur/ or new/ of the Maildir itself is in INBOX") {
    TempDir t;
    t.mkdir("Maildir/cur");
    const auto p = maildir_place(t.path() + "/Maildir/cur/1.M1.host:2,S");
    REQUIRE(p);
    CHECK(p->root == t.path() + "/Maildir");
    CHECK(p->folder == "INBOX");
    CHECK(p->subdir == "cur");
    CHECK(p->name == "1.M1.host:2,S");
  }

  TEST_CASE("a Maildir++ sub-folder is named without its dot; its root is the mailbox") {
    TempDir t;
    t.mkdir("Maildir/cur");
    t.mkdir("Maildir/.Archive.2020/new");
    const auto p = maildir_place(t.path() + "/Maildir/.Archive.2020/new/2.M2.host");
    REQUIRE(p);
    CHECK(p->root == t.path() + "/Maildir");
    CHECK(p->folder == "Archive.2020");
    CHECK(p->subdir == "new");
    CHECK(folder_dir(p->root, p->folder) == t.path() + "/Maildir/.Archive.2020");
    CHECK(folder_dir(p->root, "INBOX") == p->root);
  }

  TEST_CASE("a dot directory whose parent is no Maildir is a Maildir of its own") {
    TempDir t;
    t.mkdir("mail/.hidden/cur");
    const auto p = maildir_place(t.path() + "/mail/.hidden/cur/3");
    REQUIRE(p);
    CHECK(p->root == t.path() + "/mail/.hidden");
    CHECK(p->folder == "INBOX");
  }

  TEST_CASE("files outside cur/ and new/ have no Maildir place") {
    CHECK_FALSE(maildir_place("/x/tmp/1"));
    CHECK_FALSE(maildir_place("/x/exports/lure.eml"));
    CHECK_FALSE(maildir_place("lure.eml"));
  }
}
