#include "demo/generator.h"

#include <algorithm>
#include <cstdio>
#include <limits>

#include "demo/names.h"

namespace rapport::demo {
namespace {

// Words of a company name joined by '-', folded to ASCII: {"Okafor", "Lindqvist"} ->
// "okafor-lindqvist".
std::string Slug(std::initializer_list<std::string_view> words) {
  std::string out;
  for (std::string_view w : words) {
    std::string folded = names::AsciiFold(w);
    if (folded.empty()) continue;
    if (!out.empty()) out.push_back('-');
    out += folded;
  }
  return out.empty() ? std::string("company") : out;
}

bool IsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeapYear(y) ? 29 : kDays[m - 1];
}

// Employee-count buckets (percent of companies): most are small.
struct SizeBucket {
  int64_t lo, hi;
  uint32_t weight;
};
constexpr SizeBucket kSizes[] = {{1, 10, 35},     {11, 50, 30},    {51, 200, 18},
                                 {201, 1000, 10}, {1001, 5000, 5}, {5001, 50000, 2}};

// How many tags a contact has (percent): 0, 1, 2 or 3.
constexpr uint32_t kTagCountWeights[] = {30, 35, 25, 10};

uint32_t WeightOf(const names::Weighted& w) { return w.weight; }
uint32_t WeightOf(const names::Region& r) { return r.weight; }
uint32_t WeightOf(const SizeBucket& b) { return b.weight; }
uint32_t WeightOf(uint32_t w) { return w; }

}  // namespace

DemoGenerator::DemoGenerator(uint64_t seed) : rng_(seed) {}

uint64_t DemoGenerator::Uniform(uint64_t n) {
  // Accept only values below the largest multiple of n, so every residue is equally likely.
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  const uint64_t limit = kMax - kMax % n;
  uint64_t x = rng_();
  while (x >= limit) x = rng_();
  return x % n;
}

template <typename T>
size_t DemoGenerator::PickWeighted(std::span<const T> items) {
  uint64_t total = 0;
  for (const T& item : items) total += WeightOf(item);
  uint64_t r = Uniform(total);
  for (size_t i = 0; i < items.size(); ++i) {
    uint64_t w = WeightOf(items[i]);
    if (r < w) return i;
    r -= w;
  }
  return items.size() - 1;  // unreachable: r < total
}

std::string DemoGenerator::CompanyName(int region, std::string* slug, std::string_view* industry) {
  *industry = {};
  std::string_view prefix = Pick(names::CompanyPrefixes());
  std::string_view root = Pick(names::CompanyRoots());
  const names::Descriptor& d = Pick(names::CompanyDescriptors());
  std::string_view descriptor = d.word;
  std::string coined = std::string(prefix) + std::string(root);  // "Northwind"
  std::string name;
  uint64_t pattern = Uniform(100);
  if (pattern < 65) {  // "Northwind Logistics"
    name = coined + " " + std::string(descriptor);
    *slug = Slug({coined, descriptor});
    *industry = d.industry;
  } else if (pattern < 80) {  // "Northwind"
    name = coined;
    *slug = Slug({coined});
  } else if (pattern < 90) {  // "Okafor & Lindqvist"
    std::string_view a = Pick(names::LastNames());
    std::string_view b = Pick(names::LastNames());
    if (a == b) b = names::LastNames()[0] == a ? names::LastNames()[1] : names::LastNames()[0];
    name = std::string(a) + " & " + std::string(b);
    *slug = Slug({a, b});
  } else {  // "Nakamura Engineering"
    std::string_view a = Pick(names::LastNames());
    name = std::string(a) + " " + std::string(descriptor);
    *slug = Slug({a, descriptor});
    *industry = d.industry;
  }
  std::string_view suffix = names::Regions()[region].legal_suffix;
  if (Percent(45) && !suffix.empty()) name += " " + std::string(suffix);
  return name;
}

