// Evaluates checked rules over the engine's State with the SQL evaluator's semantics
// (segments/rule.h): over all contacts into a bitset, or for one contact.
#pragma once

#include <functional>
#include <string>

#include "common/status.h"
#include "engine/bitset.h"
#include "engine/state.h"
#include "segments/rule.h"

namespace rapport::engine {

// Returns the properties.<key> column of an activity type, building it on first use.
using PropResolver =
    std::function<Result<const PropColumn*>(const TypeStore& type, const std::string& key)>;

// Members as a bitset over contact indexes (deleted contacts excluded).
Result<Bitset> EvaluateAll(const segments::Rule& rule, const State& state, int32_t today,
                           const PropResolver& props);
// Whether the contact at `index` (alive) matches.
Result<bool> EvaluateOne(const segments::Rule& rule, const State& state, uint32_t index,
                         int32_t today, const PropResolver& props);

}  // namespace rapport::engine
