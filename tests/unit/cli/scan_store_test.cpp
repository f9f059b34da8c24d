#include <filesystem>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "cli/scan_store.hpp"
#include "scan_test_support.hpp"

using namespace pixelwarden::cli;
using scan_test::TempDir;

namespace {

std::vector<std::string> rel_paths(const StoreListing& l, const std::string& root) {
  std::vector<std::string> out;
  for (const auto& in : l.inputs) {
    out.push_back(in.path.substr(root.size() + 1) + (in.kind == InputKind::mbox ? " mbox" : ""));
  }
  return out;
}

// A Maildir with a Maildir++ subfolder, a delivery in progress in tmp/ and two files that
// are no mail. A walk lists Maildir/.Archive/cur/4:2,, Maildir/cur/2:2,S and Maildir/new/1
// (14 bytes each) and skips the two.
void write_maildir(TempDir& t) {
  t.write("Maildir/cur/2:2,S", "Subject: a\n\nx\n");
  t.write("Maildir/new/1", "Subject: b\n\nx\n");
  t.write("Maildir/tmp/3", "Subject: partial\n");
  t.write("Maildir/dovecot.index", "binary");
  t.write("Maildir/.Archive/cur/4:2,", "Subject: c\n\nx\n");
  t.mkdir("Maildir/.Archive/new");
  t.write("Maildir/.Archive/maildirfolder", "");
}

}  // namespace

