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

std::vector<RoutePolicy> RegisterRoutes(Router& router, ApiContext& ctx) {
  Routes routes(router, ctx.auth);
  AddOpsRoutes(routes, ctx);
  AddSecurityRoutes(routes, ctx);
  AddContactRoutes(routes, ctx);
  AddCompanyRoutes(routes, ctx);
  AddFieldRoutes(routes, ctx);
  AddTagRoutes(routes, ctx);
  AddOrderRoutes(routes, ctx);
  AddSegmentRoutes(routes, ctx);
  AddActivityRoutes(routes, ctx);
  return routes.list();
}

}  // namespace rapport::http::api
