// Rule evaluation. A field predicate becomes an accept table over the column's distinct
// values (bulk) or a direct comparison (one contact); an activity condition becomes a plan
// (window, channel/currency tables, property filters) run over one contact's rows of one
// type, merged with that contact's delta rows.
//
// Bulk evaluation restricts work to the contacts that can matter: an `and` hands the
// survivors of its cheaper operands to the next one, an `or` hands only the contacts not
// yet in, and an activity condition looks at rows only for contacts whose latest day of the
// type (TypeStore::last) reaches the window; every other contact has an empty aggregate,
// whose result is the same for all of them. A short unfiltered count or sum over a type with
// a recent view (TypeStore::recent) instead reads only the window's rows, in day order.
#include "engine/evaluator.h"

#include <algorithm>
#include <array>
#include <climits>
#include <limits>
#include <optional>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "engine/predicates.h"

namespace rapport::engine {
namespace {

using segments::Aggregate;
using segments::FieldSource;
using segments::Op;
using segments::Rule;

const ValueColumn* FindColumn(const ColumnMap& m, const std::string& name) {
  auto it = m.find(name);
  return it == m.end() ? nullptr : &it->second;
}

struct FieldPlan {
  const ValueColumn* column = nullptr;  // null: every value unset
  bool company = false;
  bool custom = false;
  segments::ValueType type = segments::ValueType::kText;
  FieldPred pred;

