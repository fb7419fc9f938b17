// A dense bitset over contact indexes: at a million contacts an and/or/not is 16k words,
// cheaper than any sparse form for the intermediate results of a rule.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace rapport::engine {

class Bitset {
 public:
  explicit Bitset(size_t n = 0) : n_(n), w_((n + 63) / 64, 0) {}

  // Sets bit i to pred(i) for every i, building whole words at a time.
  template <typename Pred>
  static Bitset Fill(size_t n, Pred&& pred) {
    Bitset b(n);
    for (size_t w = 0; w < b.w_.size(); ++w) {
      size_t base = w * 64, end = base + 64 < n ? base + 64 : n;
      uint64_t bits = 0;
      for (size_t i = base; i < end; ++i)
        bits |= static_cast<uint64_t>(pred(i) ? 1 : 0) << (i - base);
      b.w_[w] = bits;
    }
    return b;
  }

  // Like Fill, but asks pred only for the bits set in `mask` (the others stay clear), so a
  // condition under a selective `and` costs only as much as the contacts still in play.
  template <typename Pred>
  static Bitset FillMasked(const Bitset& mask, Pred&& pred) {
    Bitset b(mask.n_);
    for (size_t w = 0; w < b.w_.size(); ++w) {
      uint64_t bits = 0;
      for (uint64_t m = mask.w_[w]; m != 0; m &= m - 1) {
        int bit = std::countr_zero(m);
        if (pred(w * 64 + static_cast<size_t>(bit))) bits |= uint64_t{1} << bit;
      }
      b.w_[w] = bits;
    }
    return b;
  }

  size_t size() const { return n_; }
  void Set(size_t i) { w_[i >> 6] |= uint64_t{1} << (i & 63); }
  bool Test(size_t i) const { return i < n_ && (w_[i >> 6] >> (i & 63)) & 1; }
  void And(const Bitset& o) {
    for (size_t i = 0; i < w_.size(); ++i) w_[i] &= o.w_[i];
  }
  void Or(const Bitset& o) {
    for (size_t i = 0; i < w_.size(); ++i) w_[i] |= o.w_[i];
  }
  // this = mask & ~this
  void NotWithin(const Bitset& mask) {
    for (size_t i = 0; i < w_.size(); ++i) w_[i] = mask.w_[i] & ~w_[i];
  }
  size_t Count() const {
    size_t c = 0;
    for (uint64_t w : w_) c += static_cast<size_t>(std::popcount(w));
    return c;
  }
  template <typename F>
  void ForEach(F&& f) const {
    for (size_t w = 0; w < w_.size(); ++w) {
      for (uint64_t bits = w_[w]; bits != 0; bits &= bits - 1) {
        f(w * 64 + static_cast<size_t>(std::countr_zero(bits)));
      }
    }
  }

 private:
  size_t n_;
  std::vector<uint64_t> w_;
};

}  // namespace rapport::engine
