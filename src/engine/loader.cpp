// Build: the whole workspace, streamed row by row (Txn::QueryEach) so no row is materialised.
// Activities are read in id-range chunks by two threads (see LoadState) into compact
// temporaries, then placed into per-type arrays by a counting sort over contacts (count,
// then fill pre-sized arrays), so nothing grows row by row. The per-type (contact, day, id)
// order comes from that sort and a stable per-contact sort by day, not from SQL: every
// query here is a primary-key range scan without a sort step.
#include <algorithm>
#include <atomic>
#include <limits>
#include <numeric>
#include <string_view>
#include <thread>

#include "engine/state.h"

namespace rapport::engine {

namespace {

constexpr int64_t kNoLimit = std::numeric_limits<int64_t>::max();
constexpr uint16_t kHasAmount = 0x8000;
constexpr uint32_t kSkip = UINT32_MAX;

constexpr const char* kMaxSeq = "SELECT COALESCE(MAX(seq), 0) FROM change_feed";
constexpr const char* kCountContacts = "SELECT COUNT(*) FROM contacts WHERE workspace_id = $1";
constexpr const char* kTagLinks =
    "SELECT tag_id, contact_id FROM contact_tags WHERE workspace_id = $1 "
    "ORDER BY tag_id, contact_id";
constexpr const char* kSegmentMembers =
    "SELECT segment_id, contact_id FROM segment_members WHERE workspace_id = $1 "
    "ORDER BY segment_id, contact_id";
constexpr const char* kDeletesSince =
    "SELECT COUNT(*) FROM change_feed WHERE seq > $1 AND kind = 'deleted' "
    "AND entity IN ('contact', 'company')";
constexpr const char* kActivityIdRange =
    "SELECT COALESCE(MIN(id), 0), COALESCE(MAX(id), 0) FROM activities";
// `+workspace_id` keeps the planner on the primary key: a range scan in id order.
constexpr const char* kActivities =
    "SELECT id, contact_id, occurred_at, type, channel, amount, currency FROM activities "
    "WHERE +workspace_id = $1 AND id >= $2 AND id <= $3 AND contact_id IS NOT NULL ORDER BY id";

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

// Names (types, channels, currencies) -> small local codes, looked up by the string_view the
// row holds; a workspace has a handful, and consecutive rows often repeat the last one.
class NameCodes {
 public:
  explicit NameCodes(size_t limit) : limit_(limit) {}
  // nullopt once more than `limit` distinct names were seen.
  std::optional<uint32_t> Code(std::string_view name) {
    if (last_ < names_.size() && names_[last_] == name) return last_;
    for (uint32_t i = 0; i < names_.size(); ++i) {
      if (names_[i] == name) return last_ = i;
    }
    if (names_.size() >= limit_) return std::nullopt;
    names_.emplace_back(name);
    return last_ = static_cast<uint32_t>(names_.size() - 1);
  }
  const std::vector<std::string>& names() const { return names_; }

