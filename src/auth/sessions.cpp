#include "auth/sessions.h"

#include "auth/secrets.h"

namespace rapport::auth {
namespace {

constexpr std::string_view kInsert =
    "INSERT INTO sessions (user_id, token_hash, created_at, last_seen_at, expires_at, user_agent, "
    "ip) "
    "VALUES ($1, $2, $3, $3, $4, $5, $6) RETURNING id";
constexpr std::string_view kColumns =
    "id, user_id, created_at, last_seen_at, expires_at, user_agent, ip";
constexpr std::string_view kTouch = "UPDATE sessions SET last_seen_at = $2 WHERE id = $1";
constexpr std::string_view kRevoke =
    "UPDATE sessions SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL";
constexpr std::string_view kRevokeAll =
    "UPDATE sessions SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL AND id <> $3";

Session Decode(const store::Row& r) {
  Session s;
  s.id = SessionId(r.Int(0));
  s.user = UserId(r.Int(1));
  s.created_at = r.Int(2);
  s.last_seen_at = r.Int(3);
  s.expires_at = r.Int(4);
  s.user_agent = r.OptText(5);
  s.ip = r.OptText(6);
  return s;
}

std::optional<std::string> Clip(std::string_view s, size_t n) {
  if (s.empty()) return std::nullopt;
  return std::string(s.substr(0, n));
}

}  // namespace

Result<NewSession> SessionService::Create(UserId user, std::string_view user_agent,
                                          std::string_view ip) {
  NewSession out;
  out.token = NewToken(32);
  out.csrf_token = CsrfTokenFor(out.token);
  Micros now = clock_.Now();
  out.session.user = user;
  out.session.created_at = out.session.last_seen_at = now;
  out.session.expires_at = now + options_.lifetime;
  out.session.user_agent = Clip(user_agent, 300);
  out.session.ip = Clip(ip, 64);
  ASSIGN_OR_RETURN(auto row, store_.Write([&](store::Txn& t) {
    return t.QueryOne(kInsert, {user.value, TokenDigest(out.token), now, out.session.expires_at,
                                store::Opt(out.session.user_agent), store::Opt(out.session.ip)});
  }));
  out.session.id = SessionId(row->Int(0));
  return out;
}

Result<Session> SessionService::Verify(std::string_view token) {
  Status denied(StatusCode::kUnauthenticated, "session expired or signed out");
  if (token.empty() || token.size() > 128) return denied;
  std::string digest = TokenDigest(token);
  std::string sql = "SELECT " + std::string(kColumns) +
                    ", token_hash, revoked_at FROM sessions WHERE token_hash = $1";
  ASSIGN_OR_RETURN(auto row, store_.Read([&](store::Txn& t) { return t.QueryOne(sql, {digest}); }));
  if (!row || !SecretEquals(row->Text(7), digest) || !row->IsNull(8)) return denied;
  Session s = Decode(*row);
  Micros now = clock_.Now();
  if (now >= s.expires_at || now >= s.last_seen_at + options_.idle_timeout) return denied;
  if (now - s.last_seen_at >= options_.touch_interval) {
    RETURN_IF_ERROR(store_.Write([&](store::Txn& t) {
      return t.Exec(kTouch, {s.id.value, now}).status();
    }));
    s.last_seen_at = now;
  }
  return s;
}

Status SessionService::Revoke(UserId user, SessionId id) {
  Micros now = clock_.Now();
  return store_.Write([&](store::Txn& t) -> Status {
    ASSIGN_OR_RETURN(int64_t n, t.Exec(kRevoke, {id.value, user.value, now}));
    if (n == 0) return NotFound("session " + std::to_string(id.value) + " not found");
    return Status::Ok();
  });
}

Result<int64_t> SessionService::RevokeAll(UserId user, std::optional<SessionId> keep) {
  Micros now = clock_.Now();
  return store_.Write([&](store::Txn& t) {
    return t.Exec(kRevokeAll, {user.value, now, keep ? keep->value : int64_t{0}});
  });
}

Result<int64_t> SessionService::Purge() {
  Micros cutoff = clock_.Now() - 30 * kMicrosPerDay;
  return store_.Write([&](store::Txn& t) {
    return t.Exec(
        "DELETE FROM sessions WHERE expires_at < $1 OR revoked_at < $1 OR last_seen_at < $2",
        {cutoff, cutoff - options_.idle_timeout});
  });
}

Result<std::vector<Session>> SessionService::List(UserId user) {
  Micros now = clock_.Now();
  std::string sql = "SELECT " + std::string(kColumns) +
                    " FROM sessions WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2 "
                    "AND last_seen_at > $3 ORDER BY id DESC";
  return store_.Read([&](store::Txn& t) -> Result<std::vector<Session>> {
    ASSIGN_OR_RETURN(auto rows, t.Query(sql, {user.value, now, now - options_.idle_timeout}));
    std::vector<Session> out;
    for (const auto& r : rows) out.push_back(Decode(r));
    return out;
  });
}

}  // namespace rapport::auth
