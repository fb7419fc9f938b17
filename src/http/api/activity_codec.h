// JSON codecs of activities, their aggregates (the 360° view) and custom activity types.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "activity/activity.h"
#include "common/status.h"
#include "http/api/json_text.h"

namespace rapport::http::api {

// Fills `in` with every well-typed member; returns the errors of the others.
Status DecodeActivity(const boost::json::object& o, activity::ActivityInput& in,
                      const std::string& prefix = "");
boost::json::object EncodeActivity(const activity::Activity& a);

// The body of a timeline page, {"data": [...], "next_cursor": ...}, written byte for byte as
// Page() of EncodeActivity values serialises it, but straight from the streamed rows: no tree
// per row, Boost.JSON only escapes the strings and re-serialises each row's properties.
class TimelinePageWriter {
 public:
  explicit TimelinePageWriter(size_t expected_rows);
  // Internal if the stored properties are not JSON.
  Status Add(const activity::ActivityView& a);
  std::string Finish(const std::optional<std::string>& next_cursor) &&;

 private:
  JsonText out_;
  bool first_ = true;
};

// Revenue per currency, last touch per channel, counts per type over 30/90/365 days.
boost::json::object EncodeAggregates(const activity::Aggregates& agg);
boost::json::object EncodeActivityType(const activity::CustomType& t);

}  // namespace rapport::http::api
