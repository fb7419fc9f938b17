// Server-side login sessions: a random token in the cookie, its digest in the store, an
// absolute expiry and an idle timeout measured with the injected Clock. Revocation (logout,
// password change, "sign out other sessions") takes effect on the next request.
// Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/ids.h"
#include "common/status.h"
#include "store/store.h"

namespace rapport::auth {

using SessionId = Id<struct SessionTag>;

struct SessionOptions {
  Micros lifetime = 7 * kMicrosPerDay;                // absolute, from login
  Micros idle_timeout = 8 * 3600 * kMicrosPerSecond;  // since the last request
  Micros touch_interval = 60 * kMicrosPerSecond;      // last_seen_at is written at most this often
};

struct Session {
  SessionId id;
  UserId user;
  Micros created_at = 0, last_seen_at = 0, expires_at = 0;
  std::optional<std::string> user_agent, ip;
};

struct NewSession {
  Session session;
  std::string token;       // for the cookie; never stored
  std::string csrf_token;  // derived from the token; never stored
};

class SessionService {
 public:
  SessionService(store::Store& store, Clock& clock, SessionOptions options = {})
      : store_(store), clock_(clock), options_(options) {}

  Result<NewSession> Create(UserId user, std::string_view user_agent, std::string_view ip);
  // The live session for `token`; Unauthenticated when unknown, revoked, expired or idle too
  // long. Records the request time (at most every touch_interval).
  Result<Session> Verify(std::string_view token);
  // Revokes one of `user`'s sessions; NotFound for another user's or a dead session.
  Status Revoke(UserId user, SessionId id);
  // Revokes every live session of `user` except `keep`; returns how many.
  Result<int64_t> RevokeAll(UserId user, std::optional<SessionId> keep = std::nullopt);
  // The user's live sessions, newest first.
  Result<std::vector<Session>> List(UserId user);

  // Deletes sessions that expired, went idle or were revoked more than 30 days ago (their
  // login and logout stay in the audit log); returns how many.
  Result<int64_t> Purge();

  const SessionOptions& options() const { return options_; }

 private:
  store::Store& store_;
  Clock& clock_;
  SessionOptions options_;
};

}  // namespace rapport::auth
