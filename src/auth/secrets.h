// Secrets: random tokens from libsodium, their stored digests, constant-time comparison
// and the CSRF token derived from a session token. Nothing here touches the store.
// Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace rapport::auth {

// Initialises libsodium once; safe to call from any thread. False if it cannot start.
bool InitCrypto();

// `bytes` random bytes from libsodium's generator as unpadded URL-safe base64.
std::string NewToken(size_t bytes = 32);

// Hex BLAKE2b-256 of `token`: what the store keeps instead of a session token or key.
std::string TokenDigest(std::string_view token);

// Compares two secrets (or digests) in time independent of where they differ.
bool SecretEquals(std::string_view a, std::string_view b);

// The CSRF token of a session: a keyed digest of the session token with its own context, so
// it cannot be computed from anything the store holds.
std::string CsrfTokenFor(std::string_view session_token);

}  // namespace rapport::auth