 private:
  size_t limit_;
  std::vector<std::string> names_;
  uint32_t last_ = 0;
};

Status LoadCompanies(store::Txn& txn, State& state) {
  return txn.QueryEach(kSelectCompanies, {state.ws.value, int64_t{0}, kNoLimit},
                       [&](const store::RowView& r) {
                         SetCompanyRow(state, state.companies.IndexOrAdd(r.Int(0)), r);
                         return Status::Ok();
                       });
}

Status LoadContacts(store::Txn& txn, State& state) {
  ASSIGN_OR_RETURN(auto count, txn.QueryOne(kCountContacts, {state.ws.value}));
  size_t n = static_cast<size_t>(count ? count->Int(0) : 0);
  ContactTable& t = state.contacts;
  t.ids.reserve(n);
  t.alive.reserve(n);
  t.company.reserve(n);
  for (auto* col : t.standard) col->codes.reserve(n);
  RETURN_IF_ERROR(txn.QueryEach(kSelectContacts, {state.ws.value, int64_t{0}, kNoLimit},
                                [&](const store::RowView& r) {
                                  SetContactRow(state, t.Append(r.Int(0)), r);
                                  return Status::Ok();
                                }));
  // Custom columns grew by doubling: give back the slack (the engine keeps them for good).
  for (auto& [key, col] : t.custom) col.codes.shrink_to_fit();
  return Status::Ok();
}

Status LoadBitmaps(store::Txn& txn, State& state, const char* sql,
                   std::unordered_map<int64_t, Roaring>& out) {
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
  RETURN_IF_ERROR(txn.QueryEach(sql, {state.ws.value}, [&](const store::RowView& r) {
    if (r.Int(0) != current) {
      flush();
      current = r.Int(0);
    }
    if (auto i = lookup(r.Int(1))) batch.push_back(*i);
    return Status::Ok();
  }));
  flush();
  return Status::Ok();
}

// Activities of one id range in id order as compact columns, with codes local to the range
// (so ranges can be read on different threads); Place resolves contacts and codes.
struct Staged {
  int64_t lo = 0, hi = -1;
  bool staged = false;
  bool by_helper = false;  // claimed by the second thread
  int64_t max_id = 0;
  std::vector<int64_t> contact_id;  // until Place resolves it into `contact`
  std::vector<uint32_t> contact;    // index, or kSkip for a contact the state lacks
  std::vector<int32_t> day;
  std::vector<uint16_t> type;  // local code | kHasAmount
  std::vector<uint8_t> channel, currency;
  std::vector<int64_t> amount;  // one per row with kHasAmount, in row order
  NameCodes types{kHasAmount - 1}, channels{255}, currencies{254};
};

Status StageActivities(store::Txn& txn, WorkspaceId ws, Staged& s) {
  size_t cap = static_cast<size_t>(s.hi - s.lo + 1);
  s.contact_id.reserve(cap);
  s.day.reserve(cap);
  s.type.reserve(cap);
  s.channel.reserve(cap);
  s.currency.reserve(cap);
  return txn.QueryEach(kActivities, {ws.value, s.lo, s.hi}, [&](const store::RowView& r) {
    auto t = s.types.Code(r.Text(3));
    if (!t) return Internal("engine: too many activity types");
    auto ch = s.channels.Code(r.Text(4));
    if (!ch) return Internal("engine: more than 255 activity channels");
    uint32_t cur = 0;
    if (!r.IsNull(6)) {
      auto code = s.currencies.Code(r.Text(6));
      if (!code) return Internal("engine: more than 254 currencies");
      cur = *code + 1;
    }
    uint16_t type = static_cast<uint16_t>(*t);
    if (!r.IsNull(5)) {
      type |= kHasAmount;
      s.amount.push_back(r.Int(5));
    }
    s.contact_id.push_back(r.Int(1));
    s.day.push_back(DayOfMicros(r.Int(2)));
    s.type.push_back(type);
    s.channel.push_back(static_cast<uint8_t>(*ch));
    s.currency.push_back(static_cast<uint8_t>(cur));
    s.max_id = r.Int(0);
    return Status::Ok();
  });
}

// Id ranges handed out to whichever thread asks next: enough of them to balance the
// threads, few enough that starting each query costs nothing.
constexpr int64_t kChunks = 64;

class Chunks {
 public:
  Chunks(int64_t lo, int64_t hi) {
    const int64_t ids = std::max<int64_t>(1, (hi - lo + kChunks) / kChunks);
    for (int64_t b = lo; b <= hi; b += ids) {
      parts_.emplace_back();
      parts_.back().lo = b;
      parts_.back().hi = std::min(hi, b + ids - 1);
    }
  }
  std::vector<Staged>& parts() { return parts_; }
  // Stages chunks until none is left (or Cancel).
  Status Drain(store::Txn& txn, WorkspaceId ws, bool helper) {
    for (size_t i; !cancelled_ && (i = next_.fetch_add(1)) < parts_.size();) {
      parts_[i].by_helper = helper;
      RETURN_IF_ERROR(StageActivities(txn, ws, parts_[i]));
      parts_[i].staged = true;
    }
    return Status::Ok();
  }
  void Cancel() { cancelled_ = true; }
  // Empties part i so that it can be staged again.
  void Reset(size_t i) {
    Staged fresh;
    fresh.lo = parts_[i].lo;
    fresh.hi = parts_[i].hi;
    parts_[i] = std::move(fresh);
  }

