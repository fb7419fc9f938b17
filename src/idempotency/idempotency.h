// Idempotent POSTs: the first response to a request carrying an Idempotency-Key is stored
// in the same transaction as the request's effect, so a retry with the same key and the
// same request gets that response again and changes nothing — also when retries arrive
// concurrently (the single writer serialises them). Only successful responses are kept: a
// request that failed changed nothing and may be retried. Thread-safe.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/ids.h"
#include "common/status.h"
#include "store/store.h"

namespace rapport::idempotency {

struct StoredResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct Outcome {
  StoredResponse response;
  bool replayed = false;
};

// Keys older than this may be purged; they are always kept at least 24 hours.
inline constexpr Micros kRetention = 48LL * 3600 * kMicrosPerSecond;

class IdempotencyService {
 public:
  IdempotencyService(store::Store& store, Clock& clock) : store_(store), clock_(clock) {}

  // Validation error for a key that is empty, longer than 255 or not printable ASCII.
  static Status CheckKey(std::string_view key);
  // A digest of what makes two requests "the same" (method, path, body).
  static std::string RequestHash(std::string_view method, std::string_view path, std::string_view body);

  // Runs `execute` once per (workspace, key) inside one write transaction. `execute`
  // returns the response, or an error Status to roll back (its own response is then not
  // stored). A stored key with another request hash is a Validation error.
  Result<Outcome> Run(WorkspaceId ws, std::string_view key, std::string_view request_hash,
                      const std::function<Result<StoredResponse>()>& execute);

  // Deletes keys older than kRetention; returns how many.
  Result<int64_t> Purge();

 private:
  store::Store& store_;
  Clock& clock_;
};

}  // namespace rapport::idempotency
