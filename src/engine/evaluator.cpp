// Rule evaluation. Leaves are compiled once per call: a field predicate becomes an accept
// table over the column's distinct values (bulk) and an activity condition becomes a plan
// (window, channel/currency tables, property accept tables) streamed over each contact's
// rows of one type, merged with that contact's delta rows.
#include "engine/evaluator.h"

#include <algorithm>
#include <array>
#include <climits>

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
      if (!accept.empty()) return accept[code] != 0;
      return MatchProperty(op, lits, column->dict.Get(code));
    }
  };
  std::vector<Prop> props;
  Aggregate aggregate = Aggregate::kCount;
  bool filtered = false;  // any channel, currency or property filter
  FieldPred result;       // count(), first(), last() against the rule's operands
};

Result<ActivityPlan> PlanActivity(const Rule& r, const State& s, int32_t today, bool bulk,
                                  const PropResolver& resolve) {
  ActivityPlan p;
  p.aggregate = r.aggregate;
  p.type = s.activities.Find(r.activity_type);
  switch (r.window.kind) {
    case segments::Window::Kind::kAllTime:
      break;
    case segments::Window::Kind::kLastDays:
      p.lo = static_cast<int32_t>(std::max<int64_t>(INT32_MIN, int64_t{today} - r.window.days + 1));
      p.hi = today;
      break;
    case segments::Window::Kind::kBetween:
      p.lo = r.window.from.days;
      p.hi = r.window.to.days;
      break;
  }
  const auto& channels = s.activities.channels;
  const auto& currencies = s.activities.currencies;
  for (size_t c = 0; c < channels.size(); ++c) p.channel_ok[c] = 1;
  for (size_t c = 1; c < currencies.size(); ++c) p.currency_ok[c] = 1;
  p.filtered = !r.filters.empty();
  for (const auto& f : r.filters) {
    std::vector<Lit> lits;
    for (const auto& v : f.values) lits.push_back(ToLit(v));
    if (f.key == "channel") {
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
      if (bulk) {
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
  } else if (r.aggregate == Aggregate::kFirst || r.aggregate == Aggregate::kLast) {
    ASSIGN_OR_RETURN(p.result, FieldPred::Make(r.op, segments::ValueType::kDate, false, r.values,
                                               r.days, today));
  }
  return p;
}

Agg Aggregate(const ActivityPlan& p, uint32_t c) {
  Agg a;
  const TypeStore* t = p.type;
  if (!t) return a;
  bool with_amounts = !t->amounts.empty();
  auto take = [&](int32_t day, int64_t amount) {
    ++a.count;
    a.sum += amount;
    if (day < a.first) a.first = day;
    if (day > a.last) a.last = day;
  };
  if (c + 1 < t->offsets.size() && !p.filtered) {
    const int32_t* days = t->days.data();
    uint32_t r = t->offsets[c], e = t->offsets[c + 1];
    while (r < e && days[r] < p.lo) ++r;
    uint32_t b = r;
    while (r < e && days[r] <= p.hi) ++r;
    if (r > b) {
      a.count = r - b;
      a.first = days[b];
      a.last = days[r - 1];
      if (with_amounts && p.aggregate == Aggregate::kSum) {
        for (uint32_t k = b; k < r; ++k) a.sum += t->amounts[k];
      }
    }
  } else if (c + 1 < t->offsets.size()) {
    for (uint32_t r = t->offsets[c], e = t->offsets[c + 1]; r < e; ++r) {
      int32_t d = t->days[r];
      if (d < p.lo) continue;
      if (d > p.hi) break;
      if (!p.channel_ok[t->channels[r]]) continue;
      if (p.currency_filtered && !p.currency_ok[with_amounts ? t->currencies[r] : 0]) continue;
      bool ok = true;
      for (const auto& prop : p.props) {
        uint32_t code = r < prop.column->codes.size() ? prop.column->codes[r] : 0;
        if (!prop.Ok(code)) {
          ok = false;
          break;
        }
      }
      if (ok) take(d, with_amounts ? t->amounts[r] : 0);
    }
  }
  if (t->HasDelta(c)) {
    for (const DeltaRow& x : t->delta.at(c)) {
      if (x.day < p.lo || x.day > p.hi) continue;
      if (!p.channel_ok[x.channel]) continue;
      if (p.currency_filtered && !p.currency_ok[x.currency]) continue;
      bool ok = true;
      for (const auto& prop : p.props) {
        auto it = prop.column->delta.find(x.id);
        if (!prop.Ok(it == prop.column->delta.end() ? 0 : it->second)) {
          ok = false;
          break;
        }
      }
      if (ok) take(x.day, x.amount);
    }
  }
  return a;
}

bool AggMatches(const Rule& r, const ActivityPlan& p, const Agg& a) {
  switch (r.aggregate) {
    case Aggregate::kCount:
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

Bitset FromRoaring(const std::unordered_map<int64_t, Roaring>& m, int64_t id, size_t n) {
  Bitset out(n);
  auto it = m.find(id);
  if (it == m.end()) return out;
  struct Ctx {
    Bitset* out;
    size_t n;
  } ctx{&out, n};
  it->second.iterate(
      [](uint32_t v, void* p) {
        auto* c = static_cast<Ctx*>(p);
        if (v < c->n) c->out->Set(v);
        return true;
      },
      &ctx);
  return out;
}

// Rough relative cost of evaluating a condition, to order the operands of `and`.
int Cost(const Rule& r) {
  switch (r.kind) {
    case Rule::Kind::kTag:
    case Rule::Kind::kInSegment:
      return 1;
    case Rule::Kind::kField:
      return 2;
    case Rule::Kind::kActivity:
      return r.filters.empty() ? 4 : 5;
    default: {
      int c = 3;
      for (const Rule& child : r.children) c = std::max(c, Cost(child));
      return c;
    }
  }
}

class Evaluator {
 public:
  Evaluator(const State& s, int32_t today, const PropResolver& props)
      : s_(s), today_(today), props_(props), n_(s.contacts.size()) {}

  // Members among `mask`. An `and` evaluates its cheap operands first and narrows the mask
  // for the next, so activity conditions run only for the contacts still in play.
  Result<Bitset> All(const Rule& r, const Bitset& mask) {
    switch (r.kind) {
      case Rule::Kind::kAnd: {
        if (r.children.empty()) return InvalidArgument("engine: empty and");
        std::vector<const Rule*> order;
        for (const Rule& c : r.children) order.push_back(&c);
        std::stable_sort(order.begin(), order.end(),
                         [](const Rule* a, const Rule* b) { return Cost(*a) < Cost(*b); });
        ASSIGN_OR_RETURN(Bitset acc, All(*order[0], mask));
        for (size_t i = 1; i < order.size(); ++i) {
          ASSIGN_OR_RETURN(Bitset b, All(*order[i], acc));
          acc.And(b);
        }
        return acc;
      }
      case Rule::Kind::kOr: {
        if (r.children.empty()) return InvalidArgument("engine: empty or");
        ASSIGN_OR_RETURN(Bitset acc, All(r.children[0], mask));
        for (size_t i = 1; i < r.children.size(); ++i) {
          ASSIGN_OR_RETURN(Bitset b, All(r.children[i], mask));
          acc.Or(b);
        }
        return acc;
      }
      case Rule::Kind::kNot: {
        if (r.children.size() != 1) return InvalidArgument("engine: not needs one operand");
        ASSIGN_OR_RETURN(Bitset b, All(r.children[0], mask));
        b.NotWithin(mask);
        return b;
      }
      case Rule::Kind::kField: {
        ASSIGN_OR_RETURN(FieldPlan p, PlanField(r, s_, today_));
        Bitset b = FieldBits(p);
        b.And(mask);
        return b;
      }
      case Rule::Kind::kTag:
      case Rule::Kind::kInSegment: {
        Bitset b = FromRoaring(r.kind == Rule::Kind::kTag ? s_.tags : s_.segments, r.bound.id, n_);
        b.And(mask);
        return b;
      }
      case Rule::Kind::kActivity: {
        ASSIGN_OR_RETURN(ActivityPlan p, PlanActivity(r, s_, today_, true, props_));
        return Bitset::FillMasked(mask, [&](size_t i) {
          return AggMatches(r, p, Aggregate(p, static_cast<uint32_t>(i)));
        });
      }
    }
    return InvalidArgument("engine: unknown rule kind");
  }

  Result<bool> One(const Rule& r, uint32_t i) {
    switch (r.kind) {
      case Rule::Kind::kAnd:
      case Rule::Kind::kOr: {
        if (r.children.empty()) return InvalidArgument("engine: empty and/or");
        bool is_and = r.kind == Rule::Kind::kAnd;
        for (const Rule& c : r.children) {
          ASSIGN_OR_RETURN(bool m, One(c, i));
          if (m != is_and) return m;
        }
        return is_and;
      }
      case Rule::Kind::kNot: {
        if (r.children.size() != 1) return InvalidArgument("engine: not needs one operand");
        ASSIGN_OR_RETURN(bool m, One(r.children[0], i));
        return !m;
      }
      case Rule::Kind::kField: {
        ASSIGN_OR_RETURN(FieldPlan p, PlanField(r, s_, today_));
        return p.Match(ValueOf(p, s_, i));
      }
      case Rule::Kind::kTag:
      case Rule::Kind::kInSegment: {
        const auto& m = r.kind == Rule::Kind::kTag ? s_.tags : s_.segments;
        auto it = m.find(r.bound.id);
        return it != m.end() && it->second.contains(i);
      }
      case Rule::Kind::kActivity: {
        ASSIGN_OR_RETURN(ActivityPlan p, PlanActivity(r, s_, today_, false, props_));
        return AggMatches(r, p, Aggregate(p, i));
      }
    }
    return InvalidArgument("engine: unknown rule kind");
  }

  const Bitset& Alive() {
    if (alive_.size() != n_) {
      alive_ = Bitset::Fill(n_, [&](size_t i) { return s_.contacts.alive[i] != 0; });
    }
    return alive_;
  }

 private:
  Bitset FieldBits(const FieldPlan& p) {
    bool unset_ok = p.Match(ValueView{});
    if (!p.column) {
      return Bitset::Fill(n_, [&](size_t) { return unset_ok; });
    }
    const ValueDict& dict = p.column->dict;
    std::vector<uint8_t> accept(dict.size());
    accept[0] = unset_ok;
    for (uint32_t code = 1; code < dict.size(); ++code) accept[code] = p.Match(dict.Get(code));
    const std::vector<uint32_t>& codes = p.column->codes;
    if (!p.company) {
      return Bitset::Fill(n_, [&](size_t i) { return accept[i < codes.size() ? codes[i] : 0]; });
    }
    const std::vector<int32_t>& company = s_.contacts.company;
    return Bitset::Fill(n_, [&](size_t i) {
      int32_t c = company[i];
      if (c < 0) return unset_ok;
      return accept[static_cast<size_t>(c) < codes.size() ? codes[c] : 0] != 0;
    });
  }

  const State& s_;
  int32_t today_;
  const PropResolver& props_;
  size_t n_;
  Bitset alive_;
};

}  // namespace

Result<Bitset> EvaluateAll(const Rule& rule, const State& state, int32_t today,
                           const PropResolver& props) {
  Evaluator e(state, today, props);
  return e.All(rule, e.Alive());
}

Result<bool> EvaluateOne(const Rule& rule, const State& state, uint32_t index, int32_t today,
                         const PropResolver& props) {
  if (index >= state.contacts.size() || !state.contacts.alive[index]) return false;
  Evaluator e(state, today, props);
  return e.One(rule, index);
}

}  // namespace rapport::engine
