#include "auth/passwords.h"

#include <sodium.h>

#include <algorithm>

#include "auth/secrets.h"
#include "common/strings.h"

namespace rapport::auth {
namespace {

// A short list of the most used passwords that pass the length rule (lower case).
constexpr std::string_view kCommonPasswords[] = {
    "1234567890",       "12345678910",   "123456789012", "1234567890123", "0123456789",
    "0987654321",       "1111111111",    "0000000000",   "1q2w3e4r5t",    "1qaz2wsx3edc",
    "qwertyuiop",       "qwerty12345",   "qwerty123456", "asdfghjkl1",    "zxcvbnm123",
    "password1",        "password12",    "password123",  "password1234",  "passw0rd123",
    "p@ssw0rd123",      "iloveyou12",    "iloveyou123",  "princess123",   "sunshine123",
    "football123",      "baseball123",   "welcome123",   "welcome1234",   "letmein123",
    "changeme123",      "administrator", "admin12345",   "admin123456",   "superman123",
    "michael123",       "trustno1234",   "dragon12345",  "monkey12345",   "starwars123",
    "abcdefghij",       "abcd123456",    "abc1234567",   "aa12345678",    "q1w2e3r4t5",
    "passwordpassword", "rapport123",    "rapportcrm",   "secret1234",    "whatever123",
};

bool IsCommon(std::string_view password) {
  std::string lower = ToLowerAscii(password);
  return std::any_of(std::begin(kCommonPasswords), std::end(kCommonPasswords),
                     [&](std::string_view p) { return p == lower; });
}

bool AllSameChar(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [&](char c) { return c == s.front(); });
}

}  // namespace

Status CheckPasswordRules(std::string_view password, std::string_view email, const char* field) {
  size_t length = IsValidUtf8(password) ? Utf8Length(password) : password.size();
  if (length < kMinPasswordLength) {
    return ValidationFailed(
        {{field, "must be at least " + std::to_string(kMinPasswordLength) + " characters"}});
  }
  if (password.size() > kMaxPasswordLength) {
    return ValidationFailed(
        {{field, "must be at most " + std::to_string(kMaxPasswordLength) + " bytes"}});
  }
  std::string lower = ToLowerAscii(password);
  std::string mail = ToLowerAscii(email);
  std::string local = mail.substr(0, mail.find('@'));
  if (IsCommon(password) || AllSameChar(password) ||
      (!mail.empty() && (lower == mail || lower == local))) {
    return ValidationFailed(
        {{field, "is too easy to guess; choose a longer, less common password"}});
  }
  return Status::Ok();
}

Result<std::string> HashPassword(std::string_view password) {
  if (!InitCrypto()) return Internal("libsodium failed to initialise");
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Internal("password hashing ran out of memory");
  }
  return std::string(out);
}

bool VerifyPassword(std::string_view encoded, std::string_view password) {
  if (!InitCrypto()) return false;
  if (encoded.empty()) {
    static const std::string dummy = HashPassword("rapport-dummy-password").value();
    std::string copy = dummy;
    int burned = crypto_pwhash_str_verify(copy.c_str(), password.data(), password.size());
    return burned != 0 && false;
  }
  std::string copy(encoded);  // needs a NUL-terminated string
  return crypto_pwhash_str_verify(copy.c_str(), password.data(), password.size()) == 0;
}

std::string GeneratePassword() {
  InitCrypto();
  static constexpr std::string_view kAlphabet =
      "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::string out;
  for (int i = 0; i < 20; ++i)
    out += kAlphabet[randombytes_uniform(static_cast<uint32_t>(kAlphabet.size()))];
  return out;
}

}  // namespace rapport::auth
