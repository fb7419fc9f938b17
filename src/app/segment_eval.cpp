#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdio>

#include "app/app.h"
#include "auth/users.h"
#include "segments/catalog.h"
#include "segments/check.h"
#include "segments/rule_json.h"
#include "segments/sql.h"
#include "segments/text.h"

namespace rapport::app {
namespace {

// "rule:LINE:COLUMN: message", the compiler-style location editors jump to.
void PrintErrors(const std::vector<segments::RuleError>& errors) {
  for (const auto& e : errors) {
    if (e.line > 0) {
      std::fprintf(stderr, "rule:%d:%d: error: %s\n", e.line, e.column, e.message.c_str());
    } else {
      std::fprintf(stderr, "rule: error: %s\n", e.message.c_str());
    }
  }
}

double MillisSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}

}  // namespace

int SegmentEval(const SegmentEvalOptions& options) {
  segments::Parsed parsed = segments::ParseText(options.rule);
  if (!parsed.rule) {
    PrintErrors(parsed.errors);
    return 2;
  }
  auto opened = OpenApp(options.data_dir);
  if (!opened) {
    std::fprintf(stderr, "rapport segment eval: %s\n", opened.error().message().c_str());
    return 1;
  }
  App& app = **opened;
  auto ws = app.store->Read([&](store::Txn& t) -> Result<WorkspaceId> {
    ASSIGN_OR_RETURN(auto row,
                     t.QueryOne("SELECT id FROM workspaces WHERE name = $1", {options.workspace}));
    if (!row) return NotFound("no workspace named \"" + options.workspace + "\"");
    return WorkspaceId(row->Int(0));
  });
  if (!ws) {
    std::fprintf(stderr, "rapport segment eval: %s\n", ws.error().message().c_str());
    return 1;
  }
  auto catalog = app.store->Read([&](store::Txn& t) { return segments::LoadCatalog(t, *ws); });
  if (!catalog) {
    std::fprintf(stderr, "rapport segment eval: %s\n", catalog.error().message().c_str());
    return 1;
  }
  segments::Rule rule = std::move(*parsed.rule);
  auto errors = segments::Check(rule, *catalog);
  if (!errors.empty()) {
    PrintErrors(errors);
    return 2;
  }
  int32_t today = app.live_segments->Today();
  std::vector<int64_t> ids;
  auto start = std::chrono::steady_clock::now();
  if (options.sql) {
    auto query = segments::CompileMembersQuery(rule, app.store->dialect(), *ws, today);
    if (!query) {
      std::fprintf(stderr, "rapport segment eval: %s\n", query.error().message().c_str());
      return 1;
    }
    auto rows = app.store->Read([&](store::Txn& t) { return t.Query(query->sql, query->params); });
    if (!rows) {
      std::fprintf(stderr, "rapport segment eval: %s\n", rows.error().message().c_str());
      return 1;
    }
    for (const auto& r : *rows) ids.push_back(r.Int(0));
  } else {
    auto members = app.live_segments->Evaluate(*ws, rule);
    if (!members) {
      std::fprintf(stderr, "rapport segment eval: %s\n", members.error().message().c_str());
      return 1;
    }
    ids = std::move(*members);
  }
  double ms = MillisSince(start);
  if (options.format == "count") {
    std::printf("%zu\n", ids.size());
  } else if (options.format == "json") {
    boost::json::object out;
    out["rule"] = segments::ToText(rule);
    out["rule_json"] = segments::ToJson(rule);
    out["count"] = ids.size();
    boost::json::array members;
    for (int64_t id : ids) members.push_back(id);
    out["contact_ids"] = std::move(members);
    out["evaluator"] = options.sql ? "sql" : "engine";
    out["ms"] = ms;
    std::printf("%s\n", boost::json::serialize(out).c_str());
  } else {
    for (int64_t id : ids) std::printf("%lld\n", static_cast<long long>(id));
    std::fprintf(stderr, "%zu contacts (%s, %.2f ms)\n", ids.size(), options.sql ? "sql" : "engine",
                 ms);
  }
  return 0;
}

}  // namespace rapport::app
