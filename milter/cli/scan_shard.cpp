#include "cli/scan_shard.hpp"

#include "base/decimal.hpp"

namespace pixelwarden::cli {

std::optional<Shard> parse_shard(std::string_view text) {
  const auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const auto i = base::parse_decimal<std::uint32_t>(text.substr(0, slash));
  const auto n = base::parse_decimal<std::uint32_t>(text.substr(slash + 1));
  if (!i || !n || *n == 0 || *n > 65536 || *i >= *n) return std::nullopt;
  return Shard{*i, *n};
}

std::uint64_t fnv1a64(std::string_view bytes) {
  std::uint64_t h = 14695981039346656037ULL;
  for (char c : bytes) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

std::uint64_t mix64(std::uint64_t h) {
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

bool in_shard(const Shard& shard, std::string_view key) {
  return shard.count <= 1 || mix64(fnv1a64(key)) % shard.count == shard.index;
}

std::string mbox_message_key(std::string_view file_key, std::uint64_t offset) {
  std::string key(file_key);
  key += '@';
  key += std::to_string(offset);
  return key;
}

std::string imap_message_key(std::string_view folder, std::uint32_t uidvalidity,
                             std::uint32_t uid) {
  std::string key = "imap:";
  key += folder;
  key += ";UIDVALIDITY=";
  key += std::to_string(uidvalidity);
  key += ";UID=";
  key += std::to_string(uid);
  return key;
}

}  // namespace pixelwarden::cli
