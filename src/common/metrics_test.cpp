#include "common/metrics.h"

#include <gtest/gtest.h>

namespace rapport {
namespace {

TEST(MetricsTest, RendersCountersAndHistograms) {
  Metrics m;
  m.Describe("req_total", "Requests.");
  m.Add("req_total", {{"route", "/a"}, {"status", "200"}});
  m.Add("req_total", {{"route", "/a"}, {"status", "200"}});
  m.Observe("lat_seconds", {{"route", "/a"}}, 0.003);
  m.SetGauge("open", {}, 3);
  std::string out = m.RenderPrometheus();
  EXPECT_NE(out.find("# HELP req_total Requests."), std::string::npos);
  EXPECT_NE(out.find("# TYPE req_total counter"), std::string::npos);
  EXPECT_NE(out.find("req_total{route=\"/a\",status=\"200\"} 2"), std::string::npos);
  EXPECT_NE(out.find("lat_seconds_bucket{route=\"/a\",le=\"0.0025\"} 0"), std::string::npos);
  EXPECT_NE(out.find("lat_seconds_bucket{route=\"/a\",le=\"0.005\"} 1"), std::string::npos);
  EXPECT_NE(out.find("lat_seconds_count{route=\"/a\"} 1"), std::string::npos);
  EXPECT_NE(out.find("open 3"), std::string::npos);
}

}  // namespace
}  // namespace rapport
