#include "common/log.h"

#include <atomic>
#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>
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
    case Level::kDebug: return "debug";
    case Level::kInfo: return "info";
    case Level::kWarn: return "warn";
    case Level::kError: return "error";
  }
  return "info";
}

}  // namespace

void SetMinLevel(Level level) { g_min_level = level; }

void Write(Level level, std::string_view message, std::initializer_list<Field> fields) {
  if (level < g_min_level.load()) return;
  boost::json::object o;
  o["time"] = FormatTimestamp(SystemClock().Now());
  o["level"] = LevelName(level);
  o["message"] = message;
  for (const Field& f : fields) {
    std::visit([&](const auto& v) { o[f.key] = v; }, f.value);
  }
  std::string line = boost::json::serialize(o);
  line += '\n';
  std::lock_guard lock(g_mu);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace rapport::log
