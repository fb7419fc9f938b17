// The JSON form of a rule (what the UI's builder edits). See docs/segment-language.md for
// the shape of each node.
#pragma once

#include <boost/json/value.hpp>

#include "segments/rule.h"
#include "segments/text.h"

namespace rapport::segments {

boost::json::value ToJson(const Rule& rule);
// Errors have line 0 and name the JSON path of the bad member.
Parsed FromJson(const boost::json::value& json);

}  // namespace rapport::segments
