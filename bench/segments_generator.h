// The segment benchmark's workspace: a seeded generator that writes a realistic CRM
// workspace (companies, contacts with custom fields and tags, static segments, five years of
// activities) straight into a migrated Rapport SQLite database, and the indexes the
// benchmark adds for rule evaluation. See bench/README.md ("Segments").
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

namespace bench::seg {

struct GeneratorOptions {
  int64_t contacts = 1'000'000;
  int64_t activities = 20'000'000;  // a target; the generated number is within a few percent
  uint64_t seed = 1;
  int years = 5;
};

struct Generated {
  int64_t companies = 0;
  int64_t contacts = 0;
  int64_t activities = 0;
  int64_t purchases = 0;
  int64_t contact_tags = 0;
  int64_t segment_members = 0;
  double seconds = 0;
};

// The evaluation day of every run (days since 1970-01-01 UTC): 2026-06-30. Generated
// activities end at BenchNowMicros(), 12:00 UTC that day, which is also the clock of the
// incremental-update phase.
int32_t BenchToday();
int64_t BenchNowMicros();

// The static segments the generator fills; rules refer to them with in_segment("...").
inline constexpr const char* kNewsletterSegment = "newsletter-subscribers";

// Fills the database at `path`, which SqliteStore has just created and migrated (and
// closed), in one transaction with the durability pragmas off; then rebuilds the activity
// indexes, creates BenchIndexes() and runs ANALYZE. Progress goes to `log`.
Generated Generate(const std::string& path, const GeneratorOptions& o, std::ostream& log);

// Indexes the benchmark adds on both databases for the reference rules (the migrations'
// own indexes exist too). The same columns on SQLite and PostgreSQL.
struct BenchIndex {
  const char* name;
  const char* sql;  // valid on both dialects
};
const std::vector<BenchIndex>& BenchIndexes();

// The tables of a generated workspace the rules can read, in load order (PostgreSQL copies).
const std::vector<std::string>& WorkspaceTables();

}  // namespace bench::seg
