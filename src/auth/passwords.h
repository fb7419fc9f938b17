// Passwords: argon2id hashes (libsodium crypto_pwhash at INTERACTIVE limits), the password
// rules (length, not a common password, not the email) and generated one-time passwords.
// Hashing costs ~64 MiB and tens of milliseconds: never call it inside a store transaction.
// Thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace rapport::auth {

inline constexpr size_t kMinPasswordLength = 10;
inline constexpr size_t kMaxPasswordLength = 256;

// Validation error on `field` when `password` is too short or long, a common password, or
// the email (or its local part).
Status CheckPasswordRules(std::string_view password, std::string_view email,
                          const char* field = "password");

// The encoded argon2id string ("$argon2id$v=19$m=...") including its random salt.
Result<std::string> HashPassword(std::string_view password);

// True if `password` matches `encoded`. With an empty `encoded` it verifies against a dummy
// hash and returns false, so an unknown user costs as much time as a wrong password.
bool VerifyPassword(std::string_view encoded, std::string_view password);

// A random 20-character password for first logins (letters and digits).
std::string GeneratePassword();

}  // namespace rapport::auth
