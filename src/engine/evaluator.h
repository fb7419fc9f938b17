// Evaluates checked rules over the engine's State with the SQL evaluator's semantics
// (segments/rule.h): over all contacts into a bitset, or for one contact.
//
// A rule is first compiled into a Plan against the State and a day: names resolved to
// columns and activity types, literals converted, windows fixed, and the operands of
// `and`/`or` ordered by estimated cost. A Plan points into the State (column, type and
// property column addresses are stable) and into the rule it was compiled from, so a Plan
// kept across calls (the one-contact path caches them) owns a copy of its rule.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "common/status.h"
#include "engine/bitset.h"
#include "engine/state.h"
#include "segments/rule.h"

namespace rapport::engine {

// Returns the properties.<key> column of an activity type, building it on first use.
using PropResolver =
    std::function<Result<const PropColumn*>(const TypeStore& type, const std::string& key)>;

struct Plan;
struct PlanDeleter {
  void operator()(const Plan* p) const;
};
using PlanPtr = std::unique_ptr<const Plan, PlanDeleter>;

// Compiles a copy of `rule` for the one-contact path.
Result<PlanPtr> CompileOwned(const segments::Rule& rule, const State& state, int32_t today,
                             const PropResolver& props);
// Whether `plan` was compiled from an identical rule (bound parts included) for `today`
// and still fits the state: no activity type, channel, currency or custom field was added
// since (those change what names resolve to).
bool PlanFits(const Plan& plan, const segments::Rule& rule, const State& state, int32_t today);
// Whether the contact at `index` (alive) matches.
bool PlanMatches(const Plan& plan, const State& state, uint32_t index);

// Members as a bitset over contact indexes (deleted contacts excluded).
Result<Bitset> EvaluateAll(const segments::Rule& rule, const State& state, int32_t today,
                           const PropResolver& props);
// Whether the contact at `index` matches (false for a deleted or unknown index).
Result<bool> EvaluateOne(const segments::Rule& rule, const State& state, uint32_t index,
                         int32_t today, const PropResolver& props);

}  // namespace rapport::engine
