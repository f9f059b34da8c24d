#include "base/digest.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "base/text.hpp"

namespace pixelwarden::base {
namespace {

std::string digest_hex(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out, &len, md, nullptr);
  return hex_encode(std::string_view(reinterpret_cast<const char*>(out), len));
}

// The algorithm fetched once (OpenSSL 3 looks an implicit EVP_md5() up in its provider
// store on every digest, which cost as much as hashing a short address); the legacy
// object when the fetch fails. Kept for the life of the process.
const EVP_MD* fetched(const char* name, const EVP_MD* legacy) {
  EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
  return md != nullptr ? md : legacy;
}

}  // namespace

std::string md5_hex(std::string_view data) {
  static const EVP_MD* const md = fetched("MD5", EVP_md5());
  return digest_hex(md, data);
}
std::string sha1_hex(std::string_view data) {
  static const EVP_MD* const md = fetched("SHA1", EVP_sha1());
  return digest_hex(md, data);
}
std::string sha256_hex(std::string_view data) {
  static const EVP_MD* const md = fetched("SHA256", EVP_sha256());
  return digest_hex(md, data);
}

std::string hmac_sha1_hex(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return hex_encode(std::string_view(reinterpret_cast<const char*>(out), len));
}

Sha256::Sha256() : m_ctx(EVP_MD_CTX_new()) {
  EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(m_ctx), EVP_sha256(), nullptr);
}

Sha256::~Sha256() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(m_ctx)); }

void Sha256::update(std::string_view data) {
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(m_ctx), data.data(), data.size());
}

std::string Sha256::hex_digest() {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(m_ctx), out, &len);
  return hex_encode(std::string_view(reinterpret_cast<const char*>(out), len));
}

}  // namespace pixelwarden::base
