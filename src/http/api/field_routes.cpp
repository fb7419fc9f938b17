#include "http/api/codecs.h"
#include "http/api/handler_util.h"
#include "http/api/routes.h"

namespace rapport::http::api {

namespace json = boost::json;

void AddFieldRoutes(Routes& routes, ApiContext& ctx) {
  auto& svc = ctx.fields;

  routes.Add("POST", "/api/v1/custom-fields", Create(auth::Resource::kCustomField),
             Idempotent(ctx.idempotency, [&svc](Request& req) {
               return Handle([&]() -> Result<Response> {
                 ASSIGN_OR_RETURN(auto body, BodyObject(req));
                 ASSIGN_OR_RETURN(auto in, DecodeFieldInput(body));
                 ASSIGN_OR_RETURN(auto d, svc.Create(WorkspaceOf(req), in));
                 return Json(201, EncodeField(d), d.version,
                             "/api/v1/custom-fields/" + std::to_string(d.id.value));
               });
             }));

  routes.Add("GET", "/api/v1/custom-fields", Read(auth::Resource::kCustomField),
             [&svc](Request& req) {
               return Handle([&]() -> Result<Response> {
                 std::optional<fields::Entity> entity;
                 if (auto e = req.Query("entity")) {
                   entity = fields::ParseEntity(*e);
                   if (!entity) {
                     return InvalidArgument("entity must be contact or company",
                                            {{"entity", "must be contact or company"}});
                   }
                 }
                 ASSIGN_OR_RETURN(auto defs, svc.List(WorkspaceOf(req), entity));
                 json::array data;
                 for (const auto& d : defs) data.push_back(EncodeField(d));
                 return Page(std::move(data), std::nullopt);
               });
             });

  routes.Add("GET", "/api/v1/custom-fields/{id}", Read(auth::Resource::kCustomField),
             [&svc](Request& req) {
               return Handle([&]() -> Result<Response> {
                 ASSIGN_OR_RETURN(int64_t id, PathId(req, "custom field"));
                 ASSIGN_OR_RETURN(auto d, svc.Get(WorkspaceOf(req), CustomFieldId(id)));
                 return Json(200, EncodeField(d), d.version);
               });
             });

  routes.Add("PATCH", "/api/v1/custom-fields/{id}", Update(auth::Resource::kCustomField),
             [&svc](Request& req) {
               return Handle([&]() -> Result<Response> {
                 ASSIGN_OR_RETURN(int64_t id, PathId(req, "custom field"));
                 ASSIGN_OR_RETURN(auto version, IfMatch(req));
                 ASSIGN_OR_RETURN(auto body, BodyObject(req));
                 ASSIGN_OR_RETURN(auto in, DecodeFieldInput(body));
                 ASSIGN_OR_RETURN(auto d,
                                  svc.Update(WorkspaceOf(req), CustomFieldId(id), in, version));
                 return Json(200, EncodeField(d), d.version);
               });
             });

  routes.Add("DELETE", "/api/v1/custom-fields/{id}", Delete(auth::Resource::kCustomField),
             [&svc](Request& req) {
               return Handle([&]() -> Result<Response> {
                 ASSIGN_OR_RETURN(int64_t id, PathId(req, "custom field"));
                 ASSIGN_OR_RETURN(auto version, IfMatch(req));
                 RETURN_IF_ERROR(svc.Delete(WorkspaceOf(req), CustomFieldId(id), version));
                 return NoContent();
               });
             });
}

}  // namespace rapport::http::api
