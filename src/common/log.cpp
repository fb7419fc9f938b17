#include "common/log.h"

#include <atomic>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <mutex>

#include "common/clock.h"
#include "common/time_format.h"

namespace rapport::log {
namespace {

std::atomic<Level> g_min_level{Level::kInfo};
std::mutex g_mu;

const char* LevelName(Level l) {
  switch (l) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

}  // namespace

void SetMinLevel(Level level) { g_min_level = level; }

void Write(Level level, std::string_view message, std::initializer_list<Field> fields) {
  if (level < g_min_level.load()) return;
  // Built by hand so numbers read naturally ("duration_ms":2.857, not 2.857E0).
  auto quoted = [](std::string_view v) { return boost::json::serialize(boost::json::string(v)); };
  std::string line = "{\"time\":" + quoted(FormatTimestamp(SystemClock().Now())) +
                     ",\"level\":" + quoted(LevelName(level)) + ",\"message\":" + quoted(message);
  for (const Field& f : fields) {
    line += "," + quoted(f.key) + ":";
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::string_view>) {
            line += quoted(v);
          } else if constexpr (std::is_same_v<T, bool>) {
            line += v ? "true" : "false";
          } else if constexpr (std::is_same_v<T, double>) {
            char buf[32];
            auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, 3);
            line.append(buf, end);
          } else {
            line += std::to_string(v);
          }
        },
        f.value);
  }
  line += "}\n";
  std::lock_guard lock(g_mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace rapport::log
