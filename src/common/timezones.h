// IANA time zone names, read once from the system tz database (tzdata's tzdata.zi).
#pragma once

#include <string_view>

namespace rapport {

// True for a zone or link name of the IANA database ("Europe/Berlin", "UTC").
bool IsKnownTimeZone(std::string_view name);

}  // namespace rapport