std::string DemoGenerator::UniqueDomain(const std::string& slug) {
  std::string domain = slug + ".example";
  for (int n = 2; domains_.contains(domain); ++n) {
    domain = slug + "-" + std::to_string(n) + ".example";
  }
  domains_.insert(domain);
  return domain;
}

std::string DemoGenerator::Phone(int region) {
  const names::Region& r = names::Regions()[region];
  std::string phone = "+" + std::string(r.calling_code);
  phone.push_back(static_cast<char>('1' + Uniform(9)));  // national numbers start 1..9
  for (int i = 1; i < r.national_digits; ++i) phone.push_back(static_cast<char>('0' + Uniform(10)));
  return phone;
}

std::string DemoGenerator::Birthday() {
  int year = static_cast<int>(Between(1950, 2006));
  int month = static_cast<int>(Between(1, 12));
  int day = static_cast<int>(Between(1, DaysInMonth(year, month)));
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
  return buf;
}

DemoCompany DemoGenerator::NextCompany() {
  DemoCompany c;
  int region = static_cast<int>(PickWeighted(names::Regions()));
  std::string slug;
  std::string_view industry;  // implied by the name, if it says
  c.name = CompanyName(region, &slug, &industry);
  c.domain = UniqueDomain(slug);
  c.industry = std::string(industry.empty() ? Pick(names::Industries()) : industry);
  c.country = std::string(names::Regions()[region].country);
  c.relationship = std::string(names::Relationships()[PickWeighted(names::Relationships())].value);
  const SizeBucket& bucket = kSizes[PickWeighted(std::span<const SizeBucket>(kSizes))];
  c.size = Between(bucket.lo, bucket.hi);
  companies_.push_back({c.domain, region});
  return c;
}

DemoContact DemoGenerator::NextContact(int company_count) {
  const int64_t n = ++contacts_;
  DemoContact c;
  c.first_name = std::string(Pick(names::FirstNames()));
  c.last_name = std::string(Pick(names::LastNames()));

  if (company_count > 0 && Percent(70)) {
    // The smaller of two uniform draws: low indices get more contacts (a few big accounts).
    uint64_t a = Uniform(static_cast<uint64_t>(company_count));
    uint64_t b = Uniform(static_cast<uint64_t>(company_count));
    c.company_index = static_cast<int>(std::min(a, b));
  }
  const bool known = c.company_index >= 0 && c.company_index < companies_generated();
  int region = known && Percent(80) ? companies_[c.company_index].region
                                    : static_cast<int>(PickWeighted(names::Regions()));
  c.timezone = std::string(names::Regions()[region].timezone);

  std::string domain = known && Percent(85) ? companies_[c.company_index].domain
                                            : std::string(Pick(names::PersonalMailDomains()));
  std::string first = names::AsciiFold(c.first_name);
  std::string last = names::AsciiFold(c.last_name);
  std::string local;
  switch (Uniform(3)) {
    case 0:
      local = first + "." + last;
      break;  // ana.silva
    case 1:
      local = first.substr(0, 1) + "." + last;
      break;  // a.silva
    default:
      local = first + last;
      break;  // anasilva
  }
  c.email = local + "." + std::to_string(n) + "@" + domain;

  if (Percent(85)) c.phone = Phone(region);
  if (Percent(60)) c.birthday = Birthday();
  c.lifecycle_stage =
      std::string(names::LifecycleStages()[PickWeighted(names::LifecycleStages())].value);
  c.source = std::string(names::Sources()[PickWeighted(names::Sources())].value);
  if (Percent(50)) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "ext-%07lld", static_cast<long long>(n));
    c.external_id = buf;
  }

  size_t tag_count = PickWeighted(std::span<const uint32_t>(kTagCountWeights));
  auto tags = names::Tags();
  while (c.tags.size() < tag_count) {
    std::string tag(Pick(tags));
    if (std::find(c.tags.begin(), c.tags.end(), tag) == c.tags.end()) c.tags.push_back(tag);
  }
  std::sort(c.tags.begin(), c.tags.end());
  return c;
}

std::span<const std::string_view> DemoTagNames() { return names::Tags(); }

}  // namespace rapport::demo