  // A custom value counts as set only when its JSON kind fits the field's type, as the SQL
  // evaluator tests json_type before comparing.
  ValueView Normalize(const ValueView& v) const {
    if (!custom || v.kind == Kind::kUnset) return v;
    bool fits;
    switch (type) {
      case segments::ValueType::kNumber:
        fits = v.kind == Kind::kInt || v.kind == Kind::kReal;
        break;
      case segments::ValueType::kBoolean:
        fits = v.kind == Kind::kBool;
        break;
      default:
        fits = v.kind == Kind::kText;
    }
    return fits ? v : ValueView{};
  }
  bool Match(const ValueView& v) const { return pred.Match(Normalize(v)); }
};

Result<FieldPlan> PlanField(const Rule& r, const State& s, int32_t today) {
  const segments::BoundField& f = r.bound.field;
  FieldPlan p;
  switch (f.source) {
    case FieldSource::kContact:
      p.column = FindColumn(s.contacts.fields, f.column);
      if (!p.column) return InvalidArgument("engine: unknown contact field " + f.column);
      break;
    case FieldSource::kContactCustom:
      p.column = FindColumn(s.contacts.custom, f.column);
      break;
    case FieldSource::kCompany:
      p.company = true;
      p.column = FindColumn(s.companies.fields, f.column);
      if (!p.column) return InvalidArgument("engine: unknown company field " + f.column);
      break;
    case FieldSource::kCompanyCustom:
      p.company = true;
      p.column = FindColumn(s.companies.custom, f.column);
      break;
    case FieldSource::kScore:
      return InvalidArgument("engine: scores are not available yet");
  }
  p.custom = f.source == FieldSource::kContactCustom || f.source == FieldSource::kCompanyCustom;
  p.type = f.type;
  ASSIGN_OR_RETURN(p.pred, FieldPred::Make(r.op, f.type, f.anniversary, r.values, r.days, today));
  return p;
}

ValueView ValueOf(const FieldPlan& p, const State& s, uint32_t i) {
  if (!p.column) return {};
  if (p.company) {
    int32_t c = s.contacts.company[i];
    if (c < 0) return {};
    return p.column->dict.Get(p.column->Code(static_cast<size_t>(c)));
  }
  return p.column->dict.Get(p.column->Code(i));
}

struct Agg {
  int64_t count = 0;
  __int128 sum = 0;
  int32_t first = INT32_MAX, last = INT32_MIN;
};

struct ActivityPlan {
  const TypeStore* type = nullptr;
  int32_t lo = INT32_MIN, hi = INT32_MAX;
  std::array<uint8_t, 256> channel_ok{};
  bool currency_filtered = false;
  std::array<uint8_t, 256> currency_ok{};
  struct Prop {
    const PropColumn* column;
    Op op;
    std::vector<Lit> lits;
    std::vector<uint8_t> accept;  // per dictionary code; empty: evaluate per row
    bool Ok(uint32_t code) const {
      if (!accept.empty()) return code < accept.size() && accept[code] != 0;
      return MatchProperty(op, lits, column->dict.Get(code));
    }
  };
  std::vector<Prop> props;
  Aggregate aggregate = Aggregate::kCount;
  bool filtered = false;  // any channel, currency or property filter
  bool channel_filtered = false;
  bool sum = false;
  FieldPred result;                     // count(), first(), last() against the rule's operands
  std::array<uint8_t, 256> count_ok{};  // count(): the result for counts 0..255
  // count(): no count below this matches (256: none up to 255), so a contact with fewer rows
  // in the window fails before its rows are filtered.
  int64_t min_count = 0;
  bool empty_ok = false;  // the result for a contact without matching rows
  // sum() with an ordered operator: the int64 sums that match are [sum_lo, sum_hi], or
  // those outside it for `!=`; a scan with exact int64 sums tests that inline.
  bool sum_range = false, sum_outside = false;
  int64_t sum_lo = INT64_MAX, sum_hi = INT64_MIN;
  bool SumMatches(int64_t v) const { return (v >= sum_lo && v <= sum_hi) != sum_outside; }
};

// The matching int64 sums of an ordered comparison as a range (MatchSum's semantics).
void PlanSumRange(const Rule& r, ActivityPlan& p) {
  __int128 m = r.bound.minor, lo, hi;
  constexpr __int128 kMin = INT64_MIN, kMax = INT64_MAX;
  switch (r.op) {
    case Op::kEq:
    case Op::kNe:
      lo = hi = m;
      break;
    case Op::kLt:
      lo = kMin;
      hi = m - 1;
      break;
    case Op::kLe:
      lo = kMin;
      hi = m;
      break;
    case Op::kGt:
      lo = m + 1;
      hi = kMax;
      break;
    case Op::kGe:
      lo = m;
      hi = kMax;
      break;
    case Op::kBetween:
      lo = m;
      hi = r.bound.minor_hi;
      break;
    default:
      return;
  }
  p.sum_range = true;
  p.sum_outside = r.op == Op::kNe;
  if (lo > hi || lo > kMax || hi < kMin) return;  // empty: sum_lo > sum_hi
  p.sum_lo = static_cast<int64_t>(std::max(lo, kMin));
  p.sum_hi = static_cast<int64_t>(std::min(hi, kMax));
}

bool AggMatches(const Rule& r, const ActivityPlan& p, const Agg& a) {
  switch (r.aggregate) {
    case Aggregate::kCount:
      if (a.count < 256) return p.count_ok[static_cast<size_t>(a.count)] != 0;
      return p.result.Match(IntValue(a.count));
    case Aggregate::kSum:
      return MatchSum(r, a.sum);
    case Aggregate::kExists:
      return a.count > 0;
    case Aggregate::kFirst:
      return p.result.Match(a.count ? DayValue(a.first) : ValueView{});
    case Aggregate::kLast:
      return p.result.Match(a.count ? DayValue(a.last) : ValueView{});
  }
  return false;
}

void WindowOf(const Rule& r, int32_t today, int32_t& lo, int32_t& hi) {
  lo = INT32_MIN;
  hi = INT32_MAX;
  switch (r.window.kind) {
    case segments::Window::Kind::kAllTime:
      break;
    case segments::Window::Kind::kLastDays:
      lo = static_cast<int32_t>(std::max<int64_t>(INT32_MIN, int64_t{today} - r.window.days + 1));
      hi = today;
      break;
    case segments::Window::Kind::kBetween:
      lo = r.window.from.days;
      hi = r.window.to.days;
      break;
  }
}

// `bulk`: build property accept tables when their dictionaries are small next to the rows
// the condition is expected to read (`rows`).
Result<ActivityPlan> PlanActivity(const Rule& r, const State& s, int32_t today, bool bulk,
                                  double rows, const PropResolver& resolve) {
  ActivityPlan p;
  p.aggregate = r.aggregate;
  p.sum = r.aggregate == Aggregate::kSum;
  p.type = s.activities.Find(r.activity_type);
  WindowOf(r, today, p.lo, p.hi);
  const auto& channels = s.activities.channels;
  const auto& currencies = s.activities.currencies;
  for (size_t c = 0; c < channels.size(); ++c) p.channel_ok[c] = 1;
  for (size_t c = 1; c < currencies.size(); ++c) p.currency_ok[c] = 1;
  p.filtered = !r.filters.empty();
  for (const auto& f : r.filters) {
    std::vector<Lit> lits;
    for (const auto& v : f.values) lits.push_back(ToLit(v));
    if (f.key == "channel") {
      p.channel_filtered = true;
      for (size_t c = 0; c < channels.size(); ++c) {
        if (!MatchName(f.op, lits, channels[c])) p.channel_ok[c] = 0;
      }
    } else if (f.key == "currency") {
      p.currency_filtered = true;
      for (size_t c = 1; c < currencies.size(); ++c) {
        if (!MatchName(f.op, lits, currencies[c])) p.currency_ok[c] = 0;
      }
    } else if (f.key.rfind("properties.", 0) == 0) {
      if (!p.type) continue;
      ASSIGN_OR_RETURN(const PropColumn* col, resolve(*p.type, f.key.substr(11)));
      ActivityPlan::Prop prop{col, f.op, std::move(lits), {}};
      if (bulk && col->dict.size() <= 4 * rows + 1024) {
        prop.accept.resize(col->dict.size());
        for (uint32_t code = 0; code < col->dict.size(); ++code) {
          prop.accept[code] = MatchProperty(prop.op, prop.lits, col->dict.Get(code)) ? 1 : 0;
        }
      }
      p.props.push_back(std::move(prop));
    } else {
      return InvalidArgument("engine: unknown activity filter " + f.key);
    }
  }
  if (r.aggregate == Aggregate::kCount) {
    ASSIGN_OR_RETURN(p.result, FieldPred::Make(r.op, segments::ValueType::kNumber, false, r.values,
                                               r.days, today));
    for (int64_t n = 0; n < 256; ++n) p.count_ok[n] = p.result.Match(IntValue(n)) ? 1 : 0;
    p.min_count = 256;
    for (int64_t n = 255; n >= 0; --n) {
      if (p.count_ok[n]) p.min_count = n;
    }
  } else if (r.aggregate == Aggregate::kFirst || r.aggregate == Aggregate::kLast) {
    ASSIGN_OR_RETURN(p.result, FieldPred::Make(r.op, segments::ValueType::kDate, false, r.values,
                                               r.days, today));
  }
  if (r.aggregate == Aggregate::kSum) PlanSumRange(r, p);
  p.empty_ok = AggMatches(r, p, Agg{});
  return p;
}

// The window [lo, hi] in a type's day layout D (offsets from day_base, or plain days).
template <typename D>
struct RelWindow {
  bool empty = true;
  D lo = 0, hi = 0;
};

template <typename D>
RelWindow<D> Relative(const TypeStore& t, int32_t lo, int32_t hi) {
  int64_t base = t.narrow ? t.day_base : 0;
  int64_t a = int64_t{lo} - base, b = int64_t{hi} - base;
  constexpr int64_t kMin = std::numeric_limits<D>::min(), kMax = std::numeric_limits<D>::max();
  RelWindow<D> w;
  if (a > b || b < kMin || a > kMax) return w;
  w.empty = false;
  w.lo = static_cast<D>(std::max(a, kMin));
  w.hi = static_cast<D>(std::min(b, kMax));
  return w;
}

bool RowPassesFilters(const ActivityPlan& p, const TypeStore& t, uint32_t r, bool with_amounts) {
  if (p.channel_filtered && !p.channel_ok[t.channels[r]]) return false;
  if (p.currency_filtered && !p.currency_ok[with_amounts ? t.currencies[r] : 0]) return false;
  for (const auto& prop : p.props) {
    uint32_t code = r < prop.column->codes.size() ? prop.column->codes[r] : 0;
    if (!prop.Ok(code)) return false;
  }
  return true;
}

// Adds contact rows [b, e) of the arrays that fall in the window. Rows are ordered by day,
// so the window is found by binary search (the common recent window is a short suffix).
template <typename D>
void AddMainRows(const ActivityPlan& p, const TypeStore& t, const D* days, int32_t base,
                 RelWindow<D> w, uint32_t c, Agg& a) {
  uint32_t b = t.offsets[c], e = t.offsets[c + 1];
  if (w.empty || b >= e || days[e - 1] < w.lo || days[b] > w.hi) return;
  uint32_t s = days[b] >= w.lo
                   ? b
                   : static_cast<uint32_t>(std::lower_bound(days + b, days + e, w.lo) - days);
  uint32_t f = days[e - 1] <= w.hi
                   ? e
                   : static_cast<uint32_t>(std::upper_bound(days + s, days + e, w.hi) - days);
  if (s >= f) return;
  bool with_amounts = !t.amounts.empty();
  if (!p.filtered) {
    a.count += f - s;
    a.first = std::min(a.first, base + static_cast<int32_t>(days[s]));
    a.last = std::max(a.last, base + static_cast<int32_t>(days[f - 1]));
    if (p.sum && with_amounts) {
      const int64_t* am = t.amounts.data();
      int64_t sum = 0;
      bool overflow = false;
      for (uint32_t k = s; k < f; ++k) overflow |= __builtin_add_overflow(sum, am[k], &sum);
      if (!overflow) {
        a.sum += sum;
      } else {
        for (uint32_t k = s; k < f; ++k) a.sum += am[k];
      }
    }
    return;
  }
  if (static_cast<int64_t>(f - s) < p.min_count && !t.HasDelta(c)) return;
  for (uint32_t r = s; r < f; ++r) {
    if (!RowPassesFilters(p, t, r, with_amounts)) continue;
    int32_t day = base + static_cast<int32_t>(days[r]);
    ++a.count;
    if (with_amounts) a.sum += t.amounts[r];
    a.first = std::min(a.first, day);
    a.last = std::max(a.last, day);
  }
}

void AddDeltaRows(const ActivityPlan& p, const TypeStore& t, uint32_t c, Agg& a) {
  auto it = t.delta.find(c);
  if (it == t.delta.end()) return;
  for (const DeltaRow& x : it->second) {
    if (x.day < p.lo || x.day > p.hi) continue;
    if (!p.channel_ok[x.channel]) continue;
    if (p.currency_filtered && !p.currency_ok[x.currency]) continue;
    bool ok = true;
    for (const auto& prop : p.props) {
      auto pit = prop.column->delta.find(x.id);
      if (!prop.Ok(pit == prop.column->delta.end() ? 0 : pit->second)) {
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    ++a.count;
    a.sum += x.amount;
    a.first = std::min(a.first, x.day);
    a.last = std::max(a.last, x.day);
  }
}

template <typename D>
Agg AggregateOf(const ActivityPlan& p, const TypeStore& t, const D* days, int32_t base,
                RelWindow<D> w, uint32_t c) {
  Agg a;
  if (c + 1 < t.offsets.size()) AddMainRows(p, t, days, base, w, c, a);
  if (t.HasDelta(c)) AddDeltaRows(p, t, c, a);
  return a;
}

// Whether last[] alone answers an unfiltered exists(): no row of the type lies after the
// window, and LastCode is exact (unclamped) for the window start and every row's day, so
// "last[c] >= LastCode(lo)" holds exactly when the contact has a row in [lo, hi].
bool ExistsFromLast(const Rule& r, const ActivityPlan& p, const TypeStore& t) {
  int64_t lo = p.lo, base = t.day_base;
  return r.aggregate == Aggregate::kExists && !p.filtered && p.hi >= t.max_day && lo > base &&
         lo - base + 1 < 65535 && int64_t{t.max_day} - base + 1 < 65535;
}

// Bits of the 64 contacts from `first` whose last[] reaches `threshold`, among `mask`.
uint64_t CandidateBits(const uint16_t* last, size_t n_last, size_t first, uint64_t mask,
                       uint16_t threshold) {
#if defined(__SSE2__)
  if (mask == ~uint64_t{0} && first + 64 <= n_last) {
    // x >= threshold  <=>  saturating (threshold - x) == 0
    const __m128i t = _mm_set1_epi16(static_cast<int16_t>(threshold));
    const __m128i zero = _mm_setzero_si128();
    uint64_t bits = 0;
    for (int k = 0; k < 4; ++k) {
      const auto* p = reinterpret_cast<const __m128i*>(last + first + k * 16);
      __m128i a = _mm_cmpeq_epi16(_mm_subs_epu16(t, _mm_loadu_si128(p)), zero);
      __m128i b = _mm_cmpeq_epi16(_mm_subs_epu16(t, _mm_loadu_si128(p + 1)), zero);
      bits |= static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(_mm_packs_epi16(a, b))))
              << (k * 16);
    }
    return bits;
  }
#endif
  uint64_t bits = 0;
  for (uint64_t m = mask; m != 0; m &= m - 1) {
    int bit = std::countr_zero(m);
    size_t i = first + static_cast<size_t>(bit);
    if (i < n_last && last[i] >= threshold) bits |= uint64_t{1} << bit;
  }
  return bits;
}

Bitset RoaringBits(const Roaring& r, size_t n) {
  Bitset out(n);
  struct Ctx {
    Bitset* out;
    size_t n;
  } ctx{&out, n};
  r.iterate(
      [](uint32_t v, void* p) {
        auto* c = static_cast<Ctx*>(p);
        if (v < c->n) c->out->Set(v);
        return true;
      },
      &ctx);
  return out;
}

Bitset FromRoaring(const std::unordered_map<int64_t, Roaring>& m, int64_t id, size_t n) {
  auto it = m.find(id);
  if (it == m.end()) return Bitset(n);
  return RoaringBits(it->second, n);
}

}  // namespace

struct PlanNode {
  Rule::Kind kind = Rule::Kind::kAnd;
  const Rule* rule = nullptr;
  std::vector<PlanNode> children;  // and/or: cheapest first
  double cost = 0;                 // rough work estimate, for ordering operands
  FieldPlan field;
  ActivityPlan activity;
};

struct Plan {
  std::optional<Rule> owned;
  PlanNode root;
  int32_t today = 0;
  // What names resolved against; a plan is recompiled when any of them grows.
  size_t types = 0, channels = 0, currencies = 0, contact_custom = 0, company_custom = 0;
};

void PlanDeleter::operator()(const Plan* p) const { delete p; }

namespace {

Result<PlanNode> Compile(const Rule& r, const State& s, int32_t today, bool bulk,
                         const PropResolver& props) {
  PlanNode node;
  node.kind = r.kind;
  node.rule = &r;
  switch (r.kind) {
    case Rule::Kind::kAnd:
    case Rule::Kind::kOr: {
      if (r.children.empty()) return InvalidArgument("engine: empty and/or");
      for (const Rule& c : r.children) {
        ASSIGN_OR_RETURN(PlanNode child, Compile(c, s, today, bulk, props));
        node.cost += child.cost;
        node.children.push_back(std::move(child));
      }
      std::stable_sort(node.children.begin(), node.children.end(),
                       [](const PlanNode& a, const PlanNode& b) { return a.cost < b.cost; });
      return node;
    }
    case Rule::Kind::kNot: {
      if (r.children.size() != 1) return InvalidArgument("engine: not needs one operand");
      ASSIGN_OR_RETURN(PlanNode child, Compile(r.children[0], s, today, bulk, props));
      node.cost = child.cost;
      node.children.push_back(std::move(child));
      return node;
    }
    case Rule::Kind::kField: {
      ASSIGN_OR_RETURN(node.field, PlanField(r, s, today));
      node.cost = 2;
      return node;
    }
    case Rule::Kind::kTag:
    case Rule::Kind::kInSegment:
      node.cost = 1;
      return node;
    case Rule::Kind::kActivity: {
      double rows = 0;
      if (const TypeStore* t = s.activities.Find(r.activity_type)) {
        int32_t lo, hi;
        WindowOf(r, today, lo, hi);
        rows = t->EstimateRows(lo, hi);
      }
      ASSIGN_OR_RETURN(node.activity, PlanActivity(r, s, today, bulk, rows, props));
      const ActivityPlan& p = node.activity;
      if (!p.type) {
        node.cost = 1;
      } else if (ExistsFromLast(r, p, *p.type)) {
        node.cost = 3 + static_cast<double>(s.contacts.size()) / 64;
      } else {
        node.cost =
            100 + static_cast<double>(s.contacts.size()) / 64 + rows * (r.filters.empty() ? 1 : 2);
      }
      return node;
    }
  }
  return InvalidArgument("engine: unknown rule kind");
}

class Evaluator {
 public:
  explicit Evaluator(const State& s) : s_(s), n_(s.contacts.size()) {}

