// libFuzzer target for the JSON form: arbitrary bytes that are JSON go through FromJson, and
// every rule it accepts must print as text that parses to the same tree (and back to JSON).
// A failed check aborts so libFuzzer saves the input; keep it in fuzz/regressions/json.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "segment_rule_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string problem = rapport::segments::fuzzing::CheckJsonRoundTrips(input);
  if (!problem.empty()) {
    std::fprintf(stderr, "segment rule JSON round trip failed: %s\n", problem.c_str());
    std::abort();
  }
  return 0;
}
