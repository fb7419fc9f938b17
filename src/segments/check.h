// Resolves and type-checks a parsed rule against a workspace's catalog, filling each
// node's `bound` part. Errors name the node's line and column (text form) and say what
// was found and what was expected; unknown fields, tags, segments and activity types are
// errors, never silently false.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "segments/catalog.h"
#include "segments/rule.h"

namespace rapport::segments {

// All errors found, in source order; empty when the rule is valid.
std::vector<RuleError> Check(Rule& rule, const Catalog& catalog);

}  // namespace rapport::segments
