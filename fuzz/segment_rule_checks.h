// The properties checked on every rule text that parses: by the libFuzzer target
// (segment_rule_fuzz.cpp) on generated inputs, and by rapport_segment_rules_test on every
// saved input in fuzz/regressions.
#pragma once

#include <boost/json.hpp>
#include <string>
#include <string_view>

#include "segments/rule_json.h"
#include "segments/text.h"

namespace rapport::segments::fuzzing {

// Returns "" when `input` is rejected with one well-placed error, or when it parses and
//  - its canonical text parses to the same tree and prints identically again, and
//  - its JSON form, serialized and parsed as the API would, decodes to the same tree.
// Otherwise returns what broke.
inline std::string CheckRoundTrips(std::string_view input) {
  Parsed parsed = ParseText(input);
  if (!parsed.rule) {
    if (parsed.errors.size() != 1) return "a rejected rule must carry exactly one error";
    const RuleError& e = parsed.errors[0];
    if (e.line < 1 || e.column < 1 || e.message.empty()) {
      return "error without a position or message: " + e.message;
    }
    return "";
  }
  if (!parsed.errors.empty()) return "a parsed rule also carries errors";
  const Rule& rule = *parsed.rule;
  const std::string text = ToText(rule);
  Parsed again = ParseText(text);
  if (!again.rule) {
    return "canonical text does not parse: " + text + "\n  error " +
           std::to_string(again.errors[0].line) + ":" + std::to_string(again.errors[0].column) +
           " " + again.errors[0].message;
  }
  if (!again.rule->SameAs(rule)) return "canonical text parses to another tree: " + text;
  if (ToText(*again.rule) != text) return "canonical text is not stable: " + text;

  const boost::json::value json = ToJson(rule);
  boost::json::parse_options options;
  options.max_depth = 4 * kMaxRuleDepth + 16;
  boost::system::error_code ec;
  const boost::json::value reread =
      boost::json::parse(boost::json::serialize(json), ec, {}, options);
  if (ec) return "serialized JSON form does not parse: " + ec.message();
  Parsed decoded = FromJson(reread);
  if (!decoded.rule) {
    return "JSON form is rejected: " + boost::json::serialize(json) + "\n  " +
           decoded.errors[0].message;
  }
  if (!decoded.rule->SameAs(rule)) {
    return "JSON form decodes to another tree: " + boost::json::serialize(json);
  }
  if (ToJson(*decoded.rule) != json) return "JSON form is not stable: " + text;
  if (ToText(*decoded.rule) != text) return "text -> JSON -> text changes the text: " + text;
  return "";
}

// Returns "" when `input` is not JSON or FromJson rejects it with errors that all name a path
// under "rule"; when it decodes, the rule's canonical text must parse to the same tree and
// its JSON form must decode to the same tree again. Otherwise returns what broke.
inline std::string CheckJsonRoundTrips(std::string_view input) {
  boost::json::parse_options options;
  options.max_depth = 4 * kMaxRuleDepth + 16;
  boost::system::error_code ec;
  const boost::json::value json = boost::json::parse(input, ec, {}, options);
  if (ec) return "";
  Parsed decoded = FromJson(json);
  if (!decoded.rule) {
    if (decoded.errors.empty()) return "a rejected JSON rule must carry errors";
    for (const RuleError& e : decoded.errors) {
      if (e.line != 0 || e.column != 0 || !e.message.starts_with("rule")) {
        return "JSON error without its path: " + e.message;
      }
    }
    return "";
  }
  const Rule& rule = *decoded.rule;
  const std::string text = ToText(rule);
  Parsed parsed = ParseText(text);
  if (!parsed.rule) {
    return "canonical text of a JSON rule does not parse: " + text + "\n  " +
           parsed.errors[0].message;
  }
  if (!parsed.rule->SameAs(rule)) return "canonical text parses to another tree: " + text;
  Parsed again = FromJson(ToJson(rule));
  if (!again.rule || !again.rule->SameAs(rule)) {
    return "JSON form does not decode to the same tree: " + boost::json::serialize(ToJson(rule));
  }
  return CheckRoundTrips(text);
}

}  // namespace rapport::segments::fuzzing
