#include "common/metrics.h"

#include <array>
#include <charconv>

namespace rapport {
namespace {

constexpr std::array<double, 14> kBuckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                             0.1,    0.25,  0.5,    1,     2.5,  5,    10};

std::string EscapeLabel(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string RenderLabels(const Labels& labels, const char* extra_key = nullptr,
                         const std::string& extra_value = {}) {
  if (labels.empty() && !extra_key) return {};
  std::string out = "{";
  bool first = true;
  for (const auto& [k, v] : labels) {
    if (!first) out += ',';
    first = false;
    out += k + "=\"" + EscapeLabel(v) + "\"";
  }
  if (extra_key) {
    if (!first) out += ',';
    out += std::string(extra_key) + "=\"" + extra_value + "\"";
  }
  return out + "}";
}

// Shortest text that reads back as the same double ("0.0025", not "0.0025000000000000001").
std::string Num(double v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, end);
}

}  // namespace

Metrics::Family& Metrics::FamilyFor(std::string_view name, Kind kind) {
  auto it = families_.find(name);
  if (it == families_.end()) it = families_.emplace(std::string(name), Family{kind, {}, {}, {}}).first;
  return it->second;
}

void Metrics::Add(std::string_view counter, const Labels& labels, double v) {
  std::lock_guard lock(mu_);
  FamilyFor(counter, Kind::kCounter).values[labels] += v;
}

void Metrics::SetGauge(std::string_view gauge, const Labels& labels, double v) {
  std::lock_guard lock(mu_);
  FamilyFor(gauge, Kind::kGauge).values[labels] = v;
}

void Metrics::AddGauge(std::string_view gauge, const Labels& labels, double delta) {
  std::lock_guard lock(mu_);
  FamilyFor(gauge, Kind::kGauge).values[labels] += delta;
}

void Metrics::Observe(std::string_view histogram, const Labels& labels, double seconds) {
  std::lock_guard lock(mu_);
  Histogram& h = FamilyFor(histogram, Kind::kHistogram).histograms[labels];
  if (h.buckets.empty()) h.buckets.assign(kBuckets.size(), 0);
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += seconds;
}

void Metrics::Describe(std::string_view name, std::string_view help) {
  std::lock_guard lock(mu_);
  auto it = families_.find(name);
  if (it != families_.end()) {
    it->second.help = std::string(help);
  } else {
    help_pending_[std::string(name)] = std::string(help);
  }
}

std::string Metrics::RenderPrometheus() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& [name, f] : families_) {
    std::string help = f.help;
    if (help.empty()) {
      auto it = help_pending_.find(name);
      if (it != help_pending_.end()) help = it->second;
    }
    if (!help.empty()) out += "# HELP " + name + " " + help + "\n";
    const char* type = f.kind == Kind::kCounter ? "counter"
                       : f.kind == Kind::kGauge ? "gauge"
                                                : "histogram";
    out += "# TYPE " + name + " " + type + "\n";
    for (const auto& [labels, v] : f.values) out += name + RenderLabels(labels) + " " + Num(v) + "\n";
    for (const auto& [labels, h] : f.histograms) {
      for (size_t i = 0; i < kBuckets.size(); ++i) {
        out += name + "_bucket" + RenderLabels(labels, "le", Num(kBuckets[i])) + " " +
               std::to_string(h.buckets[i]) + "\n";
      }
      out += name + "_bucket" + RenderLabels(labels, "le", "+Inf") + " " + std::to_string(h.count) + "\n";
      out += name + "_sum" + RenderLabels(labels) + " " + Num(h.sum) + "\n";
      out += name + "_count" + RenderLabels(labels) + " " + std::to_string(h.count) + "\n";
    }
  }
  return out;
}

}  // namespace rapport
