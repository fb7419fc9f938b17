#include "common/timezones.h"

#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace rapport {
namespace {

std::set<std::string, std::less<>> LoadNames() {
  std::set<std::string, std::less<>> names = {"UTC", "Etc/UTC"};
  std::ifstream in("/usr/share/zoneinfo/tzdata.zi");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string kind, a, b;
    fields >> kind >> a >> b;
    if (kind == "Z") names.insert(a);       // Z NAME rules...
    if (kind == "L") names.insert(b);       // L TARGET LINKNAME
  }
  return names;
}

}  // namespace

bool IsKnownTimeZone(std::string_view name) {
  static const auto* names = new std::set<std::string, std::less<>>(LoadNames());
  return names->find(name) != names->end();
}

}  // namespace rapport
