// The engine's data, shared by the loader (Build), the applier (Apply) and the evaluator.
// Contacts are dense indexes in id order (new contacts are appended; ids only grow), so a
// result bitset turns into ascending ids without sorting. Not thread-safe by itself: the
// Engine guards it with its shared mutex.
#pragma once

#include <climits>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <roaring/roaring.hh>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/ids.h"
#include "common/status.h"
#include "engine/values.h"
#include "store/change_feed.h"
#include "store/store.h"

namespace rapport::engine {

using ColumnMap = std::map<std::string, ValueColumn, std::less<>>;

// The standard columns the checker can name; timestamps are stored as UTC days.
inline constexpr const char* kContactColumns[] = {
    "email",       "phone",           "first_name", "last_name",  "birthday",
    "timezone",    "lifecycle_stage", "owner_id",   "company_id", "source",
    "external_id", "created_at",      "updated_at"};
inline constexpr const char* kCompanyColumns[] = {"name",     "domain",     "industry",
                                                  "size",     "country",    "relationship",
                                                  "owner_id", "created_at", "updated_at"};

struct ContactTable {
  ContactTable();
  ContactTable(const ContactTable&) = delete;
  ContactTable& operator=(const ContactTable&) = delete;

  std::vector<int64_t> ids;  // index -> id, ascending
  std::vector<uint8_t> alive;
  std::vector<int32_t> company;        // index into CompanyTable, -1 for none
  ColumnMap fields;                    // kContactColumns
  ColumnMap custom;                    // by custom key
  std::vector<ValueColumn*> standard;  // fields in kContactColumns order

  size_t size() const { return ids.size(); }
  std::optional<uint32_t> IndexOf(int64_t id) const;
  // Appends a new contact (ids arrive in ascending order) and returns its index.
  uint32_t Append(int64_t id);
};

struct CompanyTable {
  CompanyTable();
  CompanyTable(const CompanyTable&) = delete;
  CompanyTable& operator=(const CompanyTable&) = delete;

  std::vector<int64_t> ids;
  std::unordered_map<int64_t, uint32_t> index;
  ColumnMap fields;  // kCompanyColumns
  ColumnMap custom;
  std::vector<ValueColumn*> standard;  // fields in kCompanyColumns order

  uint32_t IndexOrAdd(int64_t id);
};

// One activity appended after the arrays were built.
struct DeltaRow {
  int64_t id;
  int32_t day;
  uint8_t channel;
  uint8_t currency;
  int64_t amount;
};

// properties.<key> of one activity type, aligned with the type's rows; delta rows by id.
struct PropColumn {
  ValueDict dict;
  std::vector<uint32_t> codes;
  std::unordered_map<int64_t, uint32_t> delta;
  size_t MemoryBytes() const;
};

// One activity type as CSR over contacts: rows of contact i are [offsets[i], offsets[i+1]),
// ordered by (day, activity id). Amount and currency exist only if some row has an amount.
//
// The loader (and Compact) fill `days`; Finish() then stores them as uint16 offsets from
// `day_base` in `days16` and empties `days` when the type's days span at most 65535 days
// (always, for real data), which halves the largest array. Readers use Day() or the
// layout's raw pointer.
struct TypeStore {
  std::string name;
  std::vector<uint32_t> offsets{0};
  std::vector<int32_t> days;  // wide layout (or before Finish)
  std::vector<uint8_t> channels;
  std::vector<uint8_t> currencies;  // 0: none
  std::vector<int64_t> amounts;
  int64_t watermark = 0;  // highest activity id in the arrays; delta ids are higher

  bool narrow = false;  // days16 holds the days
  int32_t day_base = 0;
  int32_t max_day = INT32_MIN;  // latest day over the arrays and the delta
  std::vector<uint16_t> days16;
  // Per contact, LastCode() of its latest day over the arrays and the delta; 0 for none.
  // An upper bound, never below the latest day, so "last[c] >= LastCode(lo)" keeps every
  // contact with a row on or after `lo`: a cheap candidate test for windowed conditions.
  std::vector<uint16_t> last;
  // Rows of the arrays per kHistDays days since day_base, to estimate a window's rows.
  std::vector<uint32_t> hist;
  static constexpr int kHistDays = 8;

  // The rows of the arrays on days >= lo, ordered by day (then contact): a window starting
  // on or after lo reads only its own rows, sequentially, instead of visiting every contact
  // active since then. Contacts are named by a slot among those having such rows, which
  // keeps a per-slot scratch array small. Delta rows are not here; lo stays valid as days
  // pass (later windows start later), and Finish() rebuilds the view after a compaction.
  // Built only for types with amounts (sums are where per-contact visits cost most).
  struct Recent {
    int32_t lo = INT32_MAX;
    std::vector<uint16_t> days;      // offsets from day_base
    std::vector<uint32_t> slots;     // aligned with days
    std::vector<int64_t> amounts;    // aligned with days
    std::vector<uint32_t> contacts;  // slot -> contact index
  };
  Recent recent;
  static constexpr int32_t kRecentDays = 400;