  // Members among `mask`; the result is always a subset of `mask`.
  Bitset All(const PlanNode& node, const Bitset& mask) {
    switch (node.kind) {
      case Rule::Kind::kAnd: {
        // Tags and segments are intersected as roaring bitmaps first: a small tag and a
        // large segment then cost what their intersection costs, not a pass over the
        // large one.
        std::vector<const Roaring*> sets;
        bool none = false;
        for (const PlanNode& c : node.children) {
          if (c.kind != Rule::Kind::kTag && c.kind != Rule::Kind::kInSegment) continue;
          const auto& m = c.kind == Rule::Kind::kTag ? s_.tags : s_.segments;
          auto it = m.find(c.rule->bound.id);
          if (it == m.end()) {
            none = true;
          } else {
            sets.push_back(&it->second);
          }
        }
        if (none) return Bitset(n_);
        std::optional<Bitset> acc;
        if (sets.size() >= 2) {
          std::sort(sets.begin(), sets.end(), [](const Roaring* a, const Roaring* b) {
            return a->cardinality() < b->cardinality();
          });
          Roaring both = *sets[0] & *sets[1];
          for (size_t i = 2; i < sets.size(); ++i) both &= *sets[i];
          acc = ToBitset(both);
          acc->And(mask);
        }
        for (const PlanNode& c : node.children) {
          if (acc && acc->None()) break;
          if (sets.size() >= 2 &&
              (c.kind == Rule::Kind::kTag || c.kind == Rule::Kind::kInSegment)) {
            continue;
          }
          acc = All(c, acc ? *acc : mask);
        }
        return std::move(*acc);
      }
      case Rule::Kind::kOr: {
        Bitset acc = All(node.children[0], mask);
        for (size_t i = 1; i < node.children.size(); ++i) {
          Bitset rest = mask;
          rest.AndNot(acc);
          if (rest.None()) break;
          acc.Or(All(node.children[i], rest));
        }
        return acc;
      }
      case Rule::Kind::kNot: {
        Bitset b = All(node.children[0], mask);
        b.NotWithin(mask);
        return b;
      }
      case Rule::Kind::kField:
        return FieldAll(node.field, mask);
      case Rule::Kind::kTag:
      case Rule::Kind::kInSegment: {
        Bitset b = FromRoaring(node.kind == Rule::Kind::kTag ? s_.tags : s_.segments,
                               node.rule->bound.id, n_);
        b.And(mask);
        return b;
      }
      case Rule::Kind::kActivity:
        if (!node.activity.type) return node.activity.empty_ok ? mask : Bitset(n_);
        if (size_t b, e; UseRecent(node.activity, mask, b, e)) {
          return RecentAll(node, mask, b, e);
        }
        if (node.activity.type->narrow) {
          return ActivityAll<uint16_t>(node, node.activity.type->days16.data(), mask);
        }
        return ActivityAll<int32_t>(node, node.activity.type->days.data(), mask);
    }
    return Bitset(n_);
  }

