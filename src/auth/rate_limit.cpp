#include "auth/rate_limit.h"

#include <algorithm>

namespace rapport::auth {
namespace {

constexpr size_t kMaxKeys = 100'000;

}  // namespace

void FailureLimiter::Prune(std::deque<Micros>& times, Micros now) const {
  while (!times.empty() && times.front() <= now - window_) times.pop_front();
}

Micros FailureLimiter::RetryAfter(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = failures_.find(key);
  if (it == failures_.end()) return 0;
  Micros now = clock_.Now();
  Prune(it->second, now);
  if (static_cast<int>(it->second.size()) < max_failures_) return 0;
  return std::max<Micros>(1, it->second.front() + window_ - now);
}

Micros FailureLimiter::Acquire(const std::string& key) {
  std::lock_guard lock(mu_);
  Micros now = clock_.Now();
  if (failures_.size() >= kMaxKeys) {
    for (auto it = failures_.begin(); it != failures_.end();) {
      Prune(it->second, now);
      it = it->second.empty() ? failures_.erase(it) : std::next(it);
    }
  }
  auto& times = failures_[key];
  Prune(times, now);
  if (static_cast<int>(times.size()) >= max_failures_) {
    return std::max<Micros>(1, times.front() + window_ - now);
  }
  times.push_back(now);
  return 0;
}

void FailureLimiter::Release(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = failures_.find(key);
  if (it == failures_.end() || it->second.empty()) return;
  it->second.pop_back();
  if (it->second.empty()) failures_.erase(it);
}

void FailureLimiter::RecordFailure(const std::string& key) {
  std::lock_guard lock(mu_);
  Micros now = clock_.Now();
  if (failures_.size() >= kMaxKeys) {
    for (auto it = failures_.begin(); it != failures_.end();) {
      Prune(it->second, now);
      it = it->second.empty() ? failures_.erase(it) : std::next(it);
    }
  }
  auto& times = failures_[key];
  Prune(times, now);
  times.push_back(now);
  while (static_cast<int>(times.size()) > max_failures_) times.pop_front();
}

void FailureLimiter::Reset(const std::string& key) {
  std::lock_guard lock(mu_);
  failures_.erase(key);
}

Micros LoginLimiter::RetryAfter(const std::string& email, const std::string& address) {
  return std::max(account_.RetryAfter(email), address_.RetryAfter(address));
}

Micros LoginLimiter::Begin(const std::string& email, const std::string& address) {
  if (Micros wait = account_.Acquire(email)) return std::max(wait, address_.RetryAfter(address));
  if (Micros wait = address_.Acquire(address)) {
    account_.Release(email);
    return wait;
  }
  return 0;
}

void LoginLimiter::Succeeded(const std::string& email, const std::string& address) {
  account_.Reset(email);
  address_.Release(address);
}

void LoginLimiter::RecordFailure(const std::string& email, const std::string& address) {
  account_.RecordFailure(email);
  address_.RecordFailure(address);
}

void LoginLimiter::RecordSuccess(const std::string& email) { account_.Reset(email); }

}  // namespace rapport::auth
