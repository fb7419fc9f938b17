// Apply: reloads changed contacts and companies, follows tag links and deletes, and appends
// new activities to the per-type delta.
#include <algorithm>

#include "engine/state.h"

namespace rapport::engine {
namespace {

constexpr const char* kTagsOf = "SELECT tag_id FROM contact_tags WHERE contact_id = $1";
constexpr const char* kActivity =
    "SELECT id, contact_id, occurred_at, type, channel, amount, currency FROM activities "
    "WHERE workspace_id = $1 AND id = $2";

void RemoveEverywhere(std::unordered_map<int64_t, Roaring>& bitmaps, uint32_t index) {
  for (auto& [id, bits] : bitmaps) bits.remove(index);
}

Status ApplyContact(store::Txn& txn, State& state, int64_t id, std::vector<int64_t>& affected) {
  ContactTable& t = state.contacts;
  ASSIGN_OR_RETURN(auto row, txn.QueryOne(kSelectContact, {state.ws.value, id}));
  std::optional<uint32_t> index = t.IndexOf(id);
  if (!row) {
    if (index && t.alive[*index]) {
      t.alive[*index] = 0;
      ClearContact(state, *index);
      RemoveEverywhere(state.tags, *index);
      RemoveEverywhere(state.segments, *index);
      affected.push_back(id);
    }
    return Status::Ok();
  }
  if (!index) {
    if (!t.ids.empty() && id < t.ids.back()) {
      return Internal("engine: contact " + std::to_string(id) +
                      " arrived out of id order; rebuild the engine");
    }
    index = t.Append(id);
    for (auto& type : state.activities.types) type->ExtendTo(t.size());
  }
  SetContactRow(state, *index, *row);
  ASSIGN_OR_RETURN(auto tag_rows, txn.Query(kTagsOf, {id}));
  std::vector<int64_t> tags;
  for (const auto& r : tag_rows) tags.push_back(r.Int(0));
  for (auto& [tag, bits] : state.tags) {
    if (std::find(tags.begin(), tags.end(), tag) == tags.end()) bits.remove(*index);
  }
  for (int64_t tag : tags) state.tags[tag].add(*index);
  affected.push_back(id);
  return Status::Ok();
}

Status ApplyCompany(store::Txn& txn, State& state, int64_t id, std::vector<int64_t>& affected) {
  ASSIGN_OR_RETURN(auto row, txn.QueryOne(kSelectCompany, {state.ws.value, id}));
  uint32_t index = state.companies.IndexOrAdd(id);
  if (row) {
    SetCompanyRow(state, index, *row);
  } else {
    ClearCompany(state, index);
  }
  const ContactTable& t = state.contacts;
  for (size_t i = 0; i < t.size(); ++i) {
    if (t.company[i] == static_cast<int32_t>(index) && t.alive[i]) affected.push_back(t.ids[i]);
  }
  return Status::Ok();
}

Status ApplyActivity(store::Txn& txn, State& state, int64_t id, std::vector<int64_t>& affected) {
  // Streamed: no Row is built for the one row.
  struct {
    bool found = false;
    int64_t contact = 0, micros = 0, amount = 0;
    bool has_amount = false;
    std::string type, channel;
    std::optional<std::string> currency;
  } a;
  RETURN_IF_ERROR(
      txn.QueryEach(kActivity, {state.ws.value, id}, [&](const store::RowView& r) -> Status {
        if (r.IsNull(1)) return Status::Ok();
        a.found = true;
        a.contact = r.Int(1);
        a.micros = r.Int(2);
        a.type = r.Text(3);
        a.channel = r.Text(4);
        a.has_amount = !r.IsNull(5);
        a.amount = r.Int(5);
        if (!r.IsNull(6)) a.currency = std::string(r.Text(6));
        return Status::Ok();
      }));
  if (!a.found) return Status::Ok();
  ContactTable& t = state.contacts;
  std::optional<uint32_t> c = t.IndexOf(a.contact);
  if (!c || !t.alive[*c]) return Status::Ok();
  ActivityStore& acts = state.activities;
  TypeStore& type = acts.GetOrAdd(a.type, t.size());
  if (id <= type.watermark) return Status::Ok();  // already in the arrays
  type.ExtendTo(t.size());
  ASSIGN_OR_RETURN(uint8_t channel, acts.ChannelCode(a.channel));
  ASSIGN_OR_RETURN(uint8_t currency, acts.CurrencyCode(a.currency));
  DeltaRow d{id, DayOfMicros(a.micros), channel, currency, a.amount};
  type.AppendDelta(*c, d, a.has_amount);
  for (auto& [key, col] : type.props) {
    ASSIGN_OR_RETURN(uint32_t code, LoadPropValue(txn, state.store->dialect(), *col, key, id));
    if (code != 0) col->delta[id] = code;
  }
  type.MaybeCompact();
  ++acts.count;
  affected.push_back(a.contact);
  return Status::Ok();
}

}  // namespace

Result<std::vector<int64_t>> ApplyChanges(store::Txn& txn, State& state,
                                          const std::vector<store::Change>& changes) {
  std::vector<int64_t> affected;
  for (const store::Change& ch : changes) {
    if (ch.seq <= state.applied_seq) continue;
    if (ch.workspace == state.ws) {
      // A row may stand for a run of records (one request's batch): each is applied.
      for (int64_t id = ch.entity_id; id <= ch.entity_id_last; ++id) {
        if (ch.entity == "contact") {
          RETURN_IF_ERROR(ApplyContact(txn, state, id, affected));
        } else if (ch.entity == "company") {
          RETURN_IF_ERROR(ApplyCompany(txn, state, id, affected));
        } else if (ch.entity == "activity") {
          RETURN_IF_ERROR(ApplyActivity(txn, state, id, affected));
        } else if (ch.entity == "tag" && ch.kind == store::ChangeKind::kDeleted) {
          // Linked contacts arrive as their own updates; the bitmap goes with the tag.
          state.tags.erase(id);
        }
      }
    }
    state.applied_seq = ch.seq;
  }
  std::sort(affected.begin(), affected.end());
  affected.erase(std::unique(affected.begin(), affected.end()), affected.end());
  return affected;
}

}  // namespace rapport::engine