  bool One(const PlanNode& node, uint32_t i) {
    switch (node.kind) {
      case Rule::Kind::kAnd:
      case Rule::Kind::kOr: {
        bool is_and = node.kind == Rule::Kind::kAnd;
        for (const PlanNode& c : node.children) {
          if (One(c, i) != is_and) return !is_and;
        }
        return is_and;
      }
      case Rule::Kind::kNot:
        return !One(node.children[0], i);
      case Rule::Kind::kField:
        return node.field.Match(ValueOf(node.field, s_, i));
      case Rule::Kind::kTag:
      case Rule::Kind::kInSegment: {
        const auto& m = node.kind == Rule::Kind::kTag ? s_.tags : s_.segments;
        auto it = m.find(node.rule->bound.id);
        return it != m.end() && it->second.contains(i);
      }
      case Rule::Kind::kActivity: {
        const ActivityPlan& p = node.activity;
        const TypeStore* t = p.type;
        if (!t) return p.empty_ok;
        if (i >= t->last.size() || t->last[i] < t->LastCode(p.lo)) return p.empty_ok;
        if (ExistsFromLast(*node.rule, p, *t)) return true;
        Agg a = t->narrow
                    ? AggregateOf(p, *t, t->days16.data(), t->day_base,
                                  Relative<uint16_t>(*t, p.lo, p.hi), i)
                    : AggregateOf(p, *t, t->days.data(), 0, Relative<int32_t>(*t, p.lo, p.hi), i);
        return AggMatches(*node.rule, p, a);
      }
    }
    return false;
  }

