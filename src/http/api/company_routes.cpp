#include "http/api/codecs.h"
#include "http/api/handler_util.h"
#include "http/api/routes.h"
#include "store/keyset.h"

namespace rapport::http::api {
namespace {

namespace json = boost::json;

std::string Location(int64_t id) { return "/api/v1/companies/" + std::to_string(id); }

Result<accounts::CompanyQuery> ParseListQuery(const Request& req) {
  accounts::CompanyQuery q;
  ASSIGN_OR_RETURN(q.limit, store::ParseLimit(req.Query("limit")));
  if (auto s = req.Query("sort")) q.sort = std::string(*s);
  q.cursor = QueryText(req, "cursor");
  q.q = QueryText(req, "q");
  q.tag = QueryText(req, "tag");
  q.relationship = QueryText(req, "relationship");
  q.country = QueryText(req, "country");
  return q;
}

}  // namespace

void AddCompanyRoutes(Routes& routes, ApiContext& ctx) {
  auto& svc = ctx.companies;

  routes.Add("POST", "/api/v1/companies", Create(auth::Resource::kCompany),
             Idempotent(ctx.idempotency, [&svc](Request& req) {
               return Handle([&]() -> Result<Response> {
                 ASSIGN_OR_RETURN(auto body, BodyObject(req));
                 accounts::CompanyFields fields;
                 if (Status s = DecodeCompany(body, fields); !s.ok())
                   return MergeErrors(s, svc.Check(fields, true));
                 ASSIGN_OR_RETURN(auto c, svc.Create(WorkspaceOf(req), fields));
                 return Json(201, EncodeCompany(c), c.version, Location(c.id.value));
               });
             }));

  routes.Add("GET", "/api/v1/companies", Read(auth::Resource::kCompany), [&svc](Request& req) {
    return Handle([&]() -> Result<Response> {
      ASSIGN_OR_RETURN(auto query, ParseListQuery(req));
      ASSIGN_OR_RETURN(auto page, svc.List(WorkspaceOf(req), query));
      json::array data;
      for (const auto& c : page.data) data.push_back(EncodeCompany(c));
      return Page(std::move(data), page.next_cursor);
    });
  });

  routes.Add("GET", "/api/v1/companies/{id}", Read(auth::Resource::kCompany), [&svc](Request& req) {
    return Handle([&]() -> Result<Response> {
      ASSIGN_OR_RETURN(int64_t id, PathId(req, "company"));
      ASSIGN_OR_RETURN(auto c, svc.Get(WorkspaceOf(req), CompanyId(id)));
      return Json(200, EncodeCompany(c), c.version);
    });
  });

  routes.Add(
      "PATCH", "/api/v1/companies/{id}", Update(auth::Resource::kCompany), [&svc](Request& req) {
        return Handle([&]() -> Result<Response> {
          ASSIGN_OR_RETURN(int64_t id, PathId(req, "company"));
          ASSIGN_OR_RETURN(auto version, IfMatch(req));
          ASSIGN_OR_RETURN(auto body, BodyObject(req));
          accounts::CompanyFields patch;
          if (Status s = DecodeCompany(body, patch); !s.ok())
            return MergeErrors(s, svc.Check(patch, false));
          ASSIGN_OR_RETURN(auto c, svc.Update(WorkspaceOf(req), CompanyId(id), patch, version));
          return Json(200, EncodeCompany(c), c.version);
        });
      });

  routes.Add("DELETE", "/api/v1/companies/{id}", Delete(auth::Resource::kCompany),
             [&svc](Request& req) {
               return Handle([&]() -> Result<Response> {
                 ASSIGN_OR_RETURN(int64_t id, PathId(req, "company"));
                 ASSIGN_OR_RETURN(auto version, IfMatch(req));
                 RETURN_IF_ERROR(svc.Delete(WorkspaceOf(req), CompanyId(id), version));
                 return NoContent();
               });
             });

  routes.Add("POST", "/api/v1/companies/{id}/tags", Update(auth::Resource::kCompany),
             Idempotent(ctx.idempotency, [&svc](Request& req) {
               return Handle([&]() -> Result<Response> {
                 ASSIGN_OR_RETURN(int64_t id, PathId(req, "company"));
                 ASSIGN_OR_RETURN(auto tags, TagListBody(req));
                 ASSIGN_OR_RETURN(auto c, svc.AddTags(WorkspaceOf(req), CompanyId(id), tags));
                 return Json(200, EncodeCompany(c), c.version);
               });
             }));

  routes.Add("DELETE", "/api/v1/companies/{id}/tags/{name}", Update(auth::Resource::kCompany),
             [&svc](Request& req) {
               return Handle([&]() -> Result<Response> {
                 ASSIGN_OR_RETURN(int64_t id, PathId(req, "company"));
                 ASSIGN_OR_RETURN(auto c, svc.RemoveTag(WorkspaceOf(req), CompanyId(id),
                                                        req.path_params["name"]));
                 return Json(200, EncodeCompany(c), c.version);
               });
             });
}

}  // namespace rapport::http::api
