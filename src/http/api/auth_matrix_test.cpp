// The authorization matrix, generated from the route table: every registered route × every
// role × own/other workspace × no credentials, asserting the documented status
// (docs/security.md): 401 without credentials, 403 when the role's grant is deny, 404 for
// an id of another workspace, 2xx otherwise. Runs in process over a TempStore.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <set>

#include "auth/audit.h"
#include "auth/secrets.h"
#include "http/api/routes.h"
#include "http/problem.h"
#include "testing/temp_store.h"

namespace rapport::http::api {
namespace {

namespace json = boost::json;
using auth::Role;

struct Harness {
  rapport::testing::TempStore db;
  SystemClock clock;
  Metrics metrics;
  fields::FieldService fields{db.store(), clock};
  tags::TagService tags{db.store(), clock};
  accounts::CompanyService companies{db.store(), clock};
  contacts::ContactService contacts{db.store(), clock};
  activity::ActivityService activities{db.store(), clock, contacts};
  orders::ProductService products{db.store(), clock};
  orders::OrderService orders{db.store(), clock, contacts, activities};
  segments::LiveSegments live{db.store(), clock, activities};
  segments::SegmentService segments{db.store(), clock, activities, live};
  idempotency::IdempotencyService idempotency{db.store(), clock};
  auth::ApiKeyService api_keys{db.store(), clock};
  auth::UserService users{db.store(), clock};
  auth::SessionService sessions{db.store(), clock};
  auth::LoginLimiter limiter{clock};
  std::atomic<bool> ready{true};
  AuthContext auth{db.store(), clock, users, sessions, api_keys, limiter, {}};
  ApiContext ctx{db.store(), metrics, contacts, companies, fields, tags, idempotency,
                 activities, orders,  products, segments,  ready,  auth};
  Router router;
  std::vector<RoutePolicy> policies = RegisterRoutes(router, ctx);

  WorkspaceId ws_a = kDefaultWorkspace;
  WorkspaceId ws_b = auth::EnsureWorkspace(db.store(), clock, "other").value();
  std::map<std::pair<int64_t, Role>, std::string> keys;  // (workspace, role) -> API key
  int counter = 0;

  Harness() {
    for (WorkspaceId ws : {ws_a, ws_b}) {
      for (Role r : auth::kAllRoles)
        keys[{ws.value, r}] = api_keys.Create(ws, auth::RoleName(r), "m")->secret;
    }
  }

  std::string Unique(const char* prefix) { return prefix + std::to_string(++counter); }

  Response Call(const std::string& method, const std::string& path, std::string body,
                std::vector<std::pair<std::string, std::string>> headers) {
    Request req;
    req.method = method;
    req.target = req.path = path;
    req.body = std::move(body);
    req.headers = std::move(headers);
    req.remote_address = "127.0.0.1";
    req.request_id = "matrix";
    Router::Match m = router.Find(method, path);
    if (!m.handler) return ProblemResponse(m.status, "no route");
    req.route = m.pattern;
    req.path_params = std::move(m.params);
    return (*m.handler)(req);
  }

  Response As(WorkspaceId ws, Role role, const std::string& method, const std::string& path,
              const std::string& body = "") {
    return Call(method, path, body, {{"Authorization", "Bearer " + keys[{ws.value, role}]}});
  }