 private:
  Bitset FieldAll(const FieldPlan& p, const Bitset& mask) {
    bool unset_ok = p.Match(ValueView{});
    if (!p.column) return unset_ok ? mask : Bitset(n_);
    const ValueDict& dict = p.column->dict;
    const std::vector<uint32_t>& codes = p.column->codes;
    const std::vector<int32_t>& company = s_.contacts.company;
    size_t in_play = mask.Count();
    bool sparse = in_play * 16 < n_;
    if (sparse && dict.size() > in_play) {
      // A large dictionary (emails, names): compare the few values in play directly.
      return Bitset::FillMasked(
          mask, [&](size_t i) { return p.Match(ValueOf(p, s_, static_cast<uint32_t>(i))); });
    }
    std::vector<uint8_t> accept(dict.size());
    accept[0] = unset_ok;
    for (uint32_t code = 1; code < dict.size(); ++code) accept[code] = p.Match(dict.Get(code));
    auto code_of = [&](size_t row) { return row < codes.size() ? codes[row] : 0; };
    if (!p.company) {
      if (sparse)
        return Bitset::FillMasked(mask, [&](size_t i) { return accept[code_of(i)] != 0; });
      Bitset b = Bitset::Fill(n_, [&](size_t i) { return accept[code_of(i)] != 0; });
      b.And(mask);
      return b;
    }
    auto company_ok = [&](size_t i) {
      int32_t c = company[i];
      if (c < 0) return unset_ok;
      return accept[code_of(static_cast<size_t>(c))] != 0;
    };
    if (sparse) return Bitset::FillMasked(mask, company_ok);
    Bitset b = Bitset::Fill(n_, company_ok);
    b.And(mask);
    return b;
  }

