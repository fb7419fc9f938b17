// RFC 3339 timestamps and ISO 8601 dates, in UTC. The API speaks these; the store keeps
// Micros (timestamps) and "YYYY-MM-DD" text (dates without time, e.g. birthdays).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"

namespace rapport {

// "2026-11-23T15:04:05.123456Z" (fraction only when non-zero, trimmed to milliseconds
// when the microseconds are zero).
std::string FormatTimestamp(Micros t);

// Room FormatTimestampTo needs: the longest timestamp, "-292277-01-01T00:00:00.000001Z".
inline constexpr size_t kTimestampMaxChars = 40;
// Writes FormatTimestamp(t) to `out` (at least kTimestampMaxChars bytes, not terminated) and
// returns its length; allocates nothing, for encoders that write many timestamps.
size_t FormatTimestampTo(Micros t, char* out);

// Accepts "YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)"; returns nullopt if malformed or
// out of range.
std::optional<Micros> ParseTimestamp(std::string_view s);

// Accepts a real calendar date "YYYY-MM-DD" (1900..2200); returns it normalised.
std::optional<std::string> ParseDate(std::string_view s);

}  // namespace rapport
