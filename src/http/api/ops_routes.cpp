#include <stdexcept>

#include "http/api/handler_util.h"
#include "http/api/routes.h"
#include "http/json_body.h"

namespace rapport::http::api {

// Generated from openapi.json by CMake.
extern const char* const kOpenApiJson;

void AddOpsRoutes(Routes& routes, ApiContext& ctx) {
  routes.Add("GET", "/healthz", Public(), [](Request&) {
    return JsonResponse(200, {{"status", "ok"}});
  });

  routes.Add("GET", "/readyz", Public(), [&ctx](Request&) {
    if (!ctx.ready.load()) {
      return ProblemResponse(Unavailable("not ready: starting or shutting down"));
    }
    return JsonResponse(200, {{"status", "ready"}, {"schema_version", ctx.store.schema_version()}});
  });

  routes.Add("GET", "/metrics", Public(), [&ctx](Request&) {
    Response r;
    r.content_type = "text/plain; version=0.0.4";
    r.body = ctx.metrics.RenderPrometheus();
    return r;
  });

  routes.Add("GET", "/api/v1/openapi.json", Public(), [](Request&) {
    Response r;
    r.body = kOpenApiJson;
    return r;
  });
}

namespace {

using auth::Resource;

// Policies of the routes that activity_routes.cpp still registers on a plain Router. Any
// route missing here makes RegisterRoutes throw (and the route-table test fail).
struct LegacyPolicy {
  const char* method;
  const char* pattern;
  Policy policy;
};
const LegacyPolicy kActivityPolicies[] = {
    {"POST", "/api/v1/activities", Create(Resource::kActivity)},
    {"POST", "/api/v1/activities/batch", Create(Resource::kActivity)},
    {"GET", "/api/v1/activities/{id}", Read(Resource::kActivity)},
    {"GET", "/api/v1/activity-types", Read(Resource::kActivity)},
    {"POST", "/api/v1/activity-types", Create(Resource::kCustomField)},
    {"GET", "/api/v1/contacts/{id}/overview", Read(Resource::kContact)},
    {"GET", "/api/v1/companies/{id}/overview", Read(Resource::kCompany)},
    {"GET", "/api/v1/contacts/{id}/timeline", Read(Resource::kActivity)},
    {"GET", "/api/v1/companies/{id}/timeline", Read(Resource::kActivity)},
};

}  // namespace

std::vector<RoutePolicy> RegisterRoutes(Router& router, ApiContext& ctx) {
  Routes routes(router, ctx.auth);
  AddOpsRoutes(routes, ctx);
  AddSecurityRoutes(routes, ctx);
  AddContactRoutes(routes, ctx);
  AddCompanyRoutes(routes, ctx);
  AddFieldRoutes(routes, ctx);
  AddTagRoutes(routes, ctx);
  AddOrderRoutes(routes, ctx);

  Router legacy;
  AddActivityRoutes(legacy, ctx);
  for (auto& e : legacy.Entries()) {
    const LegacyPolicy* found = nullptr;
    for (const auto& p : kActivityPolicies) {
      if (e.method == p.method && e.pattern == p.pattern) found = &p;
    }
    if (!found) throw std::logic_error("route without a policy: " + e.method + " " + e.pattern);
    routes.Add(e.method, e.pattern, found->policy, std::move(e.handler));
  }
  return routes.list();
}

}  // namespace rapport::http::api
