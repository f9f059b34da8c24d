#pragma once
// Temporary directories and files for the scan tests (removed on scope exit).

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace scan_test {

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "pw-scan-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    m_path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return m_path; }
  // Writes a file (parent directories created); returns its path.
  std::string write(const std::string& rel, const std::string& bytes) const {
    const std::filesystem::path p = std::filesystem::path(m_path) / rel;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << bytes;
    return p.string();
  }
  std::string mkdir(const std::string& rel) const {
    const std::filesystem::path p = std::filesystem::path(m_path) / rel;
    std::filesystem::create_directories(p);
    return p.string();
  }

 private:
  std::string m_path;
};

}  // namespace scan_test
