// The text form of a rule: a recursive-descent parser and the canonical printer.
// ToText(Parse(t)) is the canonical text of t; parsing the canonical text gives the same
// tree (Rule::SameAs), and so does a trip through JSON.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "segments/rule.h"

namespace rapport::segments {

inline constexpr size_t kMaxRuleTextBytes = 64 * 1024;
inline constexpr int kMaxRuleDepth = 64;

struct Parsed {
  std::optional<Rule> rule;       // set when errors is empty
  std::vector<RuleError> errors;  // the first syntax error (parsing stops there)
};

Parsed ParseText(std::string_view text);
std::string ToText(const Rule& rule);

}  // namespace rapport::segments