TEST_SUITE("cli::scan_store") {
  TEST_CASE("a Maildir with Maildir++ subfolders lists cur and new, skips tmp and indexes") {
    TempDir t;
    write_maildir(t);
    const StoreListing l = list_inputs({t.path() + "/Maildir"});
    CHECK(rel_paths(l, t.path()) == std::vector<std::string>{"Maildir/.Archive/cur/4:2,",
                                                             "Maildir/cur/2:2,S", "Maildir/new/1"});
    CHECK(l.skipped_files == 2);
    CHECK(l.errors.empty());
  }

  TEST_CASE("a directory walk finds .eml files and mboxes by content or name") {
    TempDir t;
    t.write("d/a.eml", "Subject: a\n\nx\n");
    t.write("d/b.EML", "Subject: b\n\nx\n");
    t.write("d/Inbox", "From x@y Fri Jan  1 00:00:00 2021\nSubject: c\n\nx\n");
    t.write("d/broken.mbox", "Subject: not really an mbox\n");
    t.write("d/notes.txt", "hello");
    t.write("d/old.gz", std::string("\x1f\x8b\x08\x00", 4));
    const StoreListing l = list_inputs({t.path() + "/d"});
    CHECK(rel_paths(l, t.path()) == std::vector<std::string>{"d/Inbox mbox", "d/a.eml", "d/b.EML",
                                                             "d/broken.mbox mbox",
                                                             "d/old.gz mbox"});
    CHECK(l.skipped_files == 1);
  }

  TEST_CASE("a file named on the command line is a message unless it looks like an mbox") {
    TempDir t;
    const std::string msg = t.write("message", "Subject: a\n\nx\n");
    const std::string mbox = t.write("box", "From a\nSubject: a\n\nx\n");
    const StoreListing l = list_inputs({msg, mbox});
    REQUIRE(l.inputs.size() == 2);
    CHECK(l.inputs[0].kind == InputKind::message);
    CHECK(l.inputs[1].kind == InputKind::mbox);
    CHECK(l.total_bytes == 14 + 21);
  }

  TEST_CASE("missing paths are errors and the rest is still listed") {
    TempDir t;
    const std::string msg = t.write("a.eml", "Subject: a\n\nx\n");
    const StoreListing l = list_inputs({t.path() + "/nope", msg});
    REQUIRE(l.errors.size() == 1);
    CHECK(l.errors[0].path == t.path() + "/nope");
    CHECK(l.inputs.size() == 1);
  }

  TEST_CASE("symbolic links to directories are not followed in a walk") {
    TempDir t;
    t.write("d/cur/1", "Subject: a\n\nx\n");
    std::filesystem::create_directory_symlink(t.path() + "/d", t.path() + "/d/loop");
    const StoreListing l = list_inputs({t.path() + "/d"});
    CHECK(l.inputs.size() == 1);
    CHECK(l.skipped_files == 1);
  }

  TEST_CASE(
      "in a walk, links to messages are listed with their target's size, broken ones skipped") {
    TempDir t;
    const std::string target = t.write("elsewhere/m.eml", "Subject: linked\n\nbody\n");
    t.write("Maildir/cur/1:2,S", "Subject: a\n\nx\n");
    std::filesystem::create_symlink(target, t.path() + "/Maildir/cur/2:2,S");
    std::filesystem::create_symlink(t.path() + "/gone", t.path() + "/Maildir/cur/3:2,S");
    const StoreListing l = list_inputs({t.path() + "/Maildir"});
    REQUIRE(l.inputs.size() == 2);
    CHECK(l.inputs[1].path == t.path() + "/Maildir/cur/2:2,S");
    CHECK(l.inputs[1].size == std::filesystem::file_size(target));
    CHECK(l.total_bytes == 14 + std::filesystem::file_size(target));
    CHECK(l.skipped_files == 1);
    CHECK(l.errors.empty());
  }

  TEST_CASE("a cur/ or new/ directory named on the command line holds messages") {
    TempDir t;
    t.write("Maildir/cur/1:2,S", "Subject: a\n\nx\n");
    t.write("Maildir/cur/2:2,S", "Subject: b\n\nx\n");
    const StoreListing l = list_inputs({t.path() + "/Maildir/cur/"});
    CHECK(l.inputs.size() == 2);
    CHECK(l.skipped_files == 0);
  }

  TEST_CASE("without sizes, a Maildir's messages are listed by entry type alone, the rest alike") {
    TempDir t;
    write_maildir(t);
    const std::string target = t.write("elsewhere/m.eml", "Subject: linked\n\nbody\n");
    std::filesystem::create_symlink(target, t.path() + "/Maildir/cur/5:2,S");
    std::filesystem::create_symlink(t.path() + "/gone", t.path() + "/Maildir/cur/6:2,S");
    std::filesystem::create_directory_symlink(t.path() + "/Maildir", t.path() + "/Maildir/cur/7");
    t.write("Maildir/cur/.hidden", "Subject: d\n\nx\n");
    t.write("d/Inbox", "From x@y Fri Jan  1 00:00:00 2021\nSubject: e\n\nx\n");
    t.write("d/a.eml", "Subject: f\n\nx\n");
    const std::vector<std::string> paths{t.path() + "/Maildir", t.path() + "/d"};
    const StoreListing sized = list_inputs(paths);
    const StoreListing typed = list_inputs(paths, false);
    CHECK(rel_paths(typed, t.path()) == rel_paths(sized, t.path()));
    CHECK(rel_paths(typed, t.path()) ==
          std::vector<std::string>{"Maildir/.Archive/cur/4:2,", "Maildir/cur/2:2,S",
                                   "Maildir/cur/5:2,S", "Maildir/new/1", "d/Inbox mbox",
                                   "d/a.eml"});
    CHECK(typed.skipped_files == sized.skipped_files);
    CHECK(typed.skipped_files == 5);  // the two in the Maildir, two links, the hidden file
    CHECK(typed.errors.empty());
    REQUIRE(typed.inputs.size() == 6);
    // Plain files in cur/ and new/ were not stat'ed; the link was (its target's size), and
    // so were the mbox and the file outside the Maildir.
    CHECK(typed.inputs[0].size == 0);
    CHECK(typed.inputs[1].size == 0);
    CHECK(typed.inputs[2].size == std::filesystem::file_size(target));
    CHECK(typed.inputs[3].size == 0);
    CHECK(typed.inputs[4].size == sized.inputs[4].size);
    CHECK(typed.inputs[4].size > 0);
    CHECK(typed.inputs[5].size == 14);
    CHECK(sized.inputs[0].size == 14);
    CHECK(typed.total_bytes == sized.total_bytes - 3 * 14);
  }

  TEST_CASE("looks_like_mbox reads the From line and the gzip magic") {
    CHECK(looks_like_mbox("From "));
    CHECK(looks_like_mbox(std::string("\x1f\x8b", 2)));
    CHECK_FALSE(looks_like_mbox("From:"));
    CHECK_FALSE(looks_like_mbox(""));
  }
  TEST_CASE("a directory tree deeper than 256 levels is an error at the cut, the rest listed") {
    TempDir t;
    std::string rel;
    for (int i = 0; i < 260; ++i) rel += "d/";
    t.write(rel + "deep.eml", "Subject: a\n\nx\n");
    t.write("top.eml", "Subject: a\n\nx\n");
    const StoreListing l = list_inputs({t.path()});
    REQUIRE(l.errors.size() == 1);
    CHECK(l.errors[0].message.find("more than 256 directories deep") == 0);
    REQUIRE(l.inputs.size() == 1);
    CHECK(l.inputs[0].path == t.path() + "/top.eml");
  }
}
