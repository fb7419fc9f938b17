// ActivityService::Fold: unfolded activities (activities_unfolded, see V010) join the
// aggregate tables and contact_activities, many per transaction, in contact order.
#include <map>

#include "activity/activity.h"
#include "activity/aggregate_delta.h"

namespace rapport::activity {
namespace {

// activities_unfolded's order: contact ids are unique across workspaces.
constexpr std::string_view kNext =
    "SELECT u.contact_id, u.id, a.workspace_id, a.type, a.channel, a.occurred_at, a.amount, "
    "a.currency FROM activities_unfolded u CROSS JOIN activities a ON a.id = u.id";
constexpr std::string_view kNextAfter = " WHERE (u.contact_id, u.id) > ($2, $3)";
constexpr std::string_view kNextOrder = " ORDER BY u.contact_id, u.id LIMIT $1";
// The entries one fold took: after the previous fold's last key, when it resumed from one,
// up to its own last key ($1, $2 then $3, $4). `p` qualifies the columns.
std::string Taken(bool resumed, std::string_view p) {
  std::string key = "(" + std::string(p) + "contact_id, " + std::string(p) + "id)";
  return resumed ? key + " > ($1, $2) AND " + key + " <= ($3, $4)" : key + " <= ($1, $2)";
}
constexpr std::string_view kAddToContacts =
    "INSERT INTO contact_activities (workspace_id, contact_id, occurred_at, id) "
    "SELECT a.workspace_id, u.contact_id, a.occurred_at, a.id "
    "FROM activities_unfolded u CROSS JOIN activities a ON a.id = u.id WHERE ";
constexpr std::string_view kRemoveUnfolded = "DELETE FROM activities_unfolded WHERE ";

}  // namespace

Result<int64_t> ActivityService::Fold(int64_t max_rows) {
  std::lock_guard lock(fold_mu_);
  const Micros now = clock_.Now();
  // A sweep that ends (folds fewer than max_rows) starts again from the first contact; one
  // whose cursor finds nothing more starts again at once, so 0 means nothing is unfolded.
  int64_t folded = 0;
  for (int pass = 0; pass < 2; ++pass) {
    store::Params params{max_rows};
    std::string next(kNext);
    store::Params taken;
    if (fold_after_) {
      next += kNextAfter;
      taken = {fold_after_->contact_id, fold_after_->id};
      params.insert(params.end(), taken.begin(), taken.end());
    }
    next += kNextOrder;
    std::optional<FoldKey> last;
    Status s = store_.Write([&](store::Txn& t) -> Status {
      folded = 0;
      last.reset();
      std::map<int64_t, internal::AggregateDelta> deltas;  // by workspace
      RETURN_IF_ERROR(t.QueryEach(next, params, [&](const store::RowView& r) {
        ++folded;
        last = FoldKey{r.Int(0), r.Int(1)};
        deltas.try_emplace(r.Int(2), now)
            .first->second.Add(r.Int(0), r.Text(3), r.Text(4), r.Int(5), r.OptInt(6), r.Text(7));
        return Status::Ok();
      }));
      if (!last) return Status::Ok();
      store::Params range = taken;
      range.emplace_back(std::in_place_type<int64_t>, last->contact_id);
      range.emplace_back(std::in_place_type<int64_t>, last->id);
      const bool resumed = fold_after_.has_value();
      RETURN_IF_ERROR(t.Exec(std::string(kAddToContacts) + Taken(resumed, "u."), range).status());
      RETURN_IF_ERROR(t.Exec(std::string(kRemoveUnfolded) + Taken(resumed, ""), range).status());
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

Status ActivityService::CountUnfolded() {
  return store_.Read([&](store::Txn& t) -> Status {
    ASSIGN_OR_RETURN(auto row, t.QueryOne("SELECT COUNT(*) FROM activities_unfolded"));
    // Writes since the count started were counted by Written already.
    unfolded_ += row->Int(0);
    return Status::Ok();
  });
}

}  // namespace rapport::activity
