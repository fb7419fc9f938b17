// Build: the whole workspace in one read transaction. Activities are read once in id order
// into compact temporaries, then placed into per-type arrays by a counting sort over
// contacts (count, then fill pre-sized arrays), so nothing grows row by row.
#include <algorithm>
#include <numeric>

#include "engine/state.h"

namespace rapport::engine {
namespace {

constexpr int64_t kChunk = 100'000;
constexpr uint16_t kHasAmount = 0x8000;

constexpr const char* kMaxSeq = "SELECT COALESCE(MAX(seq), 0) FROM change_feed";
constexpr const char* kCountContacts = "SELECT COUNT(*) FROM contacts WHERE workspace_id = $1";
constexpr const char* kTagLinks =
    "SELECT tag_id, contact_id FROM contact_tags WHERE workspace_id = $1 "
    "ORDER BY tag_id, contact_id";
constexpr const char* kSegmentMembers =
    "SELECT segment_id, contact_id FROM segment_members WHERE workspace_id = $1 "
    "ORDER BY segment_id, contact_id";
constexpr const char* kActivityIdRange =
    "SELECT COALESCE(MIN(id), 0), COALESCE(MAX(id), 0) FROM activities";
constexpr const char* kActivities =
    "SELECT id, contact_id, occurred_at, type, channel, amount, currency FROM activities "
    "WHERE +workspace_id = $1 AND id > $2 AND contact_id IS NOT NULL ORDER BY id LIMIT $3";

// Contact id -> index: a direct table when ids are dense enough, else binary search.
class IndexLookup {
 public:
  explicit IndexLookup(const ContactTable& t) : t_(t) {
    if (t.ids.empty()) return;
    base_ = t.ids.front();
    uint64_t span = static_cast<uint64_t>(t.ids.back() - base_) + 1;
    if (span <= 4 * t.ids.size() + 1024) {
      direct_.assign(span, UINT32_MAX);
      for (uint32_t i = 0; i < t.ids.size(); ++i) direct_[t.ids[i] - base_] = i;
    }
  }
  std::optional<uint32_t> operator()(int64_t id) const {
    if (direct_.empty()) return t_.IndexOf(id);
    if (id < base_ || static_cast<uint64_t>(id - base_) >= direct_.size()) return std::nullopt;
    uint32_t i = direct_[id - base_];
    if (i == UINT32_MAX) return std::nullopt;
    return i;
  }