  // Creates a record of the kind a path segment names ("contacts") in `ws`; its id.
  std::optional<int64_t> Make(std::string_view collection, WorkspaceId ws) {
    auto post = [&](const std::string& path, json::object body) -> std::optional<int64_t> {
      Response r = As(ws, Role::kOwner, "POST", path, json::serialize(body));
      EXPECT_LT(r.status, 300) << path << " " << r.body;
      if (r.status >= 300) return std::nullopt;
      return json::parse(r.body).as_object().at("id").as_int64();
    };
    if (collection == "contacts") {
      return post("/api/v1/contacts",
                  {{"email", Unique("c") + "@example.com"}, {"tags", json::array{"t1"}}});
    }
    if (collection == "companies")
      return post("/api/v1/companies", {{"name", Unique("Co")}, {"tags", json::array{"t1"}}});
    if (collection == "tags") return post("/api/v1/tags", {{"name", Unique("tag")}});
    if (collection == "custom-fields") {
      return post("/api/v1/custom-fields",
                  {{"entity", "contact"}, {"key", Unique("f")}, {"label", "F"}, {"type", "text"}});
    }
    if (collection == "activities") {
      auto contact = Make("contacts", ws);
      return post("/api/v1/activities",
                  {{"contact_id", *contact}, {"type", "note"}, {"properties", {{"body", "hi"}}}});
    }
    if (collection == "api-keys") return api_keys.Create(ws, "viewer", "fixture")->key.id.value;
    if (collection == "users") {
      return users.Add(ws, Unique("u") + "@example.com", std::nullopt, Role::kViewer, std::nullopt)
          ->user.id.value;
    }
    return std::nullopt;
  }

  // A request body that the route accepts; nullopt when the test knows none (then only
  // authorisation is checked: not 401/403).
  std::optional<std::string> Body(const std::string& method, const std::string& pattern) {
    if (method == "GET" || method == "DELETE") return "";
    std::map<std::string, json::object> bodies = {
        {"POST /api/v1/contacts", {{"email", Unique("n") + "@example.com"}}},
        {"POST /api/v1/contacts/batch",
         {{"contacts", json::array{json::object{{"email", Unique("b") + "@example.com"}}}}}},
        {"PATCH /api/v1/contacts/{id}", {{"first_name", "Zed"}}},
        {"POST /api/v1/contacts/{id}/tags", {{"tags", json::array{"t2"}}}},
        {"POST /api/v1/companies", {{"name", Unique("New Co")}}},
        {"PATCH /api/v1/companies/{id}", {{"industry", "retail"}}},
        {"POST /api/v1/companies/{id}/tags", {{"tags", json::array{"t2"}}}},
        {"POST /api/v1/custom-fields",
         {{"entity", "company"}, {"key", Unique("k")}, {"label", "K"}, {"type", "text"}}},
        {"PATCH /api/v1/custom-fields/{id}", {{"label", "L"}}},
        {"POST /api/v1/tags", {{"name", Unique("newtag")}}},
        {"PATCH /api/v1/tags/{id}", {{"name", Unique("renamed")}}},
        {"POST /api/v1/api-keys", {{"name", "k"}, {"role", "viewer"}}},
        {"POST /api/v1/users",
         {{"email", Unique("nu") + "@example.com"},
          {"role", "viewer"},
          {"password", "violet-kettle-41"}}},
        {"PATCH /api/v1/users/{id}", {{"role", "member"}}},
        {"POST /api/v1/activity-types",
         {{"name", Unique("type_")}, {"label", "T"}, {"schema", {{"properties", json::object{}}}}}},
        {"POST /api/v1/auth/login", {}},
    };
    auto it = bodies.find(method + " " + pattern);
    if (it == bodies.end()) return std::nullopt;
    return json::serialize(it->second);
  }

