// ISO 3166-1 alpha-2 country codes.
#pragma once

#include <string_view>

namespace rapport::accounts {

// True for an assigned code in upper case ("NZ", "DE").
bool IsCountryCode(std::string_view code);

}  // namespace rapport::accounts
