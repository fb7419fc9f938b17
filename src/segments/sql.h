// The reference evaluator: compiles a checked rule to a parameterised SQL predicate over
// `contacts c` for one dialect. User values are always bound parameters, never spliced
// into the SQL text. The predicate is never NULL (two-valued logic, see rule.h).
//
// Schema assumptions shared with the PostgreSQL backend and the benchmark: the tables of
// src/store/sqlite/migrations with the same names and columns; on PostgreSQL `custom` and
// `properties` are jsonb.
#pragma once

#include <cstdint>
#include <string>

#include "common/ids.h"
#include "common/status.h"
#include "segments/rule.h"
#include "store/store.h"

namespace rapport::segments {

struct SqlPredicate {
  std::string sql;        // a boolean expression; refers to contacts as `c`
  store::Params params;   // bound as $first, $first+1, ...
};

// `today` is the evaluation day (days since 1970-01-01, UTC). Parameters are numbered from
// `first_param` so the caller can put its own (workspace id, cursor) before them.
Result<SqlPredicate> CompileSql(const Rule& checked, store::Dialect dialect, WorkspaceId ws,
                                int32_t today, int first_param = 2);

// SELECT c.id FROM contacts c WHERE c.workspace_id = $1 AND (<predicate>) ORDER BY c.id,
// with params [ws, predicate params...].
Result<SqlPredicate> CompileMembersQuery(const Rule& checked, store::Dialect dialect,
                                         WorkspaceId ws, int32_t today);

}  // namespace rapport::segments