  std::unordered_map<uint32_t, std::vector<DeltaRow>> delta;  // by contact, (day, id) order
  std::vector<uint64_t> delta_bits;                           // contacts with delta rows
  size_t delta_rows = 0;

  // Built when a rule first filters on a property; guarded by the engine's property mutex
  // for insertion, read under the shared lock.
  std::map<std::string, std::unique_ptr<PropColumn>, std::less<>> props;

  bool HasDelta(uint32_t c) const {
    return (c >> 6) < delta_bits.size() && (delta_bits[c >> 6] >> (c & 63)) & 1;
  }
  size_t rows() const { return narrow ? days16.size() : days.size(); }
  int32_t Day(size_t row) const { return narrow ? day_base + days16[row] : days[row]; }
  // clamp(day - day_base + 1, 1, 65535): monotonic in `day`.
  uint16_t LastCode(int64_t day) const {
    int64_t v = day - day_base + 1;
    return static_cast<uint16_t>(v < 1 ? 1 : (v > 65535 ? 65535 : v));
  }
  // Rows of the arrays and the delta estimated to lie in [lo, hi].
  double EstimateRows(int32_t lo, int32_t hi) const;
  // Chooses the day layout and derives `last`, `hist` and `recent` from the arrays and the
  // delta.
  void Finish(size_t contacts);
  void BuildRecent();
  void ExtendTo(size_t contacts);  // new contacts have no rows
  void AppendDelta(uint32_t contact, const DeltaRow& row, bool has_amount);
  // Merges the delta into the arrays (and property columns) once it grows large.
  void MaybeCompact();
  void Compact();
  size_t MemoryBytes() const;
};

struct ActivityStore {
  std::vector<std::unique_ptr<TypeStore>> types;
  std::unordered_map<std::string, uint32_t> type_index;
  std::vector<std::string> channels;        // code -> name
  std::vector<std::string> currencies{""};  // code -> name; 0 = none
  std::unordered_map<std::string, uint8_t> channel_index, currency_index;
  int64_t count = 0;

  const TypeStore* Find(std::string_view type) const;
  TypeStore& GetOrAdd(const std::string& type, size_t contacts);
  Result<uint8_t> ChannelCode(const std::string& name);
  Result<uint8_t> CurrencyCode(const std::optional<std::string>& name);
};

struct State {
  WorkspaceId ws;
  store::Store* store = nullptr;
  ContactTable contacts;
  CompanyTable companies;
  std::unordered_map<int64_t, Roaring> tags;      // tag id -> contact indexes
  std::unordered_map<int64_t, Roaring> segments;  // segment id -> contact indexes
  ActivityStore activities;
  int64_t applied_seq = 0;

  size_t MemoryBytes() const;
};

// Reads the whole workspace in `txn` (loader.cpp).
Status LoadState(store::Txn& txn, State& state);
// After LoadState: compacts the activity arrays and derives the evaluator's indexes.
void FinishState(State& state);
// Loads or reloads one contact / company from its row (tables.cpp); `row` holds the columns
// of kSelectContact / kSelectCompany; the RowView forms serve the streaming start-up load.
void SetContactRow(State& state, uint32_t index, const store::Row& row);
void SetCompanyRow(State& state, uint32_t index, const store::Row& row);
void SetContactRow(State& state, uint32_t index, const store::RowView& row);
void SetCompanyRow(State& state, uint32_t index, const store::RowView& row);
extern const char* const kSelectContacts;  // $1 ws, $2 after id, $3 limit
extern const char* const kSelectContact;   // $1 ws, $2 id
extern const char* const kSelectCompanies;
extern const char* const kSelectCompany;
// Clears every column value of one contact / company (deletes).
void ClearContact(State& state, uint32_t index);
void ClearCompany(State& state, uint32_t index);

// Applies change-feed entries (applier.cpp); returns the affected contact ids.
Result<std::vector<int64_t>> ApplyChanges(store::Txn& txn, State& state,
                                          const std::vector<store::Change>& changes);

// Reads properties.<key> of every activity of `type` into a new column (activity_store.cpp).
Result<std::unique_ptr<PropColumn>> LoadPropColumn(store::Txn& txn, const State& state,
                                                   const TypeStore& type, const std::string& key);
// The property's value for one activity (kind and value as the SQL evaluator sees them).
Result<uint32_t> LoadPropValue(store::Txn& txn, store::Dialect dialect, PropColumn& column,
                               const std::string& key, int64_t activity_id);

}  // namespace rapport::engine
