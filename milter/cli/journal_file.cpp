#include "cli/journal_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace pixelwarden::cli {

JournalFile::JournalFile(const std::string& path) {
  const int fd = ::open(path.c_str(),
                        O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0600);
  if (fd < 0) {
    m_error =
        path + ": " + (errno == ELOOP ? "a symbolic link (not followed)" : std::strerror(errno));
    return;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    m_error = path + ": not a regular file";
    return;
  }
  ::fcntl(fd, F_SETFL, O_APPEND);  // blocking writes again
  m_fd = fd;
}

JournalFile::~JournalFile() {
  if (m_fd >= 0) ::close(m_fd);
}

bool JournalFile::write(std::string_view line) {
  if (m_fd < 0) return false;
  iovec parts[2] = {{const_cast<char*>(line.data()), line.size()}, {const_cast<char*>("\n"), 1}};
  const ssize_t n = ::writev(m_fd, parts, 2);
  return n >= 0 && static_cast<std::size_t>(n) == line.size() + 1 && ::fdatasync(m_fd) == 0;
}

}  // namespace pixelwarden::cli
