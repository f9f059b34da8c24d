#pragma once
// Message digests and HMAC over OpenSSL's EVP interface, returned as lowercase hex.
// Used for the ruleset hash (sha256), recipient-token matching (md5, sha1, sha256)
// and the camo proxy signature (HMAC-SHA1).

#include <string>
#include <string_view>

namespace pixelwarden::base {

std::string md5_hex(std::string_view data);
std::string sha1_hex(std::string_view data);
std::string sha256_hex(std::string_view data);
std::string hmac_sha1_hex(std::string_view key, std::string_view data);

// Incremental SHA-256, for hashing a ruleset's files in load order.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(std::string_view data);
  std::string hex_digest();  // finishes the hash; call once

 private:
  void* m_ctx;
};

}  // namespace pixelwarden::base
