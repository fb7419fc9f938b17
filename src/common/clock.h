// Time is injected: every module that needs "now" takes a Clock&. SystemClock reads the
// wall clock; FakeClock is set by tests. Times are UTC microseconds since the Unix epoch.
// Both are thread-safe.
#pragma once

#include <atomic>
#include <cstdint>

namespace rapport {

using Micros = int64_t;  // UTC microseconds since 1970-01-01T00:00:00Z

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Micros Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Micros Now() const override;
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(Micros start) : now_(start) {}
  Micros Now() const override { return now_.load(); }
  void Set(Micros t) { now_.store(t); }
  void Advance(Micros d) { now_.fetch_add(d); }

 private:
  std::atomic<Micros> now_;
};

constexpr Micros kMicrosPerSecond = 1'000'000;
constexpr Micros kMicrosPerDay = 86'400 * kMicrosPerSecond;

}  // namespace rapport
