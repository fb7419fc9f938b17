#include "http/api/codec.h"
#include "http/api/codecs.h"
#include "http/api/handler_util.h"
#include "http/api/routes.h"

namespace rapport::http::api {
namespace {

namespace json = boost::json;

// The {"name": "..."} body of tag create and rename.
Result<std::string> TagName(const Request& req) {
  ASSIGN_OR_RETURN(auto body, BodyObject(req));
  Field<std::string> name;
  ObjectReader r(body);
  r.Text("name", name);
  RETURN_IF_ERROR(r.Finish());
  if (!IsSet(name)) return ValidationFailed({{"name", "is required"}});
  return **name;
}

}  // namespace

void AddTagRoutes(Routes& routes, ApiContext& ctx) {
  auto& svc = ctx.tags;

  routes.Add("GET", "/api/v1/tags", Read(auth::Resource::kTag), [&svc](Request& req) {
    return Handle([&]() -> Result<Response> {
      ASSIGN_OR_RETURN(auto list, svc.List(WorkspaceOf(req)));
      json::array data;
      for (const auto& t : list) data.push_back(EncodeTag(t));
      return Page(std::move(data), std::nullopt);
    });
  });

  routes.Add("POST", "/api/v1/tags", Create(auth::Resource::kTag),
             Idempotent(ctx.idempotency, [&svc](Request& req) {
               return Handle([&]() -> Result<Response> {
                 ASSIGN_OR_RETURN(auto name, TagName(req));
                 ASSIGN_OR_RETURN(auto t, svc.Create(WorkspaceOf(req), name));
                 return Json(201, EncodeTag(t), std::nullopt,
                             "/api/v1/tags/" + std::to_string(t.id.value));
               });
             }));

  routes.Add("GET", "/api/v1/tags/{id}", Read(auth::Resource::kTag), [&svc](Request& req) {
    return Handle([&]() -> Result<Response> {
      ASSIGN_OR_RETURN(int64_t id, PathId(req, "tag"));
      ASSIGN_OR_RETURN(auto t, svc.Get(WorkspaceOf(req), TagId(id)));
      return Json(200, EncodeTag(t));
    });
  });

  routes.Add("PATCH", "/api/v1/tags/{id}", Update(auth::Resource::kTag), [&svc](Request& req) {
    return Handle([&]() -> Result<Response> {
      ASSIGN_OR_RETURN(int64_t id, PathId(req, "tag"));
      ASSIGN_OR_RETURN(auto name, TagName(req));
      ASSIGN_OR_RETURN(auto t, svc.Rename(WorkspaceOf(req), TagId(id), name));
      return Json(200, EncodeTag(t));
    });
  });

  routes.Add("DELETE", "/api/v1/tags/{id}", Delete(auth::Resource::kTag), [&svc](Request& req) {
    return Handle([&]() -> Result<Response> {
      ASSIGN_OR_RETURN(int64_t id, PathId(req, "tag"));
      RETURN_IF_ERROR(svc.Delete(WorkspaceOf(req), TagId(id)));
      return NoContent();
    });
  });
}

}  // namespace rapport::http::api