  // The pattern with its parameters filled from records of `ws`; nullopt if the test
  // cannot make one.
  std::optional<std::string> Path(const std::string& pattern, WorkspaceId ws) {
    std::string out;
    std::string prev;
    size_t pos = 0;
    while (pos < pattern.size()) {
      size_t slash = pattern.find('/', pos + 1);
      std::string seg =
          pattern.substr(pos + 1, slash == std::string::npos ? std::string::npos : slash - pos - 1);
      if (seg == "{id}") {
        auto id = Make(prev, ws);
        if (!id) return std::nullopt;
        seg = std::to_string(*id);
      } else if (seg == "{name}") {
        seg = "t1";
      }
      out += "/" + seg;
      prev = seg;
      if (slash == std::string::npos) break;
      pos = slash;
    }
    return out;
  }
};

TEST(AuthMatrix, EveryRouteHasAPolicyAndPublicRoutesAreAnExplicitList) {
  Harness h;
  std::set<std::pair<std::string, std::string>> declared;
  for (const auto& p : h.policies) declared.insert({p.method, p.pattern});
  for (const auto& e : h.router.Entries()) {
    EXPECT_TRUE(declared.count({e.method, e.pattern}))
        << "route without a policy: " << e.method << " " << e.pattern;
  }
  std::set<std::string> public_routes;
  for (const auto& p : h.policies) {
    if (p.policy.kind == Policy::Kind::kPublic) public_routes.insert(p.method + " " + p.pattern);
  }
  EXPECT_EQ(public_routes,
            (std::set<std::string>{"GET /healthz", "GET /readyz", "GET /metrics",
                                   "GET /api/v1/openapi.json", "POST /api/v1/auth/login"}));
}

TEST(AuthMatrix, EveryRouteEveryRoleOwnAndOtherWorkspace) {
  Harness h;
  int checked = 0;
  for (const RoutePolicy& rp : h.policies) {
    const std::string& method = rp.method;
    const std::string& pattern = rp.pattern;
    const Policy& policy = rp.policy;
    SCOPED_TRACE(method + " " + pattern + " [" + policy.Describe() + "]");
    bool has_id = pattern.find("{id}") != std::string::npos;

    if (policy.kind == Policy::Kind::kPublic) {
      Response r = h.Call(method, pattern, h.Body(method, pattern).value_or("{}"), {});
      EXPECT_NE(r.status, 401) << r.body;
      EXPECT_NE(r.status, 403) << r.body;
      ++checked;
      continue;
    }
    // No credentials (and a wrong key): 401.
    std::string any_path = has_id ? pattern.substr(0, pattern.find("{id}")) + "1" +
                                        pattern.substr(pattern.find("{id}") + 4)
                                  : pattern;
    EXPECT_EQ(h.Call(method, any_path, "{}", {}).status, 401);
    EXPECT_EQ(h.Call(method, any_path, "{}", {{"Authorization", "Bearer rk_nope_nope"}}).status,
              401);
    EXPECT_EQ(h.Call(method, any_path, "{}", {{"Cookie", "rapport_session=forged"}}).status, 401);

    for (Role role : auth::kAllRoles) {
      SCOPED_TRACE(auth::RoleName(role));
      int expected_denied = 0;
      if (policy.kind == Policy::Kind::kSession) {
        expected_denied = 403;  // API keys are not users
      } else if (policy.kind == Policy::Kind::kRole &&
                 auth::Decide(role, policy.resource, policy.action) == auth::Grant::kDeny) {
        expected_denied = 403;
      }
      auto own = h.Path(pattern, h.ws_a);
      auto body = h.Body(method, pattern);
      if (expected_denied) {
        Response r = h.As(h.ws_a, role, method, own.value_or(any_path), body.value_or("{}"));
        EXPECT_EQ(r.status, expected_denied) << r.body;
        // The other workspace's ids get the same answer: nothing to learn from it.
        if (has_id) {
          auto other = h.Path(pattern, h.ws_b);
          if (other) {
            EXPECT_EQ(h.As(h.ws_a, role, method, *other, body.value_or("{}")).status,
                      expected_denied);
          }
        }
        ++checked;
        continue;
      }
      if (own && body) {
        Response r = h.As(h.ws_a, role, method, *own, *body);
        EXPECT_GE(r.status, 200) << r.body;
        EXPECT_LT(r.status, 300) << r.body;
      } else {
        Response r = h.As(h.ws_a, role, method, own.value_or(any_path), body.value_or("{}"));
        EXPECT_NE(r.status, 401) << r.body;
        EXPECT_NE(r.status, 403) << r.body;
      }
      if (has_id) {
        auto other = h.Path(pattern, h.ws_b);
        if (other) {
          Response r = h.As(h.ws_a, role, method, *other, body.value_or("{}"));
          EXPECT_EQ(r.status, 404) << *other << " " << r.body;
        }
      }
      ++checked;
    }
  }
  EXPECT_GT(checked, 200);
}

TEST(AuthMatrix, SessionsCsrfWorkspaceSelectionAndOwnRecords) {
  Harness h;
  auto ana =
      h.users.Add(h.ws_a, "ana@example.com", std::nullopt, Role::kMember, std::nullopt)->user;
  ASSERT_TRUE(h.users.Add(h.ws_b, "ana@example.com", std::nullopt, Role::kViewer, std::nullopt)
                  .has_value());
  auto bob =
      h.users.Add(h.ws_a, "bob@example.com", std::nullopt, Role::kMember, std::nullopt)->user;
  auto s = h.sessions.Create(ana.id, "", "").value();
  auto cookie =
      std::pair<std::string, std::string>{"Cookie", "other=1; rapport_session=" + s.token};
  auto csrf = std::pair<std::string, std::string>{"X-CSRF-Token", s.csrf_token};

  // Reads need no CSRF token; unsafe requests do.
  EXPECT_EQ(h.Call("GET", "/api/v1/contacts", "", {cookie}).status, 200);
  std::string body = R"({"email":"z@example.com"})";
  EXPECT_EQ(h.Call("POST", "/api/v1/contacts", body, {cookie}).status, 403);
  EXPECT_EQ(h.Call("POST", "/api/v1/contacts", body, {cookie, {"X-CSRF-Token", "wrong"}}).status,
            403);
  Response created = h.Call("POST", "/api/v1/contacts", body, {cookie, csrf});
  ASSERT_EQ(created.status, 201) << created.body;
  int64_t unassigned = json::parse(created.body).as_object().at("id").as_int64();

  // Workspace selection: the first membership by default, X-Workspace by id or name, 404
  // for a workspace the user is not in.
  EXPECT_EQ(h.Call("POST", "/api/v1/contacts", R"({"email":"y@example.com"})",
                   {cookie, csrf, {"X-Workspace", "other"}})
                .status,
            403);  // a viewer there
  EXPECT_EQ(h.Call("GET", "/api/v1/contacts/" + std::to_string(unassigned), "",
                   {cookie, {"X-Workspace", "other"}})
                .status,
            404);
  EXPECT_EQ(h.Call("GET", "/api/v1/contacts", "", {cookie, {"X-Workspace", "nope"}}).status, 404);
  EXPECT_EQ(
      h.Call("GET", "/api/v1/contacts", "", {cookie, {"X-Workspace", std::to_string(h.ws_b.value)}})
          .status,
      200);

  // Members edit records they own or that are unassigned, and cannot give them away.
  auto patch = [&](int64_t id, const std::string& b) {
    return h.Call("PATCH", "/api/v1/contacts/" + std::to_string(id), b, {cookie, csrf}).status;
  };
  EXPECT_EQ(patch(unassigned, R"({"first_name":"A"})"), 200);
  EXPECT_EQ(patch(unassigned, R"({"owner_id":)" + std::to_string(ana.id.value) + "}"),
            200);  // now own
  EXPECT_EQ(patch(unassigned, R"({"first_name":"B"})"), 200);
  EXPECT_EQ(patch(unassigned, R"({"owner_id":)" + std::to_string(bob.id.value) + "}"), 403);
  Response bobs =
      h.As(h.ws_a, Role::kOwner, "POST", "/api/v1/contacts",
           R"({"email":"b@example.com","owner_id":)" + std::to_string(bob.id.value) + "}");
  ASSERT_EQ(bobs.status, 201) << bobs.body;
  int64_t bobs_id = json::parse(bobs.body).as_object().at("id").as_int64();
  EXPECT_EQ(patch(bobs_id, R"({"first_name":"C"})"), 403);
  EXPECT_EQ(
      h.Call("DELETE", "/api/v1/contacts/" + std::to_string(bobs_id), "", {cookie, csrf}).status,
      403);
  EXPECT_EQ(h.Call("GET", "/api/v1/contacts/" + std::to_string(bobs_id), "", {cookie}).status, 200);
  // The denied writes changed nothing and left no audit entry.
  auth::AuditQuery q;
  q.entity = "contact";
  q.entity_id = bobs_id;
  auto entries = auth::QueryAudit(h.db.store(), h.ws_a, q).value();
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].action, "create");
  EXPECT_EQ(entries[0].actor.ToString(), "api_key:1");

