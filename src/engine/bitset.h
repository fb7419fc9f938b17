// A dense bitset over contact indexes: at a million contacts an and/or/not is 16k words,
// cheaper than any sparse form for the intermediate results of a rule.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace rapport::engine {

class Bitset {
 public:
  explicit Bitset(size_t n = 0) : n_(n), w_(Take((n + 63) / 64)) {}
  Bitset(const Bitset& o) : n_(o.n_), w_(Take(o.w_.size())) {
    std::memcpy(w_.data(), o.w_.data(), w_.size() * sizeof(uint64_t));
  }
  Bitset(Bitset&& o) noexcept = default;
  Bitset& operator=(const Bitset& o) {
    if (this != &o) {
      n_ = o.n_;
      w_.assign(o.w_.begin(), o.w_.end());
    }
    return *this;
  }
  Bitset& operator=(Bitset&& o) noexcept {
    if (this != &o) {
      Give(std::move(w_));
      n_ = o.n_;
      w_ = std::move(o.w_);
    }
    return *this;
  }
  ~Bitset() { Give(std::move(w_)); }

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

  // Bit i set when bytes[i] is 1 (bytes hold 0 or 1). SSE2 tests 16 bytes per compare;
  // otherwise eight bytes per multiply: each byte's low bit lands in the top byte of the
  // product without carries.
  static Bitset FromBytes(const uint8_t* bytes, size_t n) {
    Bitset b(n);
    size_t k = 0, full = n / 8;
#if defined(__SSE2__)
    const __m128i zero = _mm_setzero_si128();
    for (; k + 8 <= full; k += 8) {
      uint64_t w = 0;
      for (int q = 0; q < 4; ++q) {
        __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(bytes + k * 8 + q * 16));
        auto zeros = static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, zero)));
        w |= static_cast<uint64_t>(~zeros & 0xffffu) << (q * 16);
      }
      b.w_[k / 8] = w;
    }
#endif
    for (; k < full; ++k) {
      uint64_t x;
      std::memcpy(&x, bytes + k * 8, 8);
      b.w_[k / 8] |= (((x & 0x0101010101010101ull) * 0x0102040810204080ull) >> 56) << (k % 8 * 8);
    }
    for (size_t i = full * 8; i < n; ++i) {
      if (bytes[i]) b.Set(i);
    }
    return b;
  }

  size_t size() const { return n_; }
  size_t words() const { return w_.size(); }
  uint64_t word(size_t w) const { return w_[w]; }
  void set_word(size_t w, uint64_t bits) { w_[w] = bits; }
  bool None() const {
    for (uint64_t w : w_) {
      if (w) return false;
    }
    return true;
  }
  // this &= ~o
  void AndNot(const Bitset& o) {
    for (size_t i = 0; i < w_.size(); ++i) w_[i] &= ~o.w_[i];
  }
  void Set(size_t i) { w_[i >> 6] |= uint64_t{1} << (i & 63); }
  void Reset(size_t i) { w_[i >> 6] &= ~(uint64_t{1} << (i & 63)); }
  // Sets or clears bit i without a branch on `v`.
  void Put(size_t i, bool v) {
    uint64_t bit = uint64_t{1} << (i & 63);
    w_[i >> 6] = (w_[i >> 6] & ~bit) | (static_cast<uint64_t>(v) << (i & 63));
  }
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
  // Whether more than `k` bits are set; stops counting once they are.
  bool CountAbove(size_t k) const {
    size_t c = 0;
    for (uint64_t w : w_) {
      c += static_cast<size_t>(std::popcount(w));
      if (c > k) return true;
    }
    return false;
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
  // A rule's evaluation makes and drops a few bitsets of n/8 bytes each; the allocator
  // would hand that memory back to the kernel on every free (it sits at the top of the
  // heap) and fault it in again. A small per-thread pool keeps it.
  static constexpr size_t kPoolMinWords = 1024, kPoolSize = 16;
  static std::vector<std::vector<uint64_t>>& Pool() {
    thread_local std::vector<std::vector<uint64_t>> pool;
    return pool;
  }
  static std::vector<uint64_t> Take(size_t words) {
    auto& pool = Pool();
    if (words >= kPoolMinWords) {
      for (size_t i = pool.size(); i-- > 0;) {
        if (pool[i].capacity() >= words) {
          std::vector<uint64_t> w = std::move(pool[i]);
          pool.erase(pool.begin() + static_cast<std::ptrdiff_t>(i));
          w.assign(words, 0);
          return w;
        }
      }
    }
    return std::vector<uint64_t>(words, 0);
  }
  static void Give(std::vector<uint64_t>&& w) {
    if (w.capacity() < kPoolMinWords) return;
    auto& pool = Pool();
    if (pool.size() < kPoolSize) pool.push_back(std::move(w));
  }

  size_t n_;
  std::vector<uint64_t> w_;
};

}  // namespace rapport::engine
