#include "store/sqlite/insert_returning.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <string>
#include <unordered_map>

namespace rapport::store {
namespace {

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

bool EqualNoCase(char a, char b) {
  return std::toupper(static_cast<unsigned char>(a)) == std::toupper(static_cast<unsigned char>(b));
}

// Position of `word` (upper case) in `s`, ignoring case; npos if absent. Runs once per
// insert, so it must not allocate.
size_t FindNoCase(std::string_view s, std::string_view word, size_t from = 0) {
  if (from > s.size()) return std::string_view::npos;
  auto it = std::search(s.begin() + static_cast<std::ptrdiff_t>(from), s.end(), word.begin(),
                        word.end(), EqualNoCase);
  return it == s.end() ? std::string_view::npos : static_cast<size_t>(it - s.begin());
}

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && (IsSpace(s.back()) || s.back() == ';')) s.remove_suffix(1);
  return s;
}

constexpr std::string_view kSuffix = "RETURNING ID";

// The cheap test every statement goes through: does it end in " RETURNING id"?
bool EndsWithReturningId(std::string_view body) {
  if (body.size() <= kSuffix.size() + 1) return false;
  std::string_view tail = body.substr(body.size() - kSuffix.size());
  return std::equal(tail.begin(), tail.end(), kSuffix.begin(), EqualNoCase) &&
         IsSpace(body[body.size() - kSuffix.size() - 1]);
}

std::optional<std::string_view> Classify(std::string_view sql) {
  std::string_view body = TrimRight(sql);
  if (!EndsWithReturningId(body)) return std::nullopt;
  size_t start = body.find_first_not_of(" \t\r\n");
  if (FindNoCase(body, "INSERT ", start) != start) return std::nullopt;
  // Quoted text could hide or fake any keyword below; such statements keep RETURNING.
  if (body.find_first_of("'\"") != std::string_view::npos) return std::nullopt;
  // An upsert returns the id of the row it updated, REPLACE may delete rows first, and a
  // SELECT or a second VALUES row inserts many: none is "the last inserted rowid".
  for (std::string_view word : {"ON CONFLICT", "REPLACE", "SELECT", "),"}) {
    if (FindNoCase(body, word) != std::string_view::npos) return std::nullopt;
  }
  size_t values = FindNoCase(body, " VALUES");
  if (values == std::string_view::npos ||
      FindNoCase(body, " VALUES", values + 1) != std::string_view::npos) {
    return std::nullopt;
  }
  return TrimRight(body.substr(0, body.size() - kSuffix.size()));
}

struct Hash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

}  // namespace

std::optional<std::string_view> PlainInsertOfReturningId(std::string_view sql) {
  // Repositories use a few dozen fixed statements, each many times: the answer (the length
  // of the plain INSERT, or npos) is kept per statement text and thread, bounded in case a
  // caller builds statements dynamically.
  // Every query passes here, so the rest is only for statements that end the right way.
  if (!EndsWithReturningId(TrimRight(sql))) return std::nullopt;
  thread_local std::unordered_map<std::string, size_t, Hash, std::equal_to<>> known;
  auto it = known.find(sql);
  if (it == known.end()) {
    if (known.size() >= 4096) known.clear();
    auto plain = Classify(sql);
    it = known.emplace(std::string(sql), plain ? plain->size() : std::string_view::npos).first;
  }
  if (it->second == std::string_view::npos) return std::nullopt;
  return sql.substr(0, it->second);
}

}  // namespace rapport::store