  Bitset ToBitset(const Roaring& r) { return RoaringBits(r, n_); }

  // Whether the type's recent view answers the condition for less: an unfiltered count, sum
  // or exists whose window starts inside the view and holds fewer rows than the contacts in
  // play. [b, e) are then the window's rows of the view.
  static bool UseRecent(const ActivityPlan& p, const Bitset& mask, size_t& b, size_t& e) {
    const TypeStore& t = *p.type;
    const TypeStore::Recent& v = t.recent;
    if (p.filtered || p.lo < v.lo || !t.narrow ||
        (p.aggregate != Aggregate::kCount && p.aggregate != Aggregate::kSum &&
         p.aggregate != Aggregate::kExists)) {
      return false;
    }
    RelWindow<uint16_t> w = Relative<uint16_t>(t, p.lo, p.hi);
    b = e = 0;
    if (!w.empty) {
      const uint16_t* days = v.days.data();
      b = static_cast<size_t>(std::lower_bound(days, days + v.days.size(), w.lo) - days);
      e = static_cast<size_t>(std::upper_bound(days + b, days + v.days.size(), w.hi) - days);
    }
    return mask.CountAbove(e - b);
  }

  // Accumulates the window's rows of the recent view per slot, then decides only the
  // contacts touched; contacts with delta rows are decided by the per-contact path, which
  // sees the delta, and so is every contact if an int64 sum overflowed (it sums in 128 bits).
  Bitset RecentAll(const PlanNode& node, const Bitset& mask, size_t b, size_t e) {
    const ActivityPlan& p = node.activity;
    const TypeStore& t = *p.type;
    const TypeStore::Recent& v = t.recent;
    // Both scratch arrays are all zero between calls: the second pass clears what the first
    // set. The first pass does not branch on whether a slot was seen before, which a window
    // whose rows mostly belong to different contacts would mispredict.
    thread_local std::vector<int64_t> acc;    // per slot: the sum, or the count
    thread_local std::vector<uint64_t> seen;  // per slot: touched
    if (acc.size() < v.contacts.size()) acc.resize(v.contacts.size(), 0);
    if (seen.size() * 64 < v.contacts.size()) seen.resize((v.contacts.size() + 63) / 64, 0);
    const uint32_t* slots = v.slots.data();
    int64_t* a = acc.data();
    uint64_t* s = seen.data();
    bool overflow = false;
    if (p.sum) {
      const int64_t* am = v.amounts.data();
      for (size_t k = b; k < e; ++k) {
        uint32_t x = slots[k];
        s[x >> 6] |= uint64_t{1} << (x & 63);
        overflow |= __builtin_add_overflow(a[x], am[k], &a[x]);
      }
    } else {
      for (size_t k = b; k < e; ++k) {
        uint32_t x = slots[k];
        s[x >> 6] |= uint64_t{1} << (x & 63);
        ++a[x];
      }
    }
    Bitset out = p.empty_ok ? mask : Bitset(n_);
    auto put = [&](uint32_t c, bool match) { out.Put(c, match); };
    const bool inline_sum = p.sum && p.sum_range;
    // Touched slots in slot order, which is contact order: the reads of `contacts`, `mask`
    // and `out` then walk forward.
    const size_t seen_words = (v.contacts.size() + 63) / 64;
    for (size_t wd = 0; wd < seen_words; ++wd) {
      for (uint64_t bits = s[wd]; bits != 0; bits &= bits - 1) {
        uint32_t x = static_cast<uint32_t>(wd * 64 + static_cast<size_t>(std::countr_zero(bits)));
        int64_t value = a[x];
        a[x] = 0;
        uint32_t c = v.contacts[x];
        if (overflow || !mask.Test(c) || t.HasDelta(c)) continue;
        if (inline_sum) {
          put(c, p.SumMatches(value));
          continue;
        }
        Agg g;
        g.count = p.sum ? 1 : value;
        g.sum = p.sum ? value : 0;
        put(c, AggMatches(*node.rule, p, g));
      }
      s[wd] = 0;
    }
    const uint16_t* days = t.days16.data();
    RelWindow<uint16_t> w = Relative<uint16_t>(t, p.lo, p.hi);
    auto exact = [&](uint32_t c) {
      put(c, AggMatches(*node.rule, p, AggregateOf(p, t, days, t.day_base, w, c)));
    };
    if (overflow) {
      for (size_t k = b; k < e; ++k) {
        uint32_t c = v.contacts[slots[k]];
        if (mask.Test(c) && !t.HasDelta(c)) exact(c);
      }
    }
    for (const auto& [c, rows] : t.delta) {
      if (mask.Test(c)) exact(c);
    }
    return out;
  }

