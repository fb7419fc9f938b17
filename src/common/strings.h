// Small text helpers shared by validation and codecs.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace rapport {

std::string_view Trim(std::string_view s);
std::string ToLowerAscii(std::string_view s);
// True if `s` is well-formed UTF-8 (no overlongs, surrogates or code points > U+10FFFF).
bool IsValidUtf8(std::string_view s);
// Number of Unicode code points in valid UTF-8 `s`.
size_t Utf8Length(std::string_view s);

}  // namespace rapport

namespace rapport {

// A lower-case DNS host name with at least two labels ("mail.example.co"): labels of
// [a-z0-9-], 1-63 characters, not starting or ending with '-', alphabetic top-level label
// (or an xn-- IDN label), at most 253 characters.
bool IsValidHostname(std::string_view host);

}  // namespace rapport

namespace rapport {

// The trimmed text, or nullopt for nullopt and for text that is only white space.
std::optional<std::string> TrimmedOrNull(const std::optional<std::string>& v);
// Adds "<field>: must be at most <max> characters" to `errors` when `v` is longer.
void CheckMaxLength(const std::optional<std::string>& v, std::string_view field, size_t max,
                    std::vector<FieldError>& errors);

}  // namespace rapport
