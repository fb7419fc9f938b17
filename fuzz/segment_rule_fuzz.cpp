// libFuzzer target for the segment rule parser: arbitrary bytes into ParseText, and for every
// input that parses, the canonical-text and JSON round trips must give the same tree.
// A failed check aborts so libFuzzer saves the input; keep it in fuzz/regressions.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "segment_rule_checks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string problem = rapport::segments::fuzzing::CheckRoundTrips(input);
  if (!problem.empty()) {
    std::fprintf(stderr, "segment rule round trip failed: %s\n", problem.c_str());
    std::abort();
  }
  return 0;
}
