// Deterministic generator of realistic CRM demo data: companies and the contacts who work
// there (or nowhere), for `rapport demo`, benchmarks and tests.
//
// Determinism: the same seed and the same sequence of calls give the same data on every
// platform and standard library. The only random source is std::mt19937_64 (whose output
// the C++ standard fixes); every distribution (uniform integers, weighted picks) is written
// here with integer arithmetic, never std::*_distribution. Changing the embedded word lists
// (names.cpp) changes the data; the golden test says so.
//
// Realism: names of many cultures (with diacritics, apostrophes, spaces and hyphens);
// company names, domains, countries, legal forms and sizes; time zones that match the
// country (and the phone's calling code); skewed lifecycle stages, relationships and
// sources; ~70% of contacts at a company, ~60% with a birthday, 0-3 tags.
//
// Safety: every domain ends in ".example" (reserved by RFC 2606), so demo data can never
// send mail to a real person.
//
// A DemoGenerator is a value with mutable state; it is not thread-safe. Use one per thread
// (with different seeds) if needed.
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

namespace rapport::demo {

struct DemoCompany {
  std::string name;          // "Northwind Logistics GmbH"
  std::string domain;        // "northwind-logistics.example", unique per generator
  std::string industry;      // "Logistics"
  std::string country;       // ISO 3166-1 alpha-2, "DE"
  std::string relationship;  // customer|prospect|vendor|supplier|distributor|partner|other
  int64_t size = 0;          // employees, 1..50,000
};

struct DemoContact {
  std::string email;       // "ana.silva.1234@northwind-logistics.example", unique per generator
  std::string phone;       // "+" and 8..14 digits (E.164), or empty (~15%)
  std::string first_name;  // UTF-8
  std::string last_name;   // UTF-8
  std::string birthday;    // "YYYY-MM-DD" (1950..2006), or empty (~40%)
  std::string timezone;    // IANA name, matching the phone's country
  std::string lifecycle_stage;    // lead|subscriber|customer|advocate|at_risk|churned|other
  std::string source;             // "web_form", "import", ...
  std::string external_id;        // "ext-0001234", unique per generator, or empty (~50%)
  int company_index = -1;         // index into the caller's companies, -1 for none
  std::vector<std::string> tags;  // 0..3 distinct names from DemoTagNames(), sorted
};

class DemoGenerator {
 public:
  explicit DemoGenerator(uint64_t seed);

  // The next company. Its domain is unique among the companies this generator made.
  DemoCompany NextCompany();

  // The next contact. About 70% are linked to a company index in [0, company_count)
  // (none when company_count <= 0), skewed so that low indices have more contacts. A
  // contact of a company this generator made mostly shares its e-mail domain and country.
  // The e-mail carries a running number, so it is unique across any number of calls.
  DemoContact NextContact(int company_count);

  int companies_generated() const { return static_cast<int>(companies_.size()); }
  int64_t contacts_generated() const { return contacts_; }

 private:
  struct CompanyInfo {
    std::string domain;
    int region;
  };

  // Uniform in [0, n); n > 0. Rejection sampling, so free of modulo bias.
  uint64_t Uniform(uint64_t n);
  // Uniform in [lo, hi].
  int64_t Between(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(Uniform(hi - lo + 1));
  }
  // True with probability percent/100.
  bool Percent(int percent) { return Uniform(100) < static_cast<uint64_t>(percent); }
  template <typename T>
  const T& Pick(std::span<const T> items) {
    return items[Uniform(items.size())];
  }
  // Index of an item chosen with probability weight / sum of weights.
  template <typename T>
  size_t PickWeighted(std::span<const T> items);

  // A company name; sets *slug (for the domain) and *industry ("" unless the name implies one).
  std::string CompanyName(int region, std::string* slug, std::string_view* industry);
  std::string UniqueDomain(const std::string& slug);
  std::string Phone(int region);
  std::string Birthday();

  std::mt19937_64 rng_;
  std::vector<CompanyInfo> companies_;
  std::unordered_set<std::string> domains_;
  int64_t contacts_ = 0;
};

// The fixed tag vocabulary contacts draw from (20 lower-case names such as "vip").
std::span<const std::string_view> DemoTagNames();

}  // namespace rapport::demo