 private:
  const ContactTable& t_;
  int64_t base_ = 0;
  std::vector<uint32_t> direct_;
};

Status LoadCompanies(store::Txn& txn, State& state) {
  int64_t after = 0;
  for (;;) {
    ASSIGN_OR_RETURN(auto rows, txn.Query(kSelectCompanies, {state.ws.value, after, kChunk}));
    for (const auto& r : rows) {
      after = r.Int(0);
      SetCompanyRow(state, state.companies.IndexOrAdd(after), r);
    }
    if (static_cast<int64_t>(rows.size()) < kChunk) return Status::Ok();
  }
}

Status LoadContacts(store::Txn& txn, State& state) {
  ASSIGN_OR_RETURN(auto count, txn.QueryOne(kCountContacts, {state.ws.value}));
  size_t n = static_cast<size_t>(count ? count->Int(0) : 0);
  ContactTable& t = state.contacts;
  t.ids.reserve(n);
  t.alive.reserve(n);
  t.company.reserve(n);
  for (auto* col : t.standard) col->codes.reserve(n);
  int64_t after = 0;
  for (;;) {
    ASSIGN_OR_RETURN(auto rows, txn.Query(kSelectContacts, {state.ws.value, after, kChunk}));
    for (const auto& r : rows) {
      after = r.Int(0);
      SetContactRow(state, t.Append(after), r);
    }
    if (static_cast<int64_t>(rows.size()) < kChunk) return Status::Ok();
  }
}

Status LoadBitmaps(store::Txn& txn, State& state, const char* sql,
                   std::unordered_map<int64_t, Roaring>& out) {
  ASSIGN_OR_RETURN(auto rows, txn.Query(sql, {state.ws.value}));
  IndexLookup lookup(state.contacts);
  std::vector<uint32_t> batch;
  int64_t current = -1;
  auto flush = [&] {
    if (current >= 0) {
      Roaring& r = out[current];
      r.addMany(batch.size(), batch.data());
      r.runOptimize();
    }
    batch.clear();
  };
  for (const auto& r : rows) {
    if (r.Int(0) != current) {
      flush();
      current = r.Int(0);
    }
    if (auto i = lookup(r.Int(1))) batch.push_back(*i);
  }
  flush();
  return Status::Ok();
}

// Activities in id order as compact columns, before they are placed per type.
struct Staged {
  std::vector<uint32_t> contact;
  std::vector<int32_t> day;
  std::vector<uint16_t> type;  // | kHasAmount
  std::vector<uint8_t> channel, currency;
  std::vector<int64_t> amount;  // one per row with kHasAmount, in row order
  int64_t max_id = 0;
};

Status StageActivities(store::Txn& txn, State& state, Staged& s) {
  ASSIGN_OR_RETURN(auto range, txn.QueryOne(kActivityIdRange));
  size_t cap = range ? static_cast<size_t>(range->Int(1) - range->Int(0) + 1) : 0;
  s.contact.reserve(cap);
  s.day.reserve(cap);
  s.type.reserve(cap);
  s.channel.reserve(cap);
  s.currency.reserve(cap);
  ActivityStore& acts = state.activities;
  IndexLookup lookup(state.contacts);
  size_t n = state.contacts.size();
  int64_t after = 0;
  std::string last_type;
  uint16_t last_code = 0;
  for (;;) {
    ASSIGN_OR_RETURN(auto rows, txn.Query(kActivities, {state.ws.value, after, kChunk}));
    for (const auto& r : rows) {
      after = r.Int(0);
      auto c = lookup(r.Int(1));
      if (!c) continue;
      const auto& type = std::get<std::string>(r.at(3));
      if (acts.types.empty() || type != last_type) {
        acts.GetOrAdd(type, n);
        last_code = static_cast<uint16_t>(acts.type_index.at(type));
        if (last_code >= kHasAmount) return Internal("engine: too many activity types");
        last_type = type;
      }
      ASSIGN_OR_RETURN(uint8_t ch, acts.ChannelCode(std::get<std::string>(r.at(4))));
      ASSIGN_OR_RETURN(uint8_t cur, acts.CurrencyCode(r.OptText(6)));
      uint16_t t = last_code;
      if (!r.IsNull(5)) {
        t |= kHasAmount;
        s.amount.push_back(r.Int(5));
      }
      s.contact.push_back(*c);
      s.day.push_back(DayOfMicros(r.Int(2)));
      s.type.push_back(t);
      s.channel.push_back(ch);
      s.currency.push_back(cur);
      s.max_id = after;
    }
    if (static_cast<int64_t>(rows.size()) < kChunk) return Status::Ok();
  }
}

// Orders one contact's rows by day; rows were placed in id order, so a stable sort gives
// (day, id).
void SortByDay(TypeStore& t, uint32_t b, uint32_t e, std::vector<uint32_t>& perm) {
  if (std::is_sorted(t.days.begin() + b, t.days.begin() + e)) return;
  perm.resize(e - b);
  std::iota(perm.begin(), perm.end(), b);
  std::stable_sort(perm.begin(), perm.end(),
                   [&](uint32_t x, uint32_t y) { return t.days[x] < t.days[y]; });
  auto apply = [&](auto& v) {
    if (v.empty()) return;
    std::vector<std::decay_t<decltype(v[0])>> tmp(e - b);
    for (uint32_t k = 0; k < e - b; ++k) tmp[k] = v[perm[k]];
    std::copy(tmp.begin(), tmp.end(), v.begin() + b);
  };
  apply(t.days);
  apply(t.channels);
  apply(t.currencies);
  apply(t.amounts);
}

void PlaceActivities(State& state, const Staged& s) {
  ActivityStore& acts = state.activities;
  size_t n = state.contacts.size(), rows = s.contact.size();
  size_t types = acts.types.size();
  std::vector<uint8_t> has_amount(types, 0);
  for (auto& t : acts.types) t->offsets.assign(n + 1, 0);
  for (size_t i = 0; i < rows; ++i) {
    uint16_t t = s.type[i] & ~kHasAmount;
    ++acts.types[t]->offsets[s.contact[i] + 1];
    if (s.type[i] & kHasAmount) has_amount[t] = 1;
  }
  for (size_t t = 0; t < types; ++t) {
    TypeStore& ts = *acts.types[t];
    std::partial_sum(ts.offsets.begin(), ts.offsets.end(), ts.offsets.begin());
    size_t total = ts.offsets[n];
    ts.days.resize(total);
    ts.channels.resize(total);
    if (has_amount[t]) {
      ts.amounts.resize(total);
      ts.currencies.resize(total);
    }
    ts.watermark = s.max_id;
  }
  // offsets[c] serves as contact c's cursor; afterwards it holds the next contact's start.
  size_t amount_at = 0;
  for (size_t i = 0; i < rows; ++i) {
    uint16_t t = s.type[i] & ~kHasAmount;
    TypeStore& ts = *acts.types[t];
    uint32_t pos = ts.offsets[s.contact[i]]++;
    ts.days[pos] = s.day[i];
    ts.channels[pos] = s.channel[i];
    if (!ts.amounts.empty()) {
      ts.currencies[pos] = s.currency[i];
      ts.amounts[pos] = (s.type[i] & kHasAmount) ? s.amount[amount_at] : 0;
    }
    if (s.type[i] & kHasAmount) ++amount_at;
  }
  std::vector<uint32_t> perm;
  for (auto& tp : acts.types) {
    TypeStore& ts = *tp;
    for (size_t c = n; c > 0; --c) ts.offsets[c] = ts.offsets[c - 1];
    ts.offsets[0] = 0;
    for (size_t c = 0; c < n; ++c) {
      if (ts.offsets[c + 1] - ts.offsets[c] > 1)
        SortByDay(ts, ts.offsets[c], ts.offsets[c + 1], perm);
    }
  }
  acts.count = static_cast<int64_t>(rows);
}

}  // namespace

Status LoadState(store::Txn& txn, State& state) {
  ASSIGN_OR_RETURN(auto seq, txn.QueryOne(kMaxSeq));
  state.applied_seq = seq ? seq->Int(0) : 0;
  RETURN_IF_ERROR(LoadCompanies(txn, state));
  RETURN_IF_ERROR(LoadContacts(txn, state));
  RETURN_IF_ERROR(LoadBitmaps(txn, state, kTagLinks, state.tags));
  RETURN_IF_ERROR(LoadBitmaps(txn, state, kSegmentMembers, state.segments));
  Staged staged;
  RETURN_IF_ERROR(StageActivities(txn, state, staged));
  PlaceActivities(state, staged);
  return Status::Ok();
}

}  // namespace rapport::engine
