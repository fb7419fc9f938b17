#include "http/api/handler_util.h"
#include "http/api/routes.h"
#include "http/json_body.h"

namespace rapport::http::api {

// Generated from openapi.json by CMake.
extern const char* const kOpenApiJson;

void AddOpsRoutes(Router& router, ApiContext& ctx) {
  router.Add("GET", "/healthz", [](Request&) { return JsonResponse(200, {{"status", "ok"}}); });

  router.Add("GET", "/readyz", [&ctx](Request&) {
    if (!ctx.ready.load()) {
      return ProblemResponse(Unavailable("not ready: starting or shutting down"));
    }
    return JsonResponse(200, {{"status", "ready"}, {"schema_version", ctx.store.schema_version()}});
  });

  router.Add("GET", "/metrics", [&ctx](Request&) {
    Response r;
    r.content_type = "text/plain; version=0.0.4";
    r.body = ctx.metrics.RenderPrometheus();
    return r;
  });

  router.Add("GET", "/api/v1/openapi.json", [](Request&) {
    Response r;
    r.body = kOpenApiJson;
    return r;
  });
}

void RegisterRoutes(Router& router, ApiContext& ctx) {
  AddOpsRoutes(router, ctx);
  AddContactRoutes(router, ctx);
  AddCompanyRoutes(router, ctx);
  AddFieldRoutes(router, ctx);
  AddTagRoutes(router, ctx);
  AddActivityRoutes(router, ctx);
}

}  // namespace rapport::http::api
