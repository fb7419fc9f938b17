// The Engine: State behind a shared mutex, property columns built on first use.
#include "engine/engine.h"

#include <algorithm>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

#include "engine/evaluator.h"
#include "engine/state.h"

namespace rapport::engine {

size_t State::MemoryBytes() const {
  size_t m = contacts.ids.capacity() * 8 + contacts.alive.capacity() +
             contacts.company.capacity() * 4 + companies.ids.capacity() * 8 +
             companies.index.size() * 32;
  for (const auto* cols :
       {&contacts.fields, &contacts.custom, &companies.fields, &companies.custom}) {
    for (const auto& [k, col] : *cols) m += col.MemoryBytes() + k.capacity() + 64;
  }
  for (const auto* maps : {&tags, &segments}) {
    for (const auto& [id, bits] : *maps) m += bits.getSizeInBytes(false) + 64;
  }
  for (const auto& t : activities.types) m += t->MemoryBytes();
  return m;
}

namespace {

class EngineImpl final : public Engine {
 public:
  explicit EngineImpl(std::unique_ptr<State> state) : s_(std::move(state)) {}

  Result<std::vector<int64_t>> Evaluate(const segments::Rule& checked,
                                        int32_t today) const override {
    std::shared_lock lock(mu_);
    ASSIGN_OR_RETURN(Bitset b, EvaluateAll(checked, *s_, today, resolver_));
    // Indexes first, then ids: members are scattered over the id array, so each lookup is
    // a cache miss, fetched ahead.
    std::vector<int64_t> out(b.Count());
    size_t k = 0;
    b.ForEach([&](size_t i) { out[k++] = static_cast<int64_t>(i); });
    const int64_t* ids = s_->contacts.ids.data();
    constexpr size_t kAhead = 16;
    for (k = 0; k < out.size(); ++k) {
      if (k + kAhead < out.size()) __builtin_prefetch(ids + out[k + kAhead]);
      out[k] = ids[out[k]];
    }
    return out;
  }

  Result<int64_t> Count(const segments::Rule& checked, int32_t today) const override {
    std::shared_lock lock(mu_);
    ASSIGN_OR_RETURN(Bitset b, EvaluateAll(checked, *s_, today, resolver_));
    return static_cast<int64_t>(b.Count());
  }

  // The incremental path asks about one contact against many long-lived rules, so plans
  // are cached by the rule's address and reused while the rule is identical (a different
  // rule at a recycled address is compiled again) and the day and state shape are the same.
  Result<bool> Matches(const segments::Rule& checked, int64_t contact_id,
                       int32_t today) const override {
    std::shared_lock lock(mu_);
    std::optional<uint32_t> index;
    std::shared_ptr<const Plan> plan;
    {
      std::lock_guard cache(plans_mu_);
      if (last_id_ == contact_id) index = last_index_;
      auto it = plans_.find(&checked);
      if (it != plans_.end() && PlanFits(*it->second, checked, *s_, today)) plan = it->second;
    }
    if (!index) {
      index = s_->contacts.IndexOf(contact_id);
      if (!index) return false;
      std::lock_guard cache(plans_mu_);
      last_id_ = contact_id;
      last_index_ = *index;
    }
    if (!plan) {
      ASSIGN_OR_RETURN(PlanPtr compiled, CompileOwned(checked, *s_, today, resolver_));
      plan = std::shared_ptr<const Plan>(std::move(compiled));
      std::lock_guard cache(plans_mu_);
      if (plans_.size() >= kMaxPlans) plans_.clear();
      plans_[&checked] = plan;
    }
    return PlanMatches(*plan, *s_, *index);
  }

  Result<std::vector<int64_t>> Apply(store::Txn& txn,
                                     const std::vector<store::Change>& changes) override {
    std::unique_lock lock(mu_);
    return ApplyChanges(txn, *s_, changes);
  }

  void SetSegmentMembers(int64_t segment_id, const std::vector<int64_t>& contact_ids) override {
    std::unique_lock lock(mu_);
    Roaring bits;
    for (int64_t id : contact_ids) {
      if (auto i = s_->contacts.IndexOf(id)) bits.add(*i);
    }
    bits.runOptimize();
    s_->segments[segment_id] = std::move(bits);
  }

  void SetSegmentMember(int64_t segment_id, int64_t contact_id, bool member) override {
    std::unique_lock lock(mu_);
    auto i = s_->contacts.IndexOf(contact_id);
    if (!i) return;
    if (member) {
      s_->segments[segment_id].add(*i);
    } else if (auto it = s_->segments.find(segment_id); it != s_->segments.end()) {
      it->second.remove(*i);
    }
  }

  void DropSegment(int64_t segment_id) override {
    std::unique_lock lock(mu_);
    s_->segments.erase(segment_id);
  }

  EngineStats Stats() const override {
    std::shared_lock lock(mu_);
    std::lock_guard props(props_mu_);
    EngineStats st;
    st.contacts = std::count(s_->contacts.alive.begin(), s_->contacts.alive.end(), 1);
    st.activities = s_->activities.count;
    st.memory_bytes = s_->MemoryBytes();
    st.applied_seq = s_->applied_seq;
    return st;
  }

 private:
  // Runs under the shared lock: several evaluations may ask at once, so building and
  // inserting a column is serialised by props_mu_. Apply (exclusive) never races with it.
  Result<const PropColumn*> Resolve(const TypeStore& type, const std::string& key) const {
    std::lock_guard lock(props_mu_);
    auto it = type.props.find(key);
    if (it != type.props.end()) return static_cast<const PropColumn*>(it->second.get());
    std::unique_ptr<PropColumn> col;
    Status s = s_->store->Read([&](store::Txn& txn) -> Status {
      ASSIGN_OR_RETURN(col, LoadPropColumn(txn, *s_, type, key));
      return Status::Ok();
    });
    RETURN_IF_ERROR(s);
    auto& props = const_cast<TypeStore&>(type).props;
    return static_cast<const PropColumn*>(props.emplace(key, std::move(col)).first->second.get());
  }

  static constexpr size_t kMaxPlans = 4096;

  std::unique_ptr<State> s_;
  mutable std::shared_mutex mu_;
  mutable std::mutex props_mu_;
  // Guards the plan cache and the last contact looked up (an index never changes: contacts
  // are only appended).
  mutable std::mutex plans_mu_;
  mutable std::unordered_map<const segments::Rule*, std::shared_ptr<const Plan>> plans_;
  mutable int64_t last_id_ = -1;
  mutable uint32_t last_index_ = 0;
  PropResolver resolver_ = [this](const TypeStore& type, const std::string& key) {
    return Resolve(type, key);
  };
};

}  // namespace

Result<std::unique_ptr<Engine>> Engine::Build(store::Store& store, WorkspaceId ws) {
  auto state = std::make_unique<State>();
  state->ws = ws;
  state->store = &store;
  RETURN_IF_ERROR(store.Read([&](store::Txn& txn) { return LoadState(txn, *state); }));
  FinishState(*state);
  return std::unique_ptr<Engine>(std::make_unique<EngineImpl>(std::move(state)));
}

}  // namespace rapport::engine