 private:
  std::vector<Staged> parts_;
  std::atomic<size_t> next_{0};
  std::atomic<bool> cancelled_{false};
};

// A range's local codes as the ActivityStore's. Only names of rows that are placed are
// registered, in the order they first appear in id order (ranges are mapped in id order).
struct CodeMap {
  std::vector<uint16_t> type;
  std::vector<uint8_t> channel, currency;
};

Result<CodeMap> MapCodes(State& state, const Staged& s) {
  std::vector<uint8_t> type_used(s.types.names().size()), channel_used(s.channels.names().size()),
      currency_used(s.currencies.names().size() + 1);
  for (size_t i = 0; i < s.contact.size(); ++i) {
    if (s.contact[i] == kSkip) continue;
    type_used[s.type[i] & ~kHasAmount] = 1;
    channel_used[s.channel[i]] = 1;
    currency_used[s.currency[i]] = 1;
  }
  ActivityStore& acts = state.activities;
  CodeMap m;
  m.type.assign(type_used.size(), 0);
  m.channel.assign(channel_used.size(), 0);
  m.currency.assign(currency_used.size(), 0);
  for (size_t k = 0; k < type_used.size(); ++k) {
    if (!type_used[k]) continue;
    const std::string& name = s.types.names()[k];
    acts.GetOrAdd(name, state.contacts.size());
    uint32_t code = acts.type_index.at(name);
    if (code >= kHasAmount) return Internal("engine: too many activity types");
    m.type[k] = static_cast<uint16_t>(code);
  }
  for (size_t k = 0; k < channel_used.size(); ++k) {
    if (!channel_used[k]) continue;
    ASSIGN_OR_RETURN(m.channel[k], acts.ChannelCode(s.channels.names()[k]));
  }
  for (size_t k = 1; k < currency_used.size(); ++k) {
    if (!currency_used[k]) continue;
    ASSIGN_OR_RETURN(m.currency[k], acts.CurrencyCode(s.currencies.names()[k - 1]));
  }
  return m;
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

Status PlaceActivities(State& state, std::vector<Staged>& parts) {
  ActivityStore& acts = state.activities;
  IndexLookup lookup(state.contacts);
  std::vector<CodeMap> maps;
  for (Staged& s : parts) {
    s.contact.resize(s.contact_id.size());
    for (size_t i = 0; i < s.contact_id.size(); ++i) {
      s.contact[i] = lookup(s.contact_id[i]).value_or(kSkip);
    }
    s.contact_id = {};
    ASSIGN_OR_RETURN(CodeMap m, MapCodes(state, s));
    maps.push_back(std::move(m));
  }
  const size_t n = state.contacts.size(), types = acts.types.size();
  std::vector<uint8_t> has_amount(types, 0);
  std::vector<uint32_t*> offsets(types);
  for (size_t t = 0; t < types; ++t) {
    acts.types[t]->offsets.assign(n + 1, 0);
    offsets[t] = acts.types[t]->offsets.data();
  }
  size_t rows = 0;
  int64_t max_id = 0;
  for (size_t p = 0; p < parts.size(); ++p) {
    const Staged& s = parts[p];
    const uint16_t* type_of = maps[p].type.data();
    for (size_t i = 0; i < s.contact.size(); ++i) {
      if (s.contact[i] == kSkip) continue;
      uint16_t t = type_of[s.type[i] & ~kHasAmount];
      ++offsets[t][s.contact[i] + 1];
      if (s.type[i] & kHasAmount) has_amount[t] = 1;
    }
    rows += static_cast<size_t>(
        std::count_if(s.contact.begin(), s.contact.end(), [](uint32_t c) { return c != kSkip; }));
    max_id = std::max(max_id, s.max_id);
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
    ts.watermark = max_id;
  }
  // offsets[c] serves as contact c's cursor; afterwards it holds the next contact's start.
  std::vector<int32_t*> days(types);
  std::vector<uint8_t*> channels(types), currencies(types);
  std::vector<int64_t*> amounts(types);
  for (size_t t = 0; t < types; ++t) {
    TypeStore& ts = *acts.types[t];
    days[t] = ts.days.data();
    channels[t] = ts.channels.data();
    currencies[t] = has_amount[t] ? ts.currencies.data() : nullptr;
    amounts[t] = has_amount[t] ? ts.amounts.data() : nullptr;
  }
  for (size_t p = 0; p < parts.size(); ++p) {
    const Staged& s = parts[p];
    const CodeMap& m = maps[p];
    size_t amount_at = 0;
    for (size_t i = 0; i < s.contact.size(); ++i) {
      if (s.contact[i] == kSkip) {
        if (s.type[i] & kHasAmount) ++amount_at;
        continue;
      }
      uint16_t t = m.type[s.type[i] & ~kHasAmount];
      uint32_t pos = offsets[t][s.contact[i]]++;
      days[t][pos] = s.day[i];
      channels[t][pos] = m.channel[s.channel[i]];
      if (amounts[t]) {
        currencies[t][pos] = m.currency[s.currency[i]];
        amounts[t][pos] = (s.type[i] & kHasAmount) ? s.amount[amount_at] : 0;
      }
      if (s.type[i] & kHasAmount) ++amount_at;
    }
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
  return Status::Ok();
}

}  // namespace

// Activities are most of the work, so a second thread stages chunks of them on a read
// transaction of its own while this one loads contacts, and both share the rest.
//
// That transaction has a later snapshot than `txn`, which is still right: the chunks cover
// ids up to `hi`, the highest id in `txn`'s snapshot, and activity ids only grow
// (AUTOINCREMENT) and activities are never updated, only inserted or removed by the
// ON DELETE CASCADE of their contact or company. So the second thread reads exactly the
// rows `txn` would, unless a contact or company was deleted after `txn`'s snapshot; it
// checks for such deletions in the change feed, and if there was one, this thread reads its
// chunks again. Activities added meanwhile have ids above the watermark and arrive through
// the change feed after `applied_seq`, as for any build.
Status LoadState(store::Txn& txn, State& state) {
  ASSIGN_OR_RETURN(auto seq, txn.QueryOne(kMaxSeq));
  state.applied_seq = seq ? seq->Int(0) : 0;
  ASSIGN_OR_RETURN(auto range, txn.QueryOne(kActivityIdRange));
  Chunks chunks(range ? range->Int(0) : 0, range ? range->Int(1) : -1);
  const WorkspaceId ws = state.ws;
  const int64_t applied_seq = state.applied_seq;
  bool helper_ok = false;
  std::jthread helper;
  // Inside a write transaction `txn` sees its own uncommitted rows, which no other
  // transaction can: read everything here then.
  if (state.store != nullptr && !txn.writable() && chunks.parts().size() > 1) {
    helper = std::jthread([&] {
      auto ran = state.store->TryReadSeparately([&](store::Txn& own) -> Status {
        RETURN_IF_ERROR(chunks.Drain(own, ws, true));
        ASSIGN_OR_RETURN(auto deletes, own.QueryOne(kDeletesSince, {applied_seq}));
        helper_ok = !deletes || deletes->Int(0) == 0;
        return Status::Ok();
      });
      // Otherwise (no free connection, an error, deletions) this thread reads its chunks.
      helper_ok = helper_ok && ran.has_value() && *ran;
    });
  }
  // Stops the helper early if this thread returns with an error, before it is joined.
  struct CancelOnExit {
    Chunks& chunks;
    ~CancelOnExit() { chunks.Cancel(); }
  } cancel{chunks};

  RETURN_IF_ERROR(LoadCompanies(txn, state));
  RETURN_IF_ERROR(LoadContacts(txn, state));
  RETURN_IF_ERROR(LoadBitmaps(txn, state, kTagLinks, state.tags));
  RETURN_IF_ERROR(LoadBitmaps(txn, state, kSegmentMembers, state.segments));
  RETURN_IF_ERROR(chunks.Drain(txn, ws, false));
  if (helper.joinable()) helper.join();
  for (size_t i = 0; i < chunks.parts().size(); ++i) {
    const Staged& part = chunks.parts()[i];
    if (part.staged && (!part.by_helper || helper_ok)) continue;
    chunks.Reset(i);
    RETURN_IF_ERROR(StageActivities(txn, ws, chunks.parts()[i]));
  }
  RETURN_IF_ERROR(PlaceActivities(state, chunks.parts()));
  return Status::Ok();
}

}  // namespace rapport::engine
