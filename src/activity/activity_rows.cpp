#include "activity/activity_rows.h"

#include <string>

namespace rapport::activity::internal {
namespace {

std::optional<std::string_view> OptText(const store::RowView& r, size_t i) {
  if (r.IsNull(i)) return std::nullopt;
  return r.Text(i);
}

}  // namespace

ActivityView ViewOf(const store::RowView& r) {
  ActivityView a;
  a.id = r.Int(0);
  a.contact_id = r.OptInt(1);
  a.company_id = r.OptInt(2);
  a.type = r.Text(3);
  a.channel = r.Text(4);
  a.occurred_at = r.Int(5);
  if (!r.IsNull(6)) {
    a.amount = r.Int(6);
    a.currency = r.Text(7);
  }
  a.properties = r.Text(8);
  a.source = OptText(r, 9);
  a.author_id = r.OptInt(10);
  a.client_id = OptText(r, 11);
  a.recorded_at = r.Int(12);
  return a;
}

Activity ToActivity(const ActivityView& v) {
  Activity a;
  a.id = ActivityId(v.id);
  a.contact_id = v.contact_id;
  a.company_id = v.company_id;
  a.type = std::string(v.type);
  a.channel = std::string(v.channel);
  a.occurred_at = v.occurred_at;
  if (v.amount) a.amount = Money{*v.amount, std::string(v.currency)};
  a.properties = std::string(v.properties);
  if (v.source) a.source = std::string(*v.source);
  a.author_id = v.author_id;
  if (v.client_id) a.client_id = std::string(*v.client_id);
  a.recorded_at = v.recorded_at;
  return a;
}

Result<std::optional<Activity>> QueryActivity(store::Txn& t, std::string_view sql,
                                              const store::Params& params) {
  std::optional<Activity> out;
  RETURN_IF_ERROR(t.QueryEach(sql, params, [&](const store::RowView& r) -> Status {
    if (out) return Internal("more than one activity for a unique key");
    out = ToActivity(ViewOf(r));
    return Status::Ok();
  }));
  return out;
}

}  // namespace rapport::activity::internal
