// Internal to src/demo/: the embedded word lists the generator draws from. Immutable,
// static storage; safe to read from any thread.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace rapport::demo::names {

// A value with an integer weight for skewed picks.
struct Weighted {
  std::string_view value;
  uint32_t weight;
};

// A place contacts and companies live in: an IANA time zone, its ISO 3166-1 country, the
// country's telephone calling code, the national number length, and a legal-form suffix
// for company names ("GmbH", "Ltd", may be empty).
struct Region {
  std::string_view timezone;
  std::string_view country;
  std::string_view calling_code;
  int national_digits;
  std::string_view legal_suffix;
  uint32_t weight;
};

std::span<const std::string_view> FirstNames();
std::span<const std::string_view> LastNames();
std::span<const std::string_view> CompanyPrefixes();  // "North", "Blue", ...
std::span<const std::string_view> CompanyRoots();     // "wind", "peak", ...
// A company-name word ("Logistics", "Pharma") and the industry it implies ("" if none).
struct Descriptor {
  std::string_view word;
  std::string_view industry;
};
std::span<const Descriptor> CompanyDescriptors();
std::span<const std::string_view> Industries();
std::span<const std::string_view> PersonalMailDomains();  // all under ".example"
std::span<const std::string_view> Tags();
std::span<const Weighted> Sources();
std::span<const Weighted> LifecycleStages();
std::span<const Weighted> Relationships();
std::span<const Region> Regions();

// Lower-case ASCII rendering of a UTF-8 name for e-mail addresses and domains: Latin
// letters lose their diacritics ("Jürgen" -> "jurgen", "Łukasz" -> "lukasz", "ß" -> "ss");
// ASCII letters and digits are kept; every other character is dropped.
std::string AsciiFold(std::string_view utf8);

}  // namespace rapport::demo::names
