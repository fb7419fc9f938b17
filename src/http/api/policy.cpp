// The guard around every API handler: authentication, CSRF, workspace selection, the
// permission matrix, and the audited write transaction (see policy.h).
#include "http/api/policy.h"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>

#include "auth/audit.h"
#include "auth/secrets.h"
#include "common/log.h"
#include "common/strings.h"
#include "http/problem.h"

namespace rapport::http::api {
namespace {

namespace json = boost::json;

bool IsUnsafe(std::string_view method) {
  return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

Response Unauthenticated(std::string detail) {
  Response r = ProblemResponse(Status(StatusCode::kUnauthenticated, std::move(detail)));
  r.SetHeader("WWW-Authenticate", "Bearer realm=\"rapport\"");
  return r;
}

Response Forbidden(std::string detail) {
  return ProblemResponse(Status(StatusCode::kPermissionDenied, std::move(detail)));
}

std::optional<int64_t> ParsePositive(std::string_view s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v <= 0) return std::nullopt;
  return v;
}

// The first value of a comma-separated header, trimmed.
std::string_view FirstToken(std::string_view v) { return Trim(v.substr(0, v.find(','))); }

// Authenticates `req` and fills req.principal; returns a response to send instead when
// that fails. `via_cookie` tells whether CSRF applies.
std::optional<Response> Authenticate(AuthContext& auth, Request& req, bool& via_cookie) {
  via_cookie = false;
  Principal p;
  auto workspace_header = req.Header(kWorkspaceHeader);
  if (auto authz = req.Header("Authorization")) {
    std::string_view v = Trim(*authz);
    if (v.size() < 7 || ToLowerAscii(v.substr(0, 7)) != "bearer ") {
      return Unauthenticated("use Authorization: Bearer <API key>");
    }
    auto key = auth.api_keys.Verify(Trim(v.substr(7)));
    if (!key) {
      if (key.error().code() == StatusCode::kUnauthenticated)
        return Unauthenticated(key.error().message());
      return ProblemResponse(key.error());
    }
    p.workspace = key->workspace.value;
    p.role = key->role;
    p.api_key_id = key->id.value;
    if (workspace_header) {
      std::string_view w = Trim(*workspace_header);
      bool same = ParsePositive(w) == std::optional<int64_t>(p.workspace);
      if (!same) {
        auto name = auth::WorkspaceName(auth.store, key->workspace);
        same = name && *name == w;
      }
      if (!same) return ProblemResponse(NotFound("workspace " + std::string(w) + " not found"));
    }
    req.principal = p;
    return std::nullopt;
  }
  std::string token = SessionTokenOf(auth, req);
  if (token.empty()) return Unauthenticated("sign in or send an API key");
  auto session = auth.sessions.Verify(token);
  if (!session) {
    if (session.error().code() == StatusCode::kUnauthenticated)
      return Unauthenticated(session.error().message());
    return ProblemResponse(session.error());
  }
  via_cookie = true;
  if (IsUnsafe(req.method)) {
    auto csrf = req.Header(kCsrfHeader);
    if (!csrf || !auth::SecretEquals(Trim(*csrf), auth::CsrfTokenFor(token))) {
      return Forbidden(
          "missing or wrong X-CSRF-Token header (GET /api/v1/auth/me returns the token)");
    }
  }
  p.user_id = session->user.value;
  p.session_id = session->id.value;
  auto memberships = auth.users.Memberships(session->user);
  if (!memberships) return ProblemResponse(memberships.error());
  const auth::Membership* chosen = memberships->empty() ? nullptr : &memberships->front();
  if (workspace_header) {
    std::string_view w = Trim(*workspace_header);
    chosen = nullptr;
    for (const auto& m : *memberships) {
      if (ParsePositive(w) == std::optional<int64_t>(m.workspace.value) || m.workspace_name == w)
        chosen = &m;
    }
    if (!chosen) return ProblemResponse(NotFound("workspace " + std::string(w) + " not found"));
  }
  if (chosen) {
    p.workspace = chosen->workspace.value;
    p.role = auth::RoleName(chosen->role);
  }
  req.principal = p;
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------
// Audited writes

// Fields that never go into the audit log.
constexpr std::string_view kRedacted[] = {"key",   "secret",     "password",
                                          "token", "csrf_token", "password_hash"};
bool IsRedacted(std::string_view key) {
  return std::find(std::begin(kRedacted), std::end(kRedacted), key) != std::end(kRedacted);
}
// Fields that change with every write and say nothing on their own.
bool IsNoise(std::string_view key) { return key == "version" || key == "updated_at"; }

json::value Redact(json::value v) {
  if (v.is_object()) {
    json::object& o = v.as_object();
    for (auto it = o.begin(); it != o.end();) {
      if (IsRedacted(it->key())) {
        it = o.erase(it);
      } else {
        ++it;
      }
    }
  }
  return v;
}

// {"before": ..., "after": ...} with only the changed fields for an update.
json::object Diff(const json::value& before, const json::value& after) {
  json::object out;
  if (!before.is_object() || !after.is_object()) {
    out["before"] = Redact(before);
    out["after"] = Redact(after);
    return out;
  }
  json::object b, a;
  const json::object& bo = before.as_object();
  const json::object& ao = after.as_object();
  for (const auto& [k, v] : ao) {
    if (IsRedacted(k) || IsNoise(k)) continue;
    const json::value* old = bo.if_contains(k);
    if (!old || *old != v) {
      b[k] = old ? *old : json::value(nullptr);
      a[k] = v;
    }
  }
  for (const auto& [k, v] : bo) {
    if (IsRedacted(k) || IsNoise(k) || ao.contains(k)) continue;
    b[k] = v;
    a[k] = nullptr;
  }
  out["before"] = std::move(b);
  out["after"] = std::move(a);
  return out;
}

// `v` as JSON text without its redacted fields.
void AppendRedacted(std::string& out, const json::value& v) {
  const json::object* o = v.if_object();
  bool clean = !o || std::none_of(o->begin(), o->end(), [](const json::key_value_pair& kv) {
    return IsRedacted(kv.key());
  });
  out += json::serialize(clean ? v : Redact(v));
}

// json::serialize(Diff(before, after)). A create or delete is written straight from the
// record instead of through a copy of it: batch imports audit thousands of records per
// transaction.
std::string SerializeChange(const json::value& before, const json::value& after) {
  if (before.is_object() && after.is_object()) return json::serialize(Diff(before, after));
  std::string out = "{\"before\":";
  AppendRedacted(out, before);
  out += ",\"after\":";
  AppendRedacted(out, after);
  out += '}';
  return out;
}

// SerializeChange(null, record) for a record's JSON text without redacted fields, without
// parsing it back.
std::string SerializeCreate(std::string_view record) {
  std::string out;
  out.reserve(record.size() + 24);
  out += "{\"before\":null,\"after\":";
  out += record;
  out += '}';
  return out;
}

// The path of the record a route acts on: the route's path up to its "{id}" segment
// ("/api/v1/contacts/7" for "/api/v1/contacts/{id}/tags/{name}"); empty for collections.
std::string RecordPath(const Request& req) {
  std::string_view pattern = req.route;
  size_t at = pattern.find("/{id}");
  if (at == std::string_view::npos) return {};
  auto it = req.path_params.find("id");
  if (it == req.path_params.end()) return {};
  return std::string(pattern.substr(0, at)) + "/" + it->second;
}

// The record's JSON through the route table's GET handler for `path`, as the principal
// sees it; null when it does not exist (or cannot be read).
json::value ReadRecord(const Router& router, const Request& req, const std::string& path) {
  Router::Match m = router.Find("GET", path);
  if (!m.handler) return nullptr;
  Request sub;
  sub.method = "GET";
  sub.target = path;
  sub.path = path;
  sub.route = m.pattern;
  sub.path_params = std::move(m.params);
  sub.request_id = req.request_id;
  sub.remote_address = req.remote_address;
  sub.principal = req.principal;
  Response r = (*m.handler)(sub);
  if (r.status != 200) return nullptr;
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  if (ec) return nullptr;
  return v;
}

// Whether a member may hold a record with this owner: unassigned or their own.
bool OwnerAllows(std::optional<int64_t> owner, int64_t user_id) {
  return !owner || (user_id != 0 && *owner == user_id);
}
bool OwnedBy(const json::value& record, int64_t user_id) {
  if (!record.is_object()) return true;
  const json::value* owner = record.as_object().if_contains("owner_id");
  if (!owner || owner->is_null()) return true;
  return owner->is_int64() && OwnerAllows(owner->as_int64(), user_id);
}

auth::Actor ActorOf(const Principal& p) {
  if (p.api_key_id) return {"api_key", p.api_key_id};
  if (p.user_id) return {"user", p.user_id};
  return {"anonymous", std::nullopt};
}

// An audit entry's who, where and what kind of record, as every entry of a request has them.
auth::AuditEntry EntryFor(const Request& req, const Policy& policy) {
  auth::AuditEntry e;
  e.workspace = WorkspaceId(req.principal->workspace);
  e.actor = ActorOf(*req.principal);
  e.entity = auth::ResourceName(policy.resource);
  e.request_id = req.request_id;
  e.ip = req.remote_address;
  return e;
}

Status RecordChange(store::Txn& txn, AuthContext& auth, const Request& req, const Policy& policy,
                    const json::value& before, const json::value& after) {
  auth::AuditEntry e = EntryFor(req, policy);
  if (policy.audit_action) {
    e.action = policy.audit_action;
  } else if (before.is_null()) {
    e.action = "create";
  } else if (after.is_null()) {
    e.action = "delete";
  } else {
    e.action = "update";
  }
  for (const json::value* v : {&after, &before}) {
    if (e.entity_id || !v->is_object()) continue;
    if (const json::value* id = v->as_object().if_contains("id"); id && id->is_int64())
      e.entity_id = id->as_int64();
  }
  if (!e.entity_id) {
    auto it = req.path_params.find("id");
    if (it != req.path_params.end()) e.entity_id = ParsePositive(it->second);
  }
  if (!(policy.audit_by_reference && before.is_null())) e.changes = SerializeChange(before, after);
  return auth::RecordAudit(txn, e, auth.clock.Now());
}

// One audit entry per (before, after) pair; a member's write that would leave a record
// owned by someone else is refused instead (and the transaction rolled back).
Status RecordChanges(store::Txn& txn, AuthContext& auth, const Request& req, const Policy& policy,
                     auth::Grant grant, int64_t user_id,
                     const std::vector<std::pair<json::value, json::value>>& changes,
                     Response& response) {
  for (const auto& [b, a] : changes) {
    if (grant == auth::Grant::kOwn && !OwnedBy(a, user_id)) {
      response =
          Forbidden("members may assign records only to themselves or leave them unassigned");
      return Aborted("denied");
    }
    RETURN_IF_ERROR(RecordChange(txn, auth, req, policy, b, a));
  }
  return Status::Ok();
}

// True when `json` (an object's text) may hold a redacted member: the text is searched
// rather than parsed, so a match in a nested object or a string only costs a parse.
bool MayHoldRedacted(std::string_view json) {
  return std::any_of(std::begin(kRedacted), std::end(kRedacted), [&](std::string_view k) {
    return json.find("\"" + std::string(k) + "\"") != std::string_view::npos;
  });
}

// A create entry per record the handler reported (Response::written), straight from its
// text; the same refusal as RecordChanges for a member's record owned by someone else.
Status RecordWritten(store::Txn& txn, AuthContext& auth, const Request& req, const Policy& policy,
                     auth::Grant grant, int64_t user_id,
                     const std::vector<Response::Written>& written, Response& response) {
  auth::AuditEntry e = EntryFor(req, policy);
  e.action = policy.audit_action ? policy.audit_action : "create";
  Micros now = auth.clock.Now();
  for (const Response::Written& w : written) {
    if (grant == auth::Grant::kOwn && !OwnerAllows(w.owner_id, user_id)) {
      response =
          Forbidden("members may assign records only to themselves or leave them unassigned");
      return Aborted("denied");
    }
  }
  if (policy.audit_by_reference) {
    // Nothing but the ids to record: one entry per run of consecutive ids (a batch's).
    std::vector<int64_t> ids;
    ids.reserve(written.size());
    for (const Response::Written& w : written) ids.push_back(w.id);
    for (const IdRun& run : ConsecutiveRuns(ids)) {
      e.entity_id = run.first;
      e.entity_id_last = run.last == run.first ? std::nullopt : std::optional(run.last);
      RETURN_IF_ERROR(auth::RecordAudit(txn, e, now));
    }
    return Status::Ok();
  }
  for (const Response::Written& w : written) {
    e.entity_id = w.id;
    if (w.json.empty()) {
      e.changes.reset();
    } else if (MayHoldRedacted(w.json)) {
      boost::system::error_code ec;
      json::value after = json::parse(w.json, ec);
      if (ec) return Internal("the record written is not JSON");
      e.changes = SerializeChange(nullptr, after);
    } else {
      e.changes = SerializeCreate(w.json);
    }
    RETURN_IF_ERROR(auth::RecordAudit(txn, e, now));
  }
  return Status::Ok();
}

// Runs an unsafe request and its audit entries in one transaction (see policy.h).
Response RunAudited(const Router& router, AuthContext& auth, const Policy& policy,
                    auth::Grant grant, Request& req, const Handler& inner) {
  Response response;
  const int64_t user_id = req.principal->user_id;
  Status s = auth.store.Write([&](store::Txn& txn) -> Status {
    // A failed request is rolled back whole (below), so the services' writes need no
    // savepoints of their own.
    txn.JoinNestedWrites();
    std::string record = RecordPath(req);
    json::value before = record.empty() ? json::value(nullptr) : ReadRecord(router, req, record);
    if (grant == auth::Grant::kOwn && !OwnedBy(before, user_id)) {
      response = Forbidden("members may change only records they own or that are unassigned");
      return Aborted("denied");
    }
    response = inner(req);
    if (response.status >= 300) return Aborted("request failed; not audited");
    if (response.Header("Idempotent-Replayed")) return Status::Ok();  // audited the first time
    if (response.unchanged) return Status::Ok();

    std::vector<std::pair<json::value, json::value>> changes;  // (before, after)
    if (record.empty() && !response.written.empty()) {
      std::vector<Response::Written> written = std::move(response.written);
      response.written.clear();
      return RecordWritten(txn, auth, req, policy, grant, user_id, written, response);
    }
    boost::system::error_code ec;
    json::value body =
        response.body.empty() ? json::value(nullptr) : json::parse(response.body, ec);
    if (ec) body = nullptr;
    if (!record.empty()) {
      changes.emplace_back(std::move(before), ReadRecord(router, req, record));
    } else if (body.is_object() && body.as_object().contains("results")) {
      // A batch: one create entry per created item, read from the collection.
      std::string collection = req.path.substr(0, req.path.rfind('/'));
      const json::value& results = body.as_object().at("results");
      if (results.is_array()) {
        for (const json::value& r : results.as_array()) {
          const json::value* id = r.is_object() ? r.as_object().if_contains("id") : nullptr;
          if (!id || !id->is_int64()) continue;
          changes.emplace_back(
              nullptr, ReadRecord(router, req, collection + "/" + std::to_string(id->as_int64())));
        }
      }
    } else {
      json::value after = body;
      const json::value* id = body.is_object() ? body.as_object().if_contains("id") : nullptr;
      if (id && id->is_int64()) {
        json::value read = ReadRecord(router, req, req.path + "/" + std::to_string(id->as_int64()));
        if (!read.is_null()) after = std::move(read);
      }
      changes.emplace_back(nullptr, std::move(after));
    }
    return RecordChanges(txn, auth, req, policy, grant, user_id, changes, response);
  });
  if (!s.ok() && response.status < 300) {
    log::Error("audited write failed", {{"request_id", req.request_id}, {"error", s.message()}});
    return ProblemResponse(s);
  }
  return response;
}

}  // namespace

std::string Policy::Describe() const {
  switch (kind) {
    case Kind::kPublic:
      return "public";
    case Kind::kAuthenticated:
      return "authenticated";
    case Kind::kSession:
      return "session";
    case Kind::kRole:
      return std::string(auth::ResourceName(resource)) + ":" + auth::ActionName(action);
  }
  return "?";
}

void Routes::Add(std::string method, std::string pattern, Policy policy, Handler handler) {
  Add(std::move(method), std::move(pattern), policy, Preparer(), std::move(handler));
}

void Routes::Add(std::string method, std::string pattern, Policy policy, Preparer prepare,
                 Handler handler) {
  list_.push_back({method, pattern, policy});
  const Router& router = router_;
  AuthContext& auth = auth_;
  router_.Add(std::move(method), std::move(pattern),
              [&router, &auth, policy, prepare = std::move(prepare),
               inner = std::move(handler)](Request& req) -> Response {
                if (policy.kind == Policy::Kind::kPublic) return inner(req);
                // A principal is only present on internal sub-requests (ReadRecord); the
                // server never sets one.
                if (!req.principal) {
                  bool via_cookie = false;
                  if (auto denied = Authenticate(auth, req, via_cookie)) return std::move(*denied);
                }
                const Principal& p = *req.principal;
                if (policy.kind == Policy::Kind::kAuthenticated) return inner(req);
                if (policy.kind == Policy::Kind::kSession) {
                  if (!p.user_id)
                    return Forbidden("this endpoint is for signed-in users, not API keys");
                  return inner(req);
                }
                auto role = auth::ParseRole(p.role);
                if (!role) return Forbidden("no role in this workspace");
                auth::Grant grant = auth::Decide(*role, policy.resource, policy.action);
                if (grant == auth::Grant::kDeny) {
                  return Forbidden(std::string("role ") + p.role + " may not " +
                                   auth::ActionName(policy.action) + " " +
                                   auth::ResourceName(policy.resource));
                }
                if (prepare) {
                  if (Status s = prepare(req); !s.ok()) return ProblemResponse(s);
                }
                // A POST that only reads (a preview) changes nothing worth auditing.
                if (!IsUnsafe(req.method) || policy.action == auth::Action::kRead)
                  return inner(req);
                return RunAudited(router, auth, policy, grant, req, inner);
              });
}

bool IsSecureRequest(const AuthContext& auth, const Request& req) {
  if (auth.options.tls) return true;
  if (!auth.options.trust_proxy) return false;
  auto proto = req.Header("X-Forwarded-Proto");
  return proto && ToLowerAscii(FirstToken(*proto)) == "https";
}

std::string ClientAddress(const AuthContext& auth, const Request& req) {
  if (auth.options.trust_proxy) {
    if (auto fwd = req.Header("X-Forwarded-For")) {
      std::string_view v = *fwd;
      size_t comma = v.rfind(',');
      std::string_view last = Trim(comma == std::string_view::npos ? v : v.substr(comma + 1));
      if (!last.empty() && last.size() <= 64) return std::string(last);
    }
  }
  return req.remote_address;
}

std::string SessionTokenOf(const AuthContext& auth, const Request& req) {
  auto cookie = req.Header("Cookie");
  if (!cookie) return {};
  bool secure = IsSecureRequest(auth, req);
  std::string_view rest = *cookie;
  std::string found;
  while (!rest.empty()) {
    size_t semi = rest.find(';');
    std::string_view pair = Trim(rest.substr(0, semi));
    rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
    size_t eq = pair.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view name = Trim(pair.substr(0, eq));
    std::string_view value = Trim(pair.substr(eq + 1));
    // Over https only the __Host- cookie counts (it cannot be planted by a sibling domain
    // or over http).
    if (name == kSecureSessionCookie || (!secure && name == kSessionCookie))
      found = std::string(value);
  }
  return found;
}

std::string SessionCookie(const AuthContext& auth, const Request& req, const std::string& token) {
  bool secure = IsSecureRequest(auth, req);
  std::string c = std::string(secure ? kSecureSessionCookie : kSessionCookie) + "=" + token +
                  "; Path=/; HttpOnly; SameSite=Lax";
  if (secure) c += "; Secure";
  if (token.empty()) {
    c += "; Max-Age=0";
  } else {
    c += "; Max-Age=" + std::to_string(auth.sessions.options().lifetime / kMicrosPerSecond);
  }
  return c;
}

}  // namespace rapport::http::api
