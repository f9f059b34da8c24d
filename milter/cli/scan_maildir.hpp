#pragma once
// Where a message file sits in a Maildir (Maildir++ layout, as Dovecot and Courier
// write it): ROOT/{cur,new}/NAME is in INBOX; ROOT/.Sub.Folder/{cur,new}/NAME is in the
// folder "Sub.Folder". Read from the path only (and whether ROOT has a cur/ directory,
// which tells a Maildir++ sub-folder from a Maildir that merely starts with a dot).
// Non-goals: the LAYOUT=fs variant (nested directories), mailbox name encodings.

#include <optional>
#include <string>

namespace pixelwarden::cli {

struct MaildirPlace {
  std::string root;    // the mailbox's Maildir (INBOX's directory)
  std::string folder;  // "INBOX" or the Maildir++ folder name without its leading dot
  std::string subdir;  // "cur" or "new"
  std::string name;    // the file name (unique part and ":2,FLAGS")
};

// Nothing when path is not ROOT[/.Folder]/{cur,new}/NAME.
std::optional<MaildirPlace> maildir_place(const std::string& path);

// The directory of a folder of a mailbox: root for INBOX, root/.FOLDER otherwise.
std::string folder_dir(const std::string& root, const std::string& folder);

}  // namespace pixelwarden::cli
