// Sign-in and the security resources: /auth (login, logout, me, sessions, password),
// /api-keys, /users (workspace members and roles) and /audit.
#include <charconv>

#include "auth/audit.h"
#include "auth/passwords.h"
#include "auth/secrets.h"
#include "common/strings.h"
#include "common/time_format.h"
#include "http/api/codec.h"
#include "http/api/handler_util.h"
#include "http/api/policy.h"
#include "http/api/routes.h"
#include "http/json_body.h"
#include "store/keyset.h"

namespace rapport::http::api {
namespace {

namespace json = boost::json;
using auth::Resource;

json::object EncodeUser(const auth::User& u) {
  return {{"id", u.id.value},
          {"email", u.email},
          {"name", OptString(u.name)},
          {"created_at", Timestamp(u.created_at)}};
}

json::object EncodeMember(const auth::Member& m) {
  json::object o = EncodeUser(m.user);
  o["role"] = auth::RoleName(m.role);
  return o;
}

json::object EncodeKey(const auth::ApiKey& k) {
  return {{"id", k.id.value},
          {"name", k.name},
          {"prefix", k.prefix},
          {"role", k.role},
          {"workspace_id", k.workspace.value},
          {"created_at", Timestamp(k.created_at)},
          {"last_used_at", k.last_used_at ? Timestamp(*k.last_used_at) : json::value(nullptr)},
          {"revoked_at", k.revoked_at ? Timestamp(*k.revoked_at) : json::value(nullptr)}};
}

json::object EncodeSession(const auth::Session& s, int64_t current) {
  return {{"id", s.id.value},
          {"created_at", Timestamp(s.created_at)},
          {"last_seen_at", Timestamp(s.last_seen_at)},
          {"expires_at", Timestamp(s.expires_at)},
          {"user_agent", OptString(s.user_agent)},
          {"ip", OptString(s.ip)},
          {"current", s.id.value == current}};
}

json::array EncodeMemberships(const std::vector<auth::Membership>& ms) {
  json::array a;
  for (const auto& m : ms) {
    a.push_back(
        {{"id", m.workspace.value}, {"name", m.workspace_name}, {"role", auth::RoleName(m.role)}});
  }
  return a;
}

// Writes one security event (login, logout, ...) for each of the user's workspaces, or
// once under workspace 0 for an unknown account.
Status AuditEvent(AuthContext& auth, const Request& req, std::optional<UserId> user,
                  std::string action, std::string entity, std::optional<int64_t> entity_id,
                  std::optional<std::string> changes = {}) {
  std::vector<WorkspaceId> workspaces;
  if (user) {
    auto ms = auth.users.Memberships(*user);
    if (ms) {
      for (const auto& m : *ms) workspaces.push_back(m.workspace);
    }
  }
  if (workspaces.empty()) workspaces.push_back(WorkspaceId(0));
  return auth.store.Write([&](store::Txn& t) -> Status {
    for (WorkspaceId ws : workspaces) {
      auth::AuditEntry e;
      e.workspace = ws;
      e.actor = user ? auth::Actor{"user", user->value} : auth::Actor{"anonymous", std::nullopt};
      e.action = action;
      e.entity = entity;
      e.entity_id = entity_id;
      e.changes = changes;
      e.request_id = req.request_id;
      e.ip = ClientAddress(auth, req);
      RETURN_IF_ERROR(auth::RecordAudit(t, e, auth.clock.Now()));
    }
    return Status::Ok();
  });
}

Response TooManyAttempts(Micros wait) {
  Response r = ProblemResponse(
      Status(StatusCode::kResourceExhausted, "too many failed sign-in attempts; try again later"));
  r.SetHeader("Retry-After", std::to_string((wait + kMicrosPerSecond - 1) / kMicrosPerSecond));
  return r;
}

Result<auth::Role> RoleField(const Field<std::string>& f) {
  if (!IsSet(f)) return ValidationFailed({{"role", "is required"}});
  auto role = auth::ParseRole(**f);
  if (!role)
    return ValidationFailed({{"role", "must be one of: owner, admin, manager, member, viewer"}});
  return *role;
}

// Admins manage everyone but owners; only owners grant or take away the owner role.
Status CheckGrant(const Principal& p, auth::Role target) {
  auto mine = auth::ParseRole(p.role);
  if (!mine || !auth::AtLeast(*mine, target)) {
    return Status(StatusCode::kPermissionDenied,
                  std::string("a ") + p.role + " cannot grant the role " + auth::RoleName(target));
  }
  return Status::Ok();
}

void AddAuthRoutes(Routes& routes, ApiContext& ctx) {
  AuthContext& auth = ctx.auth;

  routes.Add("POST", "/api/v1/auth/login", Public(), [&auth](Request& req) {
    return Handle([&]() -> Result<Response> {
      ASSIGN_OR_RETURN(auto body, BodyObject(req));
      Field<std::string> email, password;
      ObjectReader r(body);
      r.Text("email", email);
      r.Text("password", password);
      RETURN_IF_ERROR(r.Finish());
      std::vector<FieldError> missing;
      if (!IsSet(email)) missing.push_back({"email", "is required"});
      if (!IsSet(password)) missing.push_back({"password", "is required"});
      if (!missing.empty()) return ValidationFailed(std::move(missing));
      std::string account = ToLowerAscii(Trim(**email));
      std::string address = ClientAddress(auth, req);
      // Counted as a failure up front, so concurrent guesses cannot overrun the limit.
      if (Micros wait = auth.login_limiter.Begin(account, address)) return TooManyAttempts(wait);
      auto user = auth.users.Authenticate(account, **password);
      if (!user) {
        if (user.error().code() != StatusCode::kUnauthenticated) return user.error();
        // Known accounts get the event in their workspaces; the response is the same.
        auto known = auth.store.Read([&](store::Txn& t) {
          return t.QueryOne("SELECT id FROM users WHERE email = $1", {account});
        });
        std::optional<UserId> uid;
        if (known && *known) uid = UserId((*known)->Int(0));
        RETURN_IF_ERROR(AuditEvent(auth, req, uid, "login_failed", "session", std::nullopt,
                                   json::serialize(json::object{{"email", account}})));
        return Status(StatusCode::kUnauthenticated, "email or password is wrong");
      }
      auth.login_limiter.Succeeded(account, address);
      ASSIGN_OR_RETURN(auto session, auth.sessions.Create(
                                         user->id, req.Header("User-Agent").value_or(""), address));
      RETURN_IF_ERROR(
          AuditEvent(auth, req, user->id, "login", "session", session.session.id.value));
      ASSIGN_OR_RETURN(auto ms, auth.users.Memberships(user->id));
      Response resp =
          Json(200, json::object{{"user", EncodeUser(*user)},
                                 {"workspaces", EncodeMemberships(ms)},
                                 {"csrf_token", session.csrf_token},
                                 {"expires_at", Timestamp(session.session.expires_at)}});
      resp.SetHeader("Set-Cookie", SessionCookie(auth, req, session.token));
      resp.SetHeader("Cache-Control", "no-store");
      return resp;
    });
  });

  routes.Add("POST", "/api/v1/auth/logout", SignedInUser(), [&auth](Request& req) {
    return Handle([&]() -> Result<Response> {
      const Principal& p = *req.principal;
      RETURN_IF_ERROR(auth.sessions.Revoke(UserId(p.user_id), auth::SessionId(p.session_id)));
      RETURN_IF_ERROR(AuditEvent(auth, req, UserId(p.user_id), "logout", "session", p.session_id));
      Response resp = NoContent();
      resp.SetHeader("Set-Cookie", SessionCookie(auth, req, ""));
      return resp;
    });
  });

  routes.Add("GET", "/api/v1/auth/me", AnyPrincipal(), [&auth](Request& req) {
    return Handle([&]() -> Result<Response> {
      const Principal& p = *req.principal;
      json::object out{{"workspace_id", p.workspace}, {"role", p.role}};
      if (p.user_id) {
        ASSIGN_OR_RETURN(auto user, auth.users.Get(UserId(p.user_id)));
        ASSIGN_OR_RETURN(auto ms, auth.users.Memberships(user.id));
        out["user"] = EncodeUser(user);
        out["workspaces"] = EncodeMemberships(ms);
        out["csrf_token"] = auth::CsrfTokenFor(SessionTokenOf(auth, req));
        out["api_key"] = nullptr;
      } else {
        ASSIGN_OR_RETURN(auto keys, auth.api_keys.List(WorkspaceId(p.workspace)));
        out["user"] = nullptr;
        for (const auto& k : keys) {
          if (k.id.value == p.api_key_id) out["api_key"] = EncodeKey(k);
        }
      }
      Response resp = Json(200, out);
      resp.SetHeader("Cache-Control", "no-store");
      return resp;
    });
  });

  routes.Add("GET", "/api/v1/auth/sessions", SignedInUser(), [&auth](Request& req) {
    return Handle([&]() -> Result<Response> {
      ASSIGN_OR_RETURN(auto list, auth.sessions.List(UserId(req.principal->user_id)));
      json::array data;
      for (const auto& s : list) data.push_back(EncodeSession(s, req.principal->session_id));
      return Page(std::move(data), std::nullopt);
    });
  });

  routes.Add("DELETE", "/api/v1/auth/sessions/{id}", SignedInUser(), [&auth](Request& req) {
    return Handle([&]() -> Result<Response> {
      ASSIGN_OR_RETURN(int64_t id, PathId(req, "session"));
      UserId user(req.principal->user_id);
      RETURN_IF_ERROR(auth.sessions.Revoke(user, auth::SessionId(id)));
      RETURN_IF_ERROR(AuditEvent(auth, req, user, "revoke", "session", id));
      Response resp = NoContent();
      if (id == req.principal->session_id)
        resp.SetHeader("Set-Cookie", SessionCookie(auth, req, ""));
      return resp;
    });
  });

  routes.Add("POST", "/api/v1/auth/password", SignedInUser(), [&auth](Request& req) {
    return Handle([&]() -> Result<Response> {
      ASSIGN_OR_RETURN(auto body, BodyObject(req));
      Field<std::string> current, next;
      ObjectReader r(body);
      r.Text("current_password", current);
      r.Text("new_password", next);
      RETURN_IF_ERROR(r.Finish());
      std::vector<FieldError> missing;
      if (!IsSet(current)) missing.push_back({"current_password", "is required"});
      if (!IsSet(next)) missing.push_back({"new_password", "is required"});
      if (!missing.empty()) return ValidationFailed(std::move(missing));
      UserId user(req.principal->user_id);
      ASSIGN_OR_RETURN(auto u, auth.users.Get(user));
      std::string address = ClientAddress(auth, req);
      if (Micros wait = auth.login_limiter.Begin(u.email, address)) return TooManyAttempts(wait);
      ASSIGN_OR_RETURN(bool ok, auth.users.CheckPassword(user, **current));
      if (!ok) return ValidationFailed({{"current_password", "is wrong"}});
      auth.login_limiter.Succeeded(u.email, address);
      RETURN_IF_ERROR(auth.users.SetPassword(user, **next));
      ASSIGN_OR_RETURN(int64_t revoked,
                       auth.sessions.RevokeAll(user, auth::SessionId(req.principal->session_id)));
      RETURN_IF_ERROR(AuditEvent(auth, req, user, "password_change", "user", user.value,
                                 json::serialize(json::object{{"sessions_revoked", revoked}})));
      return NoContent();
    });
  });

  // API keys of the workspace.
  routes.Add("GET", "/api/v1/api-keys", Read(Resource::kApiKey), [&auth](Request& req) {
    return Handle([&]() -> Result<Response> {
      ASSIGN_OR_RETURN(auto keys, auth.api_keys.List(WorkspaceOf(req)));
      json::array data;
      for (const auto& k : keys) data.push_back(EncodeKey(k));
      return Page(std::move(data), std::nullopt);
    });
  });

  routes.Add("GET", "/api/v1/api-keys/{id}", Read(Resource::kApiKey), [&auth](Request& req) {
    return Handle([&]() -> Result<Response> {
      ASSIGN_OR_RETURN(int64_t id, PathId(req, "API key"));
      ASSIGN_OR_RETURN(auto keys, auth.api_keys.List(WorkspaceOf(req)));
      for (const auto& k : keys) {
        if (k.id.value == id) return Json(200, EncodeKey(k));
      }
      return NotFound("API key " + std::to_string(id) + " not found");
    });
  });

  routes.Add("POST", "/api/v1/api-keys", Create(Resource::kApiKey), [&auth](Request& req) {
    return Handle([&]() -> Result<Response> {
      ASSIGN_OR_RETURN(auto body, BodyObject(req));
      Field<std::string> name, role;
      ObjectReader r(body);
      r.Text("name", name);
      r.Text("role", role);
      RETURN_IF_ERROR(r.Finish());
      ASSIGN_OR_RETURN(auth::Role want, RoleField(role));
      std::string label = IsSet(name) ? std::string(Trim(**name)) : std::string();
      if (Utf8Length(label) > 200)
        return ValidationFailed({{"name", "must be at most 200 characters"}});
      RETURN_IF_ERROR(CheckGrant(*req.principal, want));
      ASSIGN_OR_RETURN(auto created,
                       auth.api_keys.Create(WorkspaceOf(req), auth::RoleName(want), label));
      json::object out = EncodeKey(created.key);
      out["key"] = created.secret;
      Response resp =
          Json(201, out, std::nullopt, "/api/v1/api-keys/" + std::to_string(created.key.id.value));
      resp.SetHeader("Cache-Control", "no-store");
      return resp;
    });
  });

  routes.Add("DELETE", "/api/v1/api-keys/{id}", Delete(Resource::kApiKey).AuditAs("revoke"),
             [&auth](Request& req) {
               return Handle([&]() -> Result<Response> {
                 ASSIGN_OR_RETURN(int64_t id, PathId(req, "API key"));
                 RETURN_IF_ERROR(auth.api_keys.Revoke(WorkspaceOf(req), ApiKeyId(id)));
                 return NoContent();
               });
             });

  // Members of the workspace and their roles.
  routes.Add("GET", "/api/v1/users", Read(Resource::kUser), [&auth](Request& req) {
    return Handle([&]() -> Result<Response> {
      ASSIGN_OR_RETURN(auto members, auth.users.Members(WorkspaceOf(req)));
      json::array data;
      for (const auto& m : members) data.push_back(EncodeMember(m));
      return Page(std::move(data), std::nullopt);
    });
  });

  routes.Add("GET", "/api/v1/users/{id}", Read(Resource::kUser), [&auth](Request& req) {
    return Handle([&]() -> Result<Response> {
      ASSIGN_OR_RETURN(int64_t id, PathId(req, "user"));
      ASSIGN_OR_RETURN(auto m, auth.users.GetMember(WorkspaceOf(req), UserId(id)));
      return Json(200, EncodeMember(m));
    });
  });

  routes.Add("POST", "/api/v1/users", Create(Resource::kUser), [&auth](Request& req) {
    return Handle([&]() -> Result<Response> {
      ASSIGN_OR_RETURN(auto body, BodyObject(req));
      Field<std::string> email, name, role, password;
      ObjectReader r(body);
      r.Text("email", email);
      r.Text("name", name);
      r.Text("role", role);
      r.Text("password", password);
      RETURN_IF_ERROR(r.Finish());
      if (!IsSet(email)) return ValidationFailed({{"email", "is required"}});
      ASSIGN_OR_RETURN(auth::Role want, RoleField(role));
      RETURN_IF_ERROR(CheckGrant(*req.principal, want));
      std::optional<std::string> pw =
          IsSet(password) ? std::optional<std::string>(**password) : std::nullopt;
      bool generated = false;
      // A new user without a password gets a one-time password in this response only.
      auto existing = auth.store.Read([&](store::Txn& t) {
        return t.QueryOne("SELECT id FROM users WHERE email = $1", {ToLowerAscii(Trim(**email))});
      });
      if (!pw && existing && !*existing) {
        pw = auth::GeneratePassword();
        generated = true;
      }
      if (existing && *existing) {
        auto member = auth.users.GetMember(WorkspaceOf(req), UserId((*existing)->Int(0)));
        if (member) return AlreadyExists("user is already a member", member->user.id.value);
        pw.reset();  // an existing user keeps their password
      }
      ASSIGN_OR_RETURN(auto added, auth.users.Add(WorkspaceOf(req), **email,
                                                  IsSet(name) ? *name : std::nullopt, want, pw));
      json::object out = EncodeUser(added.user);
      out["role"] = auth::RoleName(want);
      if (generated) out["password"] = *pw;
      Response resp =
          Json(201, out, std::nullopt, "/api/v1/users/" + std::to_string(added.user.id.value));
      resp.SetHeader("Cache-Control", "no-store");
      return resp;
    });
  });

  routes.Add("PATCH", "/api/v1/users/{id}", Update(Resource::kUser), [&auth](Request& req) {
    return Handle([&]() -> Result<Response> {
      ASSIGN_OR_RETURN(int64_t id, PathId(req, "user"));
      ASSIGN_OR_RETURN(auto body, BodyObject(req));
      Field<std::string> role;
      ObjectReader r(body);
      r.Text("role", role);
      RETURN_IF_ERROR(r.Finish());
      ASSIGN_OR_RETURN(auth::Role want, RoleField(role));
      ASSIGN_OR_RETURN(auto current, auth.users.GetMember(WorkspaceOf(req), UserId(id)));
      RETURN_IF_ERROR(CheckGrant(*req.principal, current.role));
      RETURN_IF_ERROR(CheckGrant(*req.principal, want));
      RETURN_IF_ERROR(auth.users.SetRole(WorkspaceOf(req), UserId(id), want));
      ASSIGN_OR_RETURN(auto m, auth.users.GetMember(WorkspaceOf(req), UserId(id)));
      return Json(200, EncodeMember(m));
    });
  });

  routes.Add("DELETE", "/api/v1/users/{id}", Delete(Resource::kUser), [&auth](Request& req) {
    return Handle([&]() -> Result<Response> {
      ASSIGN_OR_RETURN(int64_t id, PathId(req, "user"));
      ASSIGN_OR_RETURN(auto current, auth.users.GetMember(WorkspaceOf(req), UserId(id)));
      RETURN_IF_ERROR(CheckGrant(*req.principal, current.role));
      RETURN_IF_ERROR(auth.users.RemoveMember(WorkspaceOf(req), UserId(id)));
      return NoContent();
    });
  });

  routes.Add("GET", "/api/v1/audit", Read(Resource::kAudit), [&auth](Request& req) {
    return Handle([&]() -> Result<Response> {
      auth::AuditQuery q;
      ASSIGN_OR_RETURN(q.limit, store::ParseLimit(req.Query("limit")));
      q.entity = QueryText(req, "entity");
      if (auto id = req.Query("id")) {
        int64_t v = 0;
        auto [p, ec] = std::from_chars(id->data(), id->data() + id->size(), v);
        if (ec != std::errc() || p != id->data() + id->size()) {
          return InvalidArgument("id must be an integer", {{"id", "must be an integer"}});
        }
        q.entity_id = v;
      }
      if (auto a = req.Query("actor")) {
        q.actor = auth::ParseActor(*a);
        if (!q.actor) {
          return InvalidArgument(
              "actor must be user:<id>, api_key:<id>, system or anonymous",
              {{"actor", "must be user:<id>, api_key:<id>, system or anonymous"}});
        }
      }
      if (auto s = req.Query("since")) {
        q.since = ParseTimestamp(*s);
        if (!q.since)
          return InvalidArgument("since must be an RFC 3339 timestamp",
                                 {{"since", "must be an RFC 3339 timestamp"}});
      }
      if (auto c = req.Query("cursor")) {
        int64_t v = 0;
        auto [p, ec] = std::from_chars(c->data(), c->data() + c->size(), v);
        if (ec != std::errc() || p != c->data() + c->size() || v <= 0)
          return InvalidArgument("cursor is invalid");
        q.before_id = v;
      }
      ASSIGN_OR_RETURN(auto entries, auth::QueryAudit(auth.store, WorkspaceOf(req), q));
      std::optional<std::string> next;
      if (static_cast<int>(entries.size()) > q.limit) {
        entries.pop_back();
        next = std::to_string(entries.back().id);
      }
      json::array data;
      for (const auto& e : entries) {
        json::value changes = nullptr;
        if (e.changes) {
          boost::system::error_code ec;
          changes = json::parse(*e.changes, ec);
          if (ec) changes = nullptr;
        }
        data.push_back(json::object{{"id", e.id},
                                    {"at", Timestamp(e.at)},
                                    {"actor", e.actor.ToString()},
                                    {"action", e.action},
                                    {"entity", e.entity},
                                    {"entity_id", OptInt(e.entity_id)},
                                    {"entity_id_last", OptInt(e.entity_id_last)},
                                    {"changes", std::move(changes)},
                                    {"request_id", OptString(e.request_id)},
                                    {"ip", OptString(e.ip)}});
      }
      return Page(std::move(data), next);
    });
  });
}

}  // namespace

void AddSecurityRoutes(Routes& routes, ApiContext& ctx) { AddAuthRoutes(routes, ctx); }

}  // namespace rapport::http::api
