// JSON codecs of activities, their aggregates (the 360° view) and custom activity types.
#pragma once

#include <boost/json.hpp>
#include <string>

#include "activity/activity.h"
#include "common/status.h"

namespace rapport::http::api {

// Fills `in` with every well-typed member; returns the errors of the others.
Status DecodeActivity(const boost::json::object& o, activity::ActivityInput& in,
                      const std::string& prefix = "");
boost::json::object EncodeActivity(const activity::Activity& a);
// Revenue per currency, last touch per channel, counts per type over 30/90/365 days.
boost::json::object EncodeAggregates(const activity::Aggregates& agg);
boost::json::object EncodeActivityType(const activity::CustomType& t);

}  // namespace rapport::http::api
