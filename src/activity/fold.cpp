// ActivityService::Fold: unfolded activities (folded = 0, see V009) join the aggregate tables
// and the contact index, many per transaction, in contact order.
#include <map>

#include "activity/activity.h"
#include "activity/aggregate_delta.h"

namespace rapport::activity {
namespace {

// The ids are picked first (SQLite materialises the IN list), so the UPDATE does not walk
// the index it moves rows out of.
constexpr std::string_view kFoldFrom =
    "UPDATE activities SET folded = 1 WHERE id IN (SELECT id FROM activities WHERE folded = 0";
// The order is activities_unfolded's (see V010): contact ids are unique across workspaces.
constexpr std::string_view kFoldAfter = " AND (contact_id, id) > ($2, $3)";
constexpr std::string_view kFoldRest =
    " ORDER BY contact_id, id LIMIT $1) "
    "RETURNING workspace_id, contact_id, type, channel, occurred_at, amount, currency, id";

}  // namespace

Result<int64_t> ActivityService::Fold(int64_t max_rows) {
  std::lock_guard lock(fold_mu_);
  const Micros now = clock_.Now();
  // A sweep that ends (folds fewer than max_rows) starts again from the first contact; one
  // whose cursor finds nothing more starts again at once, so 0 means nothing is unfolded.
  int64_t folded = 0;
  for (int pass = 0; pass < 2; ++pass) {
    store::Params params{max_rows};
    std::string sql(kFoldFrom);
    if (fold_after_) {
      sql += kFoldAfter;
      params.push_back(store::Opt(fold_after_->contact_id));
      params.emplace_back(std::in_place_type<int64_t>, fold_after_->id);
    }
    sql += kFoldRest;
    std::optional<FoldKey> last;
    Status s = store_.Write([&](store::Txn& t) -> Status {
      folded = 0;
      last.reset();
      std::map<int64_t, internal::AggregateDelta> deltas;  // by workspace
      RETURN_IF_ERROR(t.QueryEach(sql, params, [&](const store::RowView& r) {
        ++folded;
        FoldKey key{r.OptInt(1), r.Int(7)};
        if (!last || *last < key) last = key;
        if (key.contact_id) {
          deltas.try_emplace(r.Int(0), now)
              .first->second.Add(*key.contact_id, r.Text(2), r.Text(3), r.Int(4), r.OptInt(5),
                                 r.Text(6));
        }
        return Status::Ok();
      }));
      for (auto& [ws, delta] : deltas) RETURN_IF_ERROR(delta.Flush(t, WorkspaceId(ws)));
      return Status::Ok();
    });
    if (!s.ok()) return s;
    unfolded_ -= folded;
    const bool resumed = fold_after_.has_value();
    fold_after_ = folded == max_rows ? last : std::nullopt;
    if (folded > 0 || !resumed) break;
  }
  // Nothing was unfolded when the fold looked: the estimate starts again from there.
  if (folded == 0) unfolded_ = 0;
  return folded;
}

}  // namespace rapport::activity
