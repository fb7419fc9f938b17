#include "auth/secrets.h"

#include <sodium.h>

#include <vector>

namespace rapport::auth {

bool InitCrypto() {
  static const bool ok = sodium_init() >= 0;
  return ok;
}

std::string NewToken(size_t bytes) {
  InitCrypto();
  std::vector<unsigned char> raw(bytes);
  randombytes_buf(raw.data(), raw.size());
  std::string out(sodium_base64_ENCODED_LEN(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), raw.data(), raw.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(raw.data(), raw.size());
  out.resize(out.find('\0'));
  return out;
}

namespace {

std::string Hex(const unsigned char* p, size_t n) {
  std::string hex(n * 2 + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), p, n);
  hex.pop_back();
  return hex;
}

}  // namespace

std::string TokenDigest(std::string_view token) {
  InitCrypto();
  unsigned char digest[crypto_generichash_BYTES];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(token.data()),
                     token.size(), nullptr, 0);
  return Hex(digest, sizeof digest);
}

bool SecretEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string CsrfTokenFor(std::string_view session_token) {
  InitCrypto();
  // The key is a fixed context label: the secret input is the session token itself.
  static constexpr unsigned char kContext[crypto_generichash_KEYBYTES] = "rapport-csrf-token-v1";
  unsigned char digest[24];
  crypto_generichash(digest, sizeof digest,
                     reinterpret_cast<const unsigned char*>(session_token.data()),
                     session_token.size(), kContext, sizeof kContext);
  std::string out(
      sodium_base64_ENCODED_LEN(sizeof digest, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), digest, sizeof digest,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.find('\0'));
  return out;
}

}  // namespace rapport::auth