  // Session routes: me, list, revoke; an API key is not a user.
  Response me = h.Call("GET", "/api/v1/auth/me", "", {cookie});
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(json::parse(me.body).as_object().at("csrf_token").as_string(), s.csrf_token);
  EXPECT_EQ(h.Call("GET", "/api/v1/auth/sessions", "", {cookie}).status, 200);
  EXPECT_EQ(h.As(h.ws_a, Role::kOwner, "GET", "/api/v1/auth/sessions").status, 403);
  EXPECT_EQ(h.As(h.ws_a, Role::kOwner, "GET", "/api/v1/auth/me").status, 200);
  EXPECT_EQ(h.Call("POST", "/api/v1/auth/logout", "", {cookie}).status, 403);  // CSRF
  EXPECT_EQ(h.Call("POST", "/api/v1/auth/logout", "", {cookie, csrf}).status, 204);
  EXPECT_EQ(h.Call("GET", "/api/v1/contacts", "", {cookie}).status, 401);
}

TEST(AuthMatrix, AuditEntriesForEachWriteKind) {
  Harness h;
  auto owner = [&](const std::string& m, const std::string& p, const std::string& b = "") {
    Response r = h.As(h.ws_a, Role::kOwner, m, p, b);
    EXPECT_LT(r.status, 300) << m << " " << p << " " << r.body;
    return r.body.empty() ? json::value(nullptr) : json::parse(r.body);
  };
  int64_t c = owner("POST", "/api/v1/contacts", R"({"email":"a@example.com","first_name":"Ana"})")
                  .as_object()
                  .at("id")
                  .as_int64();
  owner("PATCH", "/api/v1/contacts/" + std::to_string(c), R"({"first_name":"Anna"})");
  owner("POST", "/api/v1/contacts/" + std::to_string(c) + "/tags", R"({"tags":["vip"]})");
  owner("POST", "/api/v1/contacts/batch",
        R"({"contacts":[{"email":"b1@example.com"},{"email":"b2@example.com"}]})");
  owner("DELETE", "/api/v1/contacts/" + std::to_string(c));
  int64_t key = owner("POST", "/api/v1/api-keys", R"({"name":"zap","role":"member"})")
                    .as_object()
                    .at("id")
                    .as_int64();
  owner("DELETE", "/api/v1/api-keys/" + std::to_string(key));
  int64_t user =
      owner("POST", "/api/v1/users",
            R"({"email":"new@example.com","role":"viewer","password":"violet-kettle-41"})")
          .as_object()
          .at("id")
          .as_int64();
  owner("PATCH", "/api/v1/users/" + std::to_string(user), R"({"role":"manager"})");

  auto entries = auth::QueryAudit(h.db.store(), h.ws_a, {}).value();
  std::vector<std::string> got;
  for (auto it = entries.rbegin(); it != entries.rend(); ++it)
    got.push_back(it->entity + ":" + it->action);
  EXPECT_EQ(got, (std::vector<std::string>{"contact:create", "contact:update", "contact:update",
                                           "contact:create", "contact:create", "contact:delete",
                                           "api_key:create", "api_key:revoke", "user:create",
                                           "user:update"}));
  auto changes = [&](size_t i) {
    return json::parse(*entries[entries.size() - 1 - i].changes).as_object();
  };
  EXPECT_EQ(json::serialize(changes(1)),
            R"({"before":{"first_name":"Ana"},"after":{"first_name":"Anna"}})");
  EXPECT_EQ(json::serialize(changes(2)), R"({"before":{"tags":[]},"after":{"tags":["vip"]}})");
  EXPECT_TRUE(changes(5).at("after").is_null());
  EXPECT_EQ(changes(5).at("before").as_object().at("first_name").as_string(), "Anna");
  // The key's secret never reaches the log.
  EXPECT_FALSE(changes(6).at("after").as_object().contains("key"));
  EXPECT_EQ(json::serialize(changes(9)),
            R"({"before":{"role":"viewer"},"after":{"role":"manager"}})");
  for (const auto& e : entries) EXPECT_EQ(e.actor.ToString(), "api_key:1");
}

}  // namespace
}  // namespace rapport::http::api
