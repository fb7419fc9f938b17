#include "http/api/codecs.h"
#include "http/api/handler_util.h"
#include "http/api/routes.h"
#include "http/json_body.h"
#include "segments/text.h"
#include "store/keyset.h"

namespace rapport::http::api {
namespace {

namespace json = boost::json;

// A batch decoded and checked on the I/O worker (see Routes::Add), waiting for the writer.
struct PreparedBatch {
  DecodedBatch<contacts::ContactFields> decoded;
  std::vector<Result<contacts::PreparedContact>> prepared;  // by item of decoded.good
};

Status PrepareContactBatch(const contacts::ContactService& svc, Request& req) {
  auto batch = std::make_shared<PreparedBatch>();
  ASSIGN_OR_RETURN(batch->decoded, DecodeBatch<contacts::ContactFields>(
                                       req, "contacts", contacts::kMaxBatch,
                                       [&](const json::object& o, contacts::ContactFields& f,
                                           const std::string& prefix) -> Status {
                                         Status s = DecodeContact(o, f, prefix);
                                         return s.ok() ? s : MergeErrors(s, svc.Check(f, true));
                                       }));
  ASSIGN_OR_RETURN(batch->prepared, svc.PrepareBatch(batch->decoded.good));
  req.prepared = std::move(batch);
  return Status::Ok();
}

std::string Location(int64_t id) { return "/api/v1/contacts/" + std::to_string(id); }

Result<contacts::ContactQuery> ParseListQuery(const Request& req) {
  contacts::ContactQuery q;
  ASSIGN_OR_RETURN(q.limit, store::ParseLimit(req.Query("limit")));
  if (auto s = req.Query("sort")) q.sort = std::string(*s);
  q.cursor = QueryText(req, "cursor");
  q.q = QueryText(req, "q");
  q.tag = QueryText(req, "tag");
  q.lifecycle_stage = QueryText(req, "lifecycle_stage");
  q.email = QueryText(req, "email");
  q.external_id = QueryText(req, "external_id");
  if (auto c = req.Query("company_id")) {
    try {
      size_t used = 0;
      q.company_id = std::stoll(std::string(*c), &used);
      if (used != c->size()) throw std::invalid_argument("trailing characters");
    } catch (const std::exception&) {
      return InvalidArgument("company_id must be an integer",
                             {{"company_id", "must be an integer"}});
    }
  }
  return q;
}

}  // namespace

void AddContactRoutes(Routes& routes, ApiContext& ctx) {
  auto& svc = ctx.contacts;

  routes.Add("POST", "/api/v1/contacts", Create(auth::Resource::kContact),
             Idempotent(ctx.idempotency, [&svc](Request& req) {
               return Handle([&]() -> Result<Response> {
                 ASSIGN_OR_RETURN(auto body, BodyObject(req));
                 contacts::ContactFields fields;
                 if (Status s = DecodeContact(body, fields); !s.ok())
                   return MergeErrors(s, svc.Check(fields, true));
                 ASSIGN_OR_RETURN(auto c, svc.Create(WorkspaceOf(req), fields));
                 return Json(201, EncodeContact(c), c.version, Location(c.id.value));
               });
             }));

  routes.Add(
      "POST", "/api/v1/contacts/batch", Create(auth::Resource::kContact),
      [&svc](Request& req) { return PrepareContactBatch(svc, req); },
      Idempotent(ctx.idempotency, [&svc](Request& req) {
        return Handle([&]() -> Result<Response> {
          if (!req.prepared.has_value()) RETURN_IF_ERROR(PrepareContactBatch(svc, req));
          auto batch = std::any_cast<std::shared_ptr<PreparedBatch>>(req.prepared);
          const DecodedBatch<contacts::ContactFields>& decoded = batch->decoded;
          ASSIGN_OR_RETURN(auto created, svc.WriteBatch(WorkspaceOf(req), batch->prepared));
          int64_t ok = 0;
          // The results and the audit's copies are written as text: trees of a thousand
          // records cost the single writer more than a third of what their inserts do.
          std::vector<Response::Written> written;
          written.reserve(decoded.good.size());
          for (const auto& c : created) {
            if (!c) continue;
            ++ok;
            JsonText record(512);
            WriteContact(record, *c);
            written.push_back({c->id.value, c->owner_id, std::move(record).Take()});
          }
          JsonText body(32 + decoded.size * 40);
          body.Raw('{');
          WriteBatchResults(body, "contacts", decoded, created,
                            [&](size_t i, const contacts::Contact& c) {
                              body.Raw("{\"index\":").Int(static_cast<int64_t>(i));
                              body.Raw(",\"status\":201,\"id\":").Int(c.id.value).Raw('}');
                            });
          body.Raw(",\"created\":").Int(ok);
          body.Raw(",\"failed\":").Int(static_cast<int64_t>(decoded.size) - ok).Raw('}');
          Response response;
          response.body = std::move(body).Take();
          response.written = std::move(written);
          return response;
        });
      }));

  auto& segment_svc = ctx.segments;
  routes.Add(
      "GET", "/api/v1/contacts", Read(auth::Resource::kContact),
      [&svc, &segment_svc](Request& req) {
        return Handle([&]() -> Result<Response> {
          ASSIGN_OR_RETURN(auto query, ParseListQuery(req));
          if (auto where = QueryText(req, "where")) {
            segments::Parsed parsed = segments::ParseText(*where);
            if (!parsed.rule) {
              const auto& e = parsed.errors.front();
              return ValidationFailed({{"where", "line " + std::to_string(e.line) + ", column " +
                                                     std::to_string(e.column) + ": " + e.message}});
            }
            auto ids = segment_svc.Evaluate(WorkspaceOf(req), std::move(*parsed.rule));
            if (!ids) {
              std::vector<FieldError> fields = ids.error().fields();
              for (auto& f : fields) f.field = "where";
              if (fields.empty()) return ids.error();
              return ValidationFailed(std::move(fields));
            }
            query.ids = std::move(*ids);
          }
          ASSIGN_OR_RETURN(auto page, svc.List(WorkspaceOf(req), query));
          json::array data;
          data.reserve(page.data.size());
          for (const auto& c : page.data) data.push_back(EncodeContact(c));
          return Page(std::move(data), page.next_cursor);
        });
      });

  routes.Add("GET", "/api/v1/contacts/{id}", Read(auth::Resource::kContact), [&svc](Request& req) {
    return Handle([&]() -> Result<Response> {
      ASSIGN_OR_RETURN(int64_t id, PathId(req, "contact"));
      ASSIGN_OR_RETURN(auto c, svc.Get(WorkspaceOf(req), ContactId(id)));
      return Json(200, EncodeContact(c), c.version);
    });
  });

  routes.Add(
      "PATCH", "/api/v1/contacts/{id}", Update(auth::Resource::kContact), [&svc](Request& req) {
        return Handle([&]() -> Result<Response> {
          ASSIGN_OR_RETURN(int64_t id, PathId(req, "contact"));
          ASSIGN_OR_RETURN(auto version, IfMatch(req));
          ASSIGN_OR_RETURN(auto body, BodyObject(req));
          contacts::ContactFields patch;
          if (Status s = DecodeContact(body, patch); !s.ok())
            return MergeErrors(s, svc.Check(patch, false));
          ASSIGN_OR_RETURN(auto c, svc.Update(WorkspaceOf(req), ContactId(id), patch, version));
          return Json(200, EncodeContact(c), c.version);
        });
      });

  routes.Add("DELETE", "/api/v1/contacts/{id}", Delete(auth::Resource::kContact),
             [&svc](Request& req) {
               return Handle([&]() -> Result<Response> {
                 ASSIGN_OR_RETURN(int64_t id, PathId(req, "contact"));
                 ASSIGN_OR_RETURN(auto version, IfMatch(req));
                 RETURN_IF_ERROR(svc.Delete(WorkspaceOf(req), ContactId(id), version));
                 return NoContent();
               });
             });

  routes.Add("POST", "/api/v1/contacts/{id}/tags", Update(auth::Resource::kContact),
             Idempotent(ctx.idempotency, [&svc](Request& req) {
               return Handle([&]() -> Result<Response> {
                 ASSIGN_OR_RETURN(int64_t id, PathId(req, "contact"));
                 ASSIGN_OR_RETURN(auto tags, TagListBody(req));
                 ASSIGN_OR_RETURN(auto c, svc.AddTags(WorkspaceOf(req), ContactId(id), tags));
                 return Json(200, EncodeContact(c), c.version);
               });
             }));

  routes.Add("DELETE", "/api/v1/contacts/{id}/tags/{name}", Update(auth::Resource::kContact),
             [&svc](Request& req) {
               return Handle([&]() -> Result<Response> {
                 ASSIGN_OR_RETURN(int64_t id, PathId(req, "contact"));
                 ASSIGN_OR_RETURN(auto c, svc.RemoveTag(WorkspaceOf(req), ContactId(id),
                                                        req.path_params["name"]));
                 return Json(200, EncodeContact(c), c.version);
               });
             });
}

}  // namespace rapport::http::api
