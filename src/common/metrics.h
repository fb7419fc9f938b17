// Process metrics rendered in the Prometheus text format at GET /metrics: counters, gauges
// and latency histograms keyed by name and labels. Thread-safe; cheap enough for the
// request path (one short critical section per update).
#pragma once

#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rapport {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Metrics {
 public:
  void Add(std::string_view counter, const Labels& labels, double v = 1);
  void SetGauge(std::string_view gauge, const Labels& labels, double v);
  void AddGauge(std::string_view gauge, const Labels& labels, double delta);
  // Records one observation (seconds) in a histogram with latency buckets 0.5 ms .. 10 s.
  void Observe(std::string_view histogram, const Labels& labels, double seconds);
  // Sets the HELP text shown for a metric family.
  void Describe(std::string_view name, std::string_view help);

  std::string RenderPrometheus() const;

 private:
  struct Histogram {
    std::vector<uint64_t> buckets;
    uint64_t count = 0;
    double sum = 0;
  };
  enum class Kind { kCounter, kGauge, kHistogram };
  struct Family {
    Kind kind;
    std::string help;
    std::map<Labels, double> values;
    std::map<Labels, Histogram> histograms;
  };
  Family& FamilyFor(std::string_view name, Kind kind);

  mutable std::mutex mu_;
  std::map<std::string, Family, std::less<>> families_;
  std::map<std::string, std::string, std::less<>> help_pending_;
};

}  // namespace rapport