  template <typename D>
  Bitset ActivityAll(const PlanNode& node, const D* days, const Bitset& mask) {
    const ActivityPlan& p = node.activity;
    const TypeStore& t = *p.type;
    const Rule& r = *node.rule;
    RelWindow<D> w = Relative<D>(t, p.lo, p.hi);
    int32_t base = t.narrow ? t.day_base : 0;
    uint16_t threshold = t.LastCode(p.lo);
    const uint16_t* last = t.last.data();
    size_t n_last = t.last.size();
    Bitset out(n_);
    if (ExistsFromLast(r, p, t)) {
      for (size_t wd = 0; wd < mask.words(); ++wd) {
        uint64_t m = mask.word(wd);
        if (m != 0) out.set_word(wd, CandidateBits(last, n_last, wd * 64, m, threshold) & m);
      }
      return out;
    }
    // Candidates first, then their rows: knowing the next candidates lets the loop fetch
    // their offsets and last rows ahead, since each candidate's rows are a cache miss.
    thread_local std::vector<uint32_t> cands;
    cands.clear();
    for (size_t wd = 0; wd < mask.words(); ++wd) {
      uint64_t m = mask.word(wd);
      if (m == 0) continue;
      uint64_t cand = CandidateBits(last, n_last, wd * 64, m, threshold) & m;
      if (p.empty_ok) out.set_word(wd, m & ~cand);
      for (; cand != 0; cand &= cand - 1) {
        cands.push_back(
            static_cast<uint32_t>(wd * 64 + static_cast<size_t>(std::countr_zero(cand))));
      }
    }
    const uint32_t* off = t.offsets.data();
    const int64_t* amounts = p.sum && !t.amounts.empty() ? t.amounts.data() : nullptr;
    constexpr size_t kAhead = 8;
    size_t k_end = cands.size();
    for (size_t k = 0; k < k_end; ++k) {
      if (k + 2 * kAhead < k_end) __builtin_prefetch(off + cands[k + 2 * kAhead]);
      if (k + kAhead < k_end) {
        uint32_t e = off[cands[k + kAhead] + 1];
        size_t row = e > 0 ? e - 1 : 0;
        __builtin_prefetch(days + row);
        if (amounts) __builtin_prefetch(amounts + row);
      }
      uint32_t c = cands[k];
      if (AggMatches(r, p, AggregateOf(p, t, days, base, w, c))) out.Set(c);
    }
    return out;
  }
  const State& s_;
  size_t n_;
};

bool SameBound(const Rule& a, const Rule& b) {
  const auto &x = a.bound, &y = b.bound;
  if (x.id != y.id || x.minor != y.minor || x.minor_hi != y.minor_hi ||
      x.field.source != y.field.source || x.field.column != y.field.column ||
      x.field.type != y.field.type || x.field.anniversary != y.field.anniversary) {
    return false;
  }
  for (size_t i = 0; i < a.children.size(); ++i) {
    if (!SameBound(a.children[i], b.children[i])) return false;
  }
  return true;
}

void RecordShape(const State& s, Plan& p) {
  p.types = s.activities.types.size();
  p.channels = s.activities.channels.size();
  p.currencies = s.activities.currencies.size();
  p.contact_custom = s.contacts.custom.size();
  p.company_custom = s.companies.custom.size();
}

}  // namespace

Result<PlanPtr> CompileOwned(const Rule& rule, const State& state, int32_t today,
                             const PropResolver& props) {
  PlanPtr out(new Plan);
  Plan& p = const_cast<Plan&>(*out);
  p.owned = rule;
  p.today = today;
  RecordShape(state, p);
  ASSIGN_OR_RETURN(p.root, Compile(*p.owned, state, today, false, props));
  return out;
}

bool PlanFits(const Plan& plan, const Rule& rule, const State& s, int32_t today) {
  // Called once per rule and contact on the incremental path: compares the shape in place
  // rather than building a Plan to record it in.
  return plan.today == today && plan.types == s.activities.types.size() &&
         plan.channels == s.activities.channels.size() &&
         plan.currencies == s.activities.currencies.size() &&
         plan.contact_custom == s.contacts.custom.size() &&
         plan.company_custom == s.companies.custom.size() && plan.owned &&
         plan.owned->SameAs(rule) && SameBound(*plan.owned, rule);
}

bool PlanMatches(const Plan& plan, const State& state, uint32_t index) {
  if (index >= state.contacts.size() || !state.contacts.alive[index]) return false;
  return Evaluator(state).One(plan.root, index);
}

Result<Bitset> EvaluateAll(const Rule& rule, const State& state, int32_t today,
                           const PropResolver& props) {
  ASSIGN_OR_RETURN(PlanNode root, Compile(rule, state, today, true, props));
  Bitset alive = Bitset::FromBytes(state.contacts.alive.data(), state.contacts.size());
  return Evaluator(state).All(root, alive);
}

Result<bool> EvaluateOne(const Rule& rule, const State& state, uint32_t index, int32_t today,
                         const PropResolver& props) {
  if (index >= state.contacts.size() || !state.contacts.alive[index]) return false;
  ASSIGN_OR_RETURN(PlanNode root, Compile(rule, state, today, false, props));
  return Evaluator(state).One(root, index);
}

}  // namespace rapport::engine
