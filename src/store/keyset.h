// Keyset pagination shared by every list endpoint: a whitelisted sort column (with `-` for
// descending), ties broken by id, and an opaque cursor that carries the last row's sort key
// and id. Each row is returned exactly once while paging, also while rows are added.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/status.h"
#include "store/store.h"

namespace rapport::store {

struct SortColumn {
  std::string_view name;  // as in ?sort=
  std::string_view expr;  // SQL expression; must match an index expression to be fast
  bool is_text;
  // The column may be NULL. NULLs come first ascending and last descending, ordered by id,
  // as SQLite orders an index on the column (whose rowid is its last key). Only
  // ListStatement pages such a column (in two range scans; see Run).
  bool nullable = false;
};

struct SortKey {
  const SortColumn* column = nullptr;
  bool descending = false;
};

struct Cursor {
  std::string sort;  // the ?sort= it was issued for
  std::variant<int64_t, std::string, Null> key;
  int64_t id = 0;
};

// InvalidArgument naming the allowed values for an unknown sort.
Result<SortKey> ParseSort(std::string_view sort, std::span<const SortColumn> allowed);
std::string EncodeCursor(const Cursor& c);
// InvalidArgument("cursor is invalid") for anything not issued for `sort`.
Result<Cursor> DecodeCursor(std::string_view text, std::string_view sort);

// Appends the keyset condition (as " AND ...") and " ORDER BY ... LIMIT n+1" to `sql`,
// binding values after the existing `params`. The statement must select the sort
// expression as its last column so NextCursor can read it.
void AppendKeyset(std::string& sql, Params& params, const SortKey& sort,
                  const std::optional<Cursor>& after, int limit);

// Trims the extra row fetched by AppendKeyset; returns the cursor for the next page, or
// nullopt on the last page. `id_col` is the id's column index.
std::optional<std::string> NextCursor(std::vector<Row>& rows, const SortKey& sort, int limit,
                                      std::string_view sort_param, size_t id_col = 0);

// Validates ?limit= (1..1000, default 50).
Result<int> ParseLimit(std::optional<std::string_view> text);

// A keyset-paged list statement, the one way lists are queried:
//   SELECT <columns>, <sort expression> FROM <table> WHERE workspace_id = $1 [AND ...]
// followed, when run, by the keyset condition, ORDER BY and LIMIT.
class ListStatement {
 public:
  // InvalidArgument for an unknown sort or a cursor not issued for it.
  static Result<ListStatement> Begin(std::string_view columns, std::string_view table,
                                     int64_t workspace_id, std::string_view sort,
                                     const std::optional<std::string>& cursor,
                                     std::span<const SortColumn> allowed);
  // Binds a value; returns its placeholder ("$3").
  std::string Bind(Value v);
  // Appends " AND <condition>".
  void And(std::string_view condition);
  // One page (plus one row that tells whether another page follows; see NextCursor). A
  // nullable sort reads its NULL and non-NULL rows in two ranges of the index, one after
  // the other, since "col IS NULL OR col > x" is not one range to SQLite's planner.
  Result<std::vector<Row>> Run(Txn& txn, int limit) const;
  std::optional<std::string> NextCursor(std::vector<Row>& rows, int limit) const;

 private:
  SortKey sort_;
  std::string sort_param_;
  std::optional<Cursor> after_;
  std::string sql_;
  Params params_;
};

// A LIKE pattern matching `text` anywhere, with % _ and \ escaped (use ESCAPE '\').
std::string ContainsPattern(std::string_view text);

}  // namespace rapport::store
