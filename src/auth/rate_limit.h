// Failed-login throttling: at most `max_failures` failures per key (an account's email, a
// client address) within a sliding `window`; beyond that, attempts are refused until the
// oldest failure leaves the window. Unknown emails are counted like known ones, so the
// limiter never reveals whether an account exists. In memory, per process. Thread-safe.
#pragma once

#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

#include "common/clock.h"

namespace rapport::auth {

class FailureLimiter {
 public:
  FailureLimiter(Clock& clock, int max_failures, Micros window)
      : clock_(clock), max_failures_(max_failures), window_(window) {}

  // 0 when an attempt is allowed now, else the time until it is.
  Micros RetryAfter(const std::string& key);
  // Atomically: 0 and the attempt counted as a failure when allowed, else the wait (and
  // nothing counted). Counting before the password check means concurrent attempts cannot
  // all slip in under the limit.
  Micros Acquire(const std::string& key);
  // Takes back the most recent attempt counted for `key` (it succeeded).
  void Release(const std::string& key);
  void RecordFailure(const std::string& key);
  void Reset(const std::string& key);

 private:
  void Prune(std::deque<Micros>& times, Micros now) const;

  Clock& clock_;
  const int max_failures_;
  const Micros window_;
  std::mutex mu_;
  std::unordered_map<std::string, std::deque<Micros>> failures_;
};

struct LoginLimits {
  int per_account = 5;
  int per_address = 50;
  Micros window = 15 * 60 * kMicrosPerSecond;
};

// Both limits of a login attempt.
class LoginLimiter {
 public:
  LoginLimiter(Clock& clock, LoginLimits limits = {})
      : account_(clock, limits.per_account, limits.window),
        address_(clock, limits.per_address, limits.window) {}

  // 0 when allowed, else the longer of the two waits.
  Micros RetryAfter(const std::string& email, const std::string& address);
  // Call before checking a password: 0 and the attempt counted as a failure for both keys,
  // or the wait (nothing counted). Call Succeeded() when the password was right.
  Micros Begin(const std::string& email, const std::string& address);
  // The attempt begun for these keys succeeded: clears the account, uncounts the address.
  void Succeeded(const std::string& email, const std::string& address);
  void RecordFailure(const std::string& email, const std::string& address);
  void RecordSuccess(const std::string& email);

 private:
  FailureLimiter account_, address_;
};

}  // namespace rapport::auth
