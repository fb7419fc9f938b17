#include "common/time_format.h"
#include "http/api/activity_codec.h"
#include "http/api/codec.h"
#include "http/api/codecs.h"
#include "http/api/handler_util.h"
#include "http/api/policy.h"
#include "http/api/routes.h"
#include "store/keyset.h"

namespace rapport::http::api {
namespace {

namespace json = boost::json;

Result<std::vector<std::string>> CommaList(const Request& req, std::string_view name) {
  std::vector<std::string> out;
  for (auto [it, end] = req.query.equal_range(std::string(name)); it != end; ++it) {
    std::string_view v = it->second;
    while (!v.empty()) {
      size_t comma = v.find(',');
      std::string_view item = v.substr(0, comma);
      if (!item.empty()) out.emplace_back(item);
      if (comma == std::string_view::npos) break;
      v.remove_prefix(comma + 1);
    }
  }
  return out;
}

Result<std::optional<Micros>> TimeParam(const Request& req, const char* name) {
  auto v = req.Query(name);
  if (!v) return std::optional<Micros>();
  auto t = ParseTimestamp(*v);
  if (!t)
    return InvalidArgument(std::string(name) + " must be an RFC 3339 timestamp",
                           {{name, "must be an RFC 3339 timestamp"}});
  return std::optional<Micros>(*t);
}

Result<activity::TimelineQuery> ParseTimeline(const Request& req) {
  activity::TimelineQuery q;
  ASSIGN_OR_RETURN(q.limit, store::ParseLimit(req.Query("limit")));
  q.cursor = QueryText(req, "cursor");
  ASSIGN_OR_RETURN(q.types, CommaList(req, "type"));
  ASSIGN_OR_RETURN(q.channels, CommaList(req, "channel"));
  ASSIGN_OR_RETURN(q.since, TimeParam(req, "since"));
  ASSIGN_OR_RETURN(q.until, TimeParam(req, "until"));
  return q;
}

// A batch decoded on the I/O worker (see Routes::Add), waiting for the writer.
using PreparedActivities = DecodedBatch<activity::ActivityInput>;

Status PrepareActivityBatch(Request& req) {
  ASSIGN_OR_RETURN(auto batch,
                   DecodeBatch<activity::ActivityInput>(
                       req, "activities", activity::kMaxBatch,
                       [](const json::object& o, activity::ActivityInput& in,
                          const std::string& prefix) { return DecodeActivity(o, in, prefix); }));
  req.prepared = std::make_shared<PreparedActivities>(std::move(batch));
  return Status::Ok();
}

// The page is written as its rows stream out of the store, without an Activity or a JSON
// tree per row (see TimelinePageWriter).
Result<Response> TimelineResponse(activity::ActivityService& svc, WorkspaceId ws,
                                  const activity::TimelineQuery& q) {
  TimelinePageWriter writer(static_cast<size_t>(q.limit));
  ASSIGN_OR_RETURN(auto next, svc.VisitTimeline(ws, q, [&](const activity::ActivityView& a) {
    return writer.Add(a);
  }));
  Response r;
  r.status = 200;
  r.content_type = "application/json";
  r.body = std::move(writer).Finish(next);
  return r;
}

}  // namespace

void AddActivityRoutes(Routes& routes, ApiContext& ctx) {
  auto& svc = ctx.activities;

  // Activities are immutable: the audit records who created which one, not a copy.
  const Policy create = Create(auth::Resource::kActivity).AuditByReference();
  routes.Add("POST", "/api/v1/activities", create,
             Idempotent(ctx.idempotency, [&svc](Request& req) {
               return Handle([&]() -> Result<Response> {
                 ASSIGN_OR_RETURN(auto body, BodyObject(req));
                 activity::ActivityInput in;
                 RETURN_IF_ERROR(DecodeActivity(body, in));
                 ASSIGN_OR_RETURN(auto r, svc.Record(WorkspaceOf(req), in));
                 Response response =
                     Json(r.duplicate ? 200 : 201, EncodeActivity(r.activity), std::nullopt,
                          "/api/v1/activities/" + std::to_string(r.activity.id.value));
                 response.unchanged = r.duplicate;
                 return response;
               });
             }));

  routes.Add("POST", "/api/v1/activities/batch", create, PrepareActivityBatch,
             Idempotent(ctx.idempotency, [&svc](Request& req) {
               return Handle([&]() -> Result<Response> {
                 if (!req.prepared.has_value()) RETURN_IF_ERROR(PrepareActivityBatch(req));
                 auto batch = std::any_cast<std::shared_ptr<PreparedActivities>>(req.prepared);
                 ASSIGN_OR_RETURN(auto recorded, svc.RecordBatch(WorkspaceOf(req), batch->good));
                 int64_t created = 0, duplicates = 0;
                 // The ids of the recorded activities, for the audit (by reference; it
                 // would otherwise read each one back through GET /activities/{id}).
                 std::vector<Response::Written> written;
                 written.reserve(batch->good.size());
                 for (const auto& r : recorded) {
                   if (!r) continue;
                   (r->duplicate ? duplicates : created)++;
                   if (!r->duplicate)  // a retry created nothing
                     written.push_back({r->activity.id.value, std::nullopt, {}});
                 }
                 // Written as text: a tree of ten thousand results costs the writer more than
                 // the text does.
                 JsonText out(48 + batch->size * 56);
                 out.Raw('{');
                 WriteBatchResults(
                     out, "activities", *batch, recorded,
                     [&](size_t i, const activity::Recorded& r) {
                       out.Raw("{\"index\":").Int(static_cast<int64_t>(i));
                       out.Raw(r.duplicate ? ",\"status\":200,\"id\":" : ",\"status\":201,\"id\":");
                       out.Int(r.activity.id.value);
                       out.Raw(r.duplicate ? ",\"duplicate\":true}" : ",\"duplicate\":false}");
                     });
                 int64_t failed = static_cast<int64_t>(batch->size) - created - duplicates;
                 out.Raw(",\"created\":").Int(created);
                 out.Raw(",\"duplicates\":").Int(duplicates);
                 out.Raw(",\"failed\":").Int(failed).Raw('}');
                 Response response;
                 response.body = std::move(out).Take();
                 response.unchanged = written.empty();
                 response.written = std::move(written);
                 return response;
               });
             }));

  routes.Add("GET", "/api/v1/activities/{id}", Read(auth::Resource::kActivity),
             [&svc](Request& req) {
               return Handle([&]() -> Result<Response> {
                 ASSIGN_OR_RETURN(int64_t id, PathId(req, "activity"));
                 ASSIGN_OR_RETURN(auto a, svc.Get(WorkspaceOf(req), activity::ActivityId(id)));
                 return Json(200, EncodeActivity(a));
               });
             });

  routes.Add("GET", "/api/v1/activity-types", Read(auth::Resource::kActivity),
             [&svc](Request& req) {
               return Handle([&]() -> Result<Response> {
                 ASSIGN_OR_RETURN(auto types, svc.ListTypes(WorkspaceOf(req)));
                 json::array data;
                 for (const auto& t : types) data.push_back(EncodeActivityType(t));
                 json::array built_in;
                 for (const char* t : activity::kBuiltInTypes) built_in.emplace_back(t);
                 return Json(200, json::object{{"data", std::move(data)},
                                               {"built_in", std::move(built_in)},
                                               {"next_cursor", nullptr}});
               });
             });

  routes.Add(
      "POST", "/api/v1/activity-types", Create(auth::Resource::kCustomField),
      Idempotent(ctx.idempotency, [&svc](Request& req) {
        return Handle([&]() -> Result<Response> {
          ASSIGN_OR_RETURN(auto body, BodyObject(req));
          activity::CustomType t;
          Field<std::string> name, label;
          std::vector<FieldError> errors;
          ObjectReader r(body);
          r.Text("name", name);
          r.Text("label", label);
          r.Any("schema", [&](const json::value& v) {
            const auto* o = v.if_object();
            const json::value* props = o ? o->if_contains("properties") : nullptr;
            if (!o || (props && !props->is_object())) {
              errors.push_back(
                  {"schema", "must be {\"properties\": {name: type}, \"required\": [names]}"});
              return;
            }
            if (props) {
              for (const auto& [k, kind] : props->as_object()) {
                if (!kind.is_string()) {
                  errors.push_back({"schema.properties." + std::string(k),
                                    "must be string, number, boolean or date"});
                } else {
                  t.properties[std::string(k)] = std::string(kind.as_string());
                }
              }
            }
            if (const json::value* req_list = o->if_contains("required")) {
              if (!req_list->is_array()) {
                errors.push_back({"schema.required", "must be an array of property names"});
              } else {
                for (const auto& x : req_list->as_array()) {
                  if (x.is_string()) t.required.emplace_back(x.as_string());
                }
              }
            }
          });
          Status decoded = r.Finish();
          if (!decoded.ok() || !errors.empty()) {
            std::vector<FieldError> all = decoded.fields();
            all.insert(all.end(), errors.begin(), errors.end());
            return ValidationFailed(std::move(all));
          }
          if (!IsSet(name)) return ValidationFailed({{"name", "is required"}});
          t.name = **name;
          if (IsSet(label)) t.label = **label;
          ASSIGN_OR_RETURN(auto created, svc.CreateType(WorkspaceOf(req), t));
          return Json(201, EncodeActivityType(created));
        });
      }));

  // The 360° view: profile, company, tags and aggregates, from one consistent snapshot.
  routes.Add("GET", "/api/v1/contacts/{id}/overview", Read(auth::Resource::kContact),
             [&ctx](Request& req) {
               return Handle([&]() -> Result<Response> {
                 ASSIGN_OR_RETURN(int64_t id, PathId(req, "contact"));
                 WorkspaceId ws = WorkspaceOf(req);
                 return ctx.store.Read([&](store::Txn&) -> Result<Response> {
                   ASSIGN_OR_RETURN(auto contact, ctx.contacts.Get(ws, ContactId(id)));
                   ASSIGN_OR_RETURN(auto agg, ctx.activities.ContactAggregates(ws, ContactId(id)));
                   json::object out = EncodeAggregates(agg);
                   out["contact"] = EncodeContact(contact);
                   out["company"] = nullptr;
                   if (contact.company_id) {
                     auto company = ctx.companies.Get(ws, CompanyId(*contact.company_id));
                     if (company) out["company"] = EncodeCompany(*company);
                   }
                   return Json(200, out, contact.version);
                 });
               });
             });

  routes.Add("GET", "/api/v1/companies/{id}/overview", Read(auth::Resource::kCompany),
             [&ctx](Request& req) {
               return Handle([&]() -> Result<Response> {
                 ASSIGN_OR_RETURN(int64_t id, PathId(req, "company"));
                 WorkspaceId ws = WorkspaceOf(req);
                 return ctx.store.Read([&](store::Txn&) -> Result<Response> {
                   ASSIGN_OR_RETURN(auto company, ctx.companies.Get(ws, CompanyId(id)));
                   ASSIGN_OR_RETURN(auto agg, ctx.activities.CompanyAggregates(ws, CompanyId(id)));
                   json::object out = EncodeAggregates(agg);
                   out["company"] = EncodeCompany(company);
                   return Json(200, out, company.version);
                 });
               });
             });

  auto timeline = [&svc](bool company) {
    return [&svc, company](Request& req) {
      return Handle([&]() -> Result<Response> {
        ASSIGN_OR_RETURN(int64_t id, PathId(req, company ? "company" : "contact"));
        ASSIGN_OR_RETURN(auto q, ParseTimeline(req));
        (company ? q.company_id : q.contact_id) = id;
        return TimelineResponse(svc, WorkspaceOf(req), q);
      });
    };
  };
  routes.Add("GET", "/api/v1/contacts/{id}/timeline", Read(auth::Resource::kActivity),
             timeline(false));
  routes.Add("GET", "/api/v1/companies/{id}/timeline", Read(auth::Resource::kActivity),
             timeline(true));
}

}  // namespace rapport::http::api
