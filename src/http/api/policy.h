// Authorisation of the REST API, enforced in one place before any handler runs.
//
// Every API route is registered through Routes::Add with a Policy; there is no way to add
// one without (and a unit test walks the Router to prove every route has one). The guard
// wrapped around each handler:
//   1. public routes run as they are (the explicit list: health, readiness, metrics,
//      OpenAPI, login);
//   2. otherwise authenticates `Authorization: Bearer <API key>` or the session cookie
//      (401 without either), requires X-CSRF-Token on cookie-authenticated unsafe
//      requests (403), picks the workspace (X-Workspace for users in several; 404 for one
//      they are not a member of) and sets Request::principal;
//   3. looks the (resource, action) up in auth::PermissionMatrix for the principal's role
//      (403 when denied);
//   4. runs unsafe requests inside one store transaction together with their audit entry:
//      the record is read before (through the route's GET sibling), the handler's service
//      writes nest as savepoints, the record is read again, and the changed fields are
//      stored with who and when. Members' "own records only" grant is checked on the
//      before and after state in the same transaction (403, nothing changes).
// Thread-safe once registration is over.
#pragma once

#include <string>
#include <vector>

#include "auth/api_keys.h"
#include "auth/rate_limit.h"
#include "auth/roles.h"
#include "auth/sessions.h"
#include "auth/users.h"
#include "common/clock.h"
#include "http/http.h"
#include "store/store.h"

namespace rapport::http::api {

struct Policy {
  enum class Kind {
    kPublic,         // no credentials needed
    kAuthenticated,  // any valid session or API key, any role
    kSession,        // a signed-in user (session cookie); API keys get 403
    kRole,           // PermissionMatrix decides for (resource, action)
  };
  Kind kind = Kind::kRole;
  auth::Resource resource = auth::Resource::kSettings;
  auth::Action action = auth::Action::kRead;
  const char* audit_action = nullptr;  // overrides create/update/delete in the audit log
  // Creates are audited by id without a copy of the record: for immutable records (the
  // activity log) the record itself is the history, and a copy would outlive its erasure.
  bool audit_by_reference = false;

  // Names the audit action ("revoke") instead of the derived create/update/delete.
  Policy AuditAs(const char* action_name) const {
    Policy p = *this;
    p.audit_action = action_name;
    return p;
  }
  Policy AuditByReference() const {
    Policy p = *this;
    p.audit_by_reference = true;
    return p;
  }
  std::string Describe() const;
};

inline Policy Public() { return {Policy::Kind::kPublic}; }
inline Policy AnyPrincipal() { return {Policy::Kind::kAuthenticated}; }
inline Policy SignedInUser() { return {Policy::Kind::kSession}; }
inline Policy Allow(auth::Resource r, auth::Action a) { return {Policy::Kind::kRole, r, a}; }
inline Policy Read(auth::Resource r) { return Allow(r, auth::Action::kRead); }
inline Policy Create(auth::Resource r) { return Allow(r, auth::Action::kCreate); }
inline Policy Update(auth::Resource r) { return Allow(r, auth::Action::kUpdate); }
inline Policy Delete(auth::Resource r) { return Allow(r, auth::Action::kDelete); }

struct AuthOptions {
  bool tls = false;          // served over TLS: cookies get Secure and the __Host- prefix
  bool trust_proxy = false;  // honour X-Forwarded-Proto / X-Forwarded-For from a proxy
};

struct AuthContext {
  store::Store& store;
  Clock& clock;
  auth::UserService& users;
  auth::SessionService& sessions;
  auth::ApiKeyService& api_keys;
  auth::LoginLimiter& login_limiter;
  AuthOptions options;
};

struct RoutePolicy {
  std::string method, pattern;
  Policy policy;
};

// The API's registration surface: Router::Add plus a mandatory Policy and the guard.
class Routes {
 public:
  Routes(Router& router, AuthContext& auth) : router_(router), auth_(auth) {}
  void Add(std::string method, std::string pattern, Policy policy, Handler handler);
  // The same with a prepare step for a route with a role policy: the work that needs only
  // the request (parsing, decoding, validation). It runs after the permission check and
  // before an unsafe request waits for the single writer, so that work does not hold up
  // every other write; it leaves its result in Request::prepared. A status it returns is
  // the response, and nothing is written.
  using Preparer = std::function<Status(Request&)>;
  void Add(std::string method, std::string pattern, Policy policy, Preparer prepare,
           Handler handler);
  const std::vector<RoutePolicy>& list() const { return list_; }

 private:
  Router& router_;
  AuthContext& auth_;
  std::vector<RoutePolicy> list_;
};

inline constexpr const char* kSessionCookie = "rapport_session";
inline constexpr const char* kSecureSessionCookie = "__Host-rapport_session";
inline constexpr const char* kCsrfHeader = "X-CSRF-Token";
inline constexpr const char* kWorkspaceHeader = "X-Workspace";

// True when the request reached us over https (TLS, or a trusted proxy saying so).
bool IsSecureRequest(const AuthContext& auth, const Request& req);
// The client's address: the socket peer, or the proxy's X-Forwarded-For entry when trusted.
std::string ClientAddress(const AuthContext& auth, const Request& req);
// The session token from the Cookie header; empty when there is none.
std::string SessionTokenOf(const AuthContext& auth, const Request& req);
// Set-Cookie value for a new session (empty token: one that clears the cookie).
std::string SessionCookie(const AuthContext& auth, const Request& req, const std::string& token);

}  // namespace rapport::http::api
