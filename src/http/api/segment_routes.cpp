#include <charconv>

#include "common/strings.h"
#include "common/time_format.h"
#include "http/api/codec.h"
#include "http/api/codecs.h"
#include "http/api/handler_util.h"
#include "http/api/routes.h"
#include "segments/rule_json.h"
#include "segments/text.h"
#include "store/keyset.h"

namespace rapport::http::api {
namespace {

namespace json = boost::json;
using segments::Rule;
using segments::RuleError;

constexpr int kPreviewSample = 20;

json::array EncodeRuleErrors(const std::vector<RuleError>& errors) {
  json::array out;
  for (const auto& e : errors) {
    json::object o;
    o["line"] = e.line;
    o["column"] = e.column;
    o["message"] = e.message;
    out.push_back(std::move(o));
  }
  return out;
}

json::object EncodeSegment(const segments::Segment& s) {
  json::object o;
  o["id"] = s.id;
  o["name"] = s.name;
  o["description"] = s.description ? json::value(*s.description) : json::value(nullptr);
  o["kind"] = segments::SegmentKindName(s.kind);
  if (s.rule) {
    o["rule"] = segments::ToText(*s.rule);
    o["rule_json"] = segments::ToJson(*s.rule);
  } else {
    o["rule"] = nullptr;
    o["rule_json"] = nullptr;
  }
  o["member_count"] = s.member_count;
  o["evaluated_at"] = s.evaluated_at ? json::value(FormatTimestamp(*s.evaluated_at)) : nullptr;
  o["version"] = s.version;
  o["created_at"] = FormatTimestamp(s.created_at);
  o["updated_at"] = FormatTimestamp(s.updated_at);
  return o;
}

// The rule of a body: {"rule": "<text>"} or {"rule_json": {...}} (not both).
struct RuleBody {
  bool present = false;
  std::optional<Rule> rule;
  std::vector<RuleError> errors;
  std::string field = "rule";
};

RuleBody ReadRule(const json::object& body) {
  RuleBody out;
  const json::value* text = body.if_contains("rule");
  const json::value* tree = body.if_contains("rule_json");
  if (text && tree) {
    out.present = true;
    out.errors.push_back({0, 0, "give either rule (text) or rule_json, not both"});
    return out;
  }
  if (text) {
    out.present = true;
    if (!text->is_string()) {
      out.errors.push_back({0, 0, "rule must be a string (the text form)"});
      return out;
    }
    segments::Parsed p = segments::ParseText(std::string_view(text->as_string()));
    out.rule = std::move(p.rule);
    out.errors = std::move(p.errors);
  } else if (tree) {
    out.present = true;
    out.field = "rule_json";
    segments::Parsed p = segments::FromJson(*tree);
    out.rule = std::move(p.rule);
    out.errors = std::move(p.errors);
  }
  return out;
}

Status RuleErrorsStatus(const std::string& field, const std::vector<RuleError>& errors) {
  std::vector<FieldError> fields;
  for (const auto& e : errors) {
    std::string where = e.line > 0 ? "line " + std::to_string(e.line) + ", column " +
                                         std::to_string(e.column) + ": "
                                   : "";
    fields.push_back({field, where + e.message});
  }
  return ValidationFailed(std::move(fields));
}

// Name, description, kind and rule of a create or patch body.
Result<segments::SegmentInput> DecodeSegment(const json::object& body) {
  segments::SegmentInput in;
  ObjectReader r(body);
  r.Text("name", in.name);
  r.Text("description", in.description);
  r.Text("kind", in.kind);
  r.Any("rule", [](const json::value&) {});
  r.Any("rule_json", [](const json::value&) {});
  RETURN_IF_ERROR(r.Finish());
  RuleBody rule = ReadRule(body);
  if (!rule.errors.empty()) return RuleErrorsStatus(rule.field, rule.errors);
  in.rule = std::move(rule.rule);
  return in;
}

// Contacts named in a members body: {"contact_ids": [..]}, {"emails": [..]},
// {"external_ids": [..]}; or an uploaded text/csv list with one id or email per line.
Result<std::vector<contacts::ContactRef>> DecodeMemberRefs(const Request& req) {
  std::vector<contacts::ContactRef> refs;
  auto type = req.Header("Content-Type");
  std::string_view ct = type ? Trim(type->substr(0, type->find(';'))) : std::string_view();
  if (ct == "text/csv" || ct == "text/plain") {
    std::string_view rest = req.body;
    int line_no = 0;
    std::vector<FieldError> errors;
    while (!rest.empty()) {
      size_t nl = rest.find('\n');
      std::string_view line = Trim(rest.substr(0, nl));
      rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
      ++line_no;
      if (!line.empty() && line.back() == ',') line.remove_suffix(1);
      if (line.empty()) continue;
      if (line_no == 1 && (line == "id" || line == "email" || line == "contact_id")) continue;
      contacts::ContactRef ref;
      int64_t id = 0;
      auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), id);
      if (ec == std::errc() && end == line.data() + line.size() && id > 0) {
        ref.id = id;
      } else if (line.find('@') != std::string_view::npos) {
        ref.email = ToLowerAscii(line);
      } else {
        errors.push_back(
            {"line " + std::to_string(line_no),
             "expected a contact id or an email, found \"" + std::string(line) + "\""});
        continue;
      }
      refs.push_back(std::move(ref));
    }
    if (!errors.empty()) return ValidationFailed(std::move(errors));
    return refs;
  }
  ASSIGN_OR_RETURN(auto body, BodyObject(req));
  std::vector<FieldError> errors;
  for (const auto& [key, value] : body) {
    if (key != "contact_ids" && key != "emails" && key != "external_ids") {
      errors.push_back(
          {std::string(key), "unknown field; use contact_ids, emails or external_ids"});
      continue;
    }
    if (!value.is_array()) {
      errors.push_back({std::string(key), "must be an array"});
      continue;
    }
    const auto& array = value.as_array();
    for (size_t i = 0; i < array.size(); ++i) {
      std::string field = std::string(key) + "[" + std::to_string(i) + "]";
      contacts::ContactRef ref;
      if (key == "contact_ids") {
        if (!array[i].is_int64() || array[i].as_int64() <= 0) {
          errors.push_back({field, "must be a positive integer"});
          continue;
        }
        ref.id = array[i].as_int64();
      } else {
        if (!array[i].is_string()) {
          errors.push_back({field, "must be a string"});
          continue;
        }
        std::string v(array[i].as_string());
        if (key == "emails") {
          ref.email = ToLowerAscii(Trim(v));
        } else {
          ref.external_id = v;
        }
      }
      refs.push_back(std::move(ref));
    }
  }
  if (!errors.empty()) return ValidationFailed(std::move(errors));
  return refs;
}

// The contacts behind a list of ids, in the ids' order.
Result<json::array> ContactsByIds(contacts::ContactService& svc, WorkspaceId ws,
                                  const std::vector<int64_t>& ids) {
  json::array data;
  if (ids.empty()) return data;
  contacts::ContactQuery q;
  q.ids = ids;
  q.limit = static_cast<int>(ids.size());
  ASSIGN_OR_RETURN(auto page, svc.List(ws, q));
  for (const auto& c : page.data) data.push_back(EncodeContact(c));
  return data;
}

}  // namespace

void AddSegmentRoutes(Routes& routes, ApiContext& ctx) {
  auto& svc = ctx.segments;
  auto& people = ctx.contacts;
  const auto kSeg = auth::Resource::kSegment;
  auto location = [](int64_t id) { return "/api/v1/segments/" + std::to_string(id); };

  routes.Add("GET", "/api/v1/segments", Read(kSeg), [&svc](Request& req) {
    return Handle([&]() -> Result<Response> {
      ASSIGN_OR_RETURN(int limit, store::ParseLimit(req.Query("limit")));
      ASSIGN_OR_RETURN(auto page, svc.List(WorkspaceOf(req), limit, QueryText(req, "cursor")));
      json::array data;
      for (const auto& s : page.data) data.push_back(EncodeSegment(s));
      return Page(std::move(data), page.next_cursor);
    });
  });

  routes.Add("POST", "/api/v1/segments", Create(kSeg),
             Idempotent(ctx.idempotency, [&svc, location](Request& req) {
               return Handle([&]() -> Result<Response> {
                 ASSIGN_OR_RETURN(auto body, BodyObject(req));
                 ASSIGN_OR_RETURN(auto in, DecodeSegment(body));
                 ASSIGN_OR_RETURN(auto s, svc.Create(WorkspaceOf(req), in));
                 return Json(201, EncodeSegment(s), s.version, location(s.id));
               });
             }));

  routes.Add("POST", "/api/v1/segments/preview", Read(kSeg), [&svc, &people](Request& req) {
    return Handle([&]() -> Result<Response> {
      ASSIGN_OR_RETURN(auto body, BodyObject(req));
      for (const auto& [k, v] : body) {
        if (k != "rule" && k != "rule_json" && k != "limit") {
          return ValidationFailed({{std::string(k), "unknown field"}});
        }
      }
      int sample = kPreviewSample;
      if (const json::value* l = body.if_contains("limit")) {
        if (!l->is_int64() || l->as_int64() < 0 || l->as_int64() > 100) {
          return ValidationFailed({{"limit", "must be an integer from 0 to 100"}});
        }
        sample = static_cast<int>(l->as_int64());
      }
      RuleBody rule = ReadRule(body);
      if (!rule.present) return ValidationFailed({{"rule", "is required (or rule_json)"}});
      json::object out;
      if (rule.errors.empty()) {
        ASSIGN_OR_RETURN(auto preview,
                         svc.Preview(WorkspaceOf(req), std::move(*rule.rule), sample));
        rule.errors = std::move(preview.errors);
        if (rule.errors.empty()) {
          out["count"] = preview.count;
          ASSIGN_OR_RETURN(auto members, ContactsByIds(people, WorkspaceOf(req), preview.sample));
          out["members"] = std::move(members);
        }
        out["rule"] = segments::ToText(*preview.rule);
        out["rule_json"] = segments::ToJson(*preview.rule);
      }
      out["valid"] = rule.errors.empty();
      out["errors"] = EncodeRuleErrors(rule.errors);
      if (!rule.errors.empty()) {
        out["count"] = nullptr;
        out["members"] = json::array();
      }
      return Json(200, out);
    });
  });

  routes.Add("GET", "/api/v1/segments/{id}", Read(kSeg), [&svc](Request& req) {
    return Handle([&]() -> Result<Response> {
      ASSIGN_OR_RETURN(int64_t id, PathId(req, "segment"));
      ASSIGN_OR_RETURN(auto s, svc.Get(WorkspaceOf(req), id));
      return Json(200, EncodeSegment(s), s.version);
    });
  });

  routes.Add("PATCH", "/api/v1/segments/{id}", Update(kSeg), [&svc](Request& req) {
    return Handle([&]() -> Result<Response> {
      ASSIGN_OR_RETURN(int64_t id, PathId(req, "segment"));
      ASSIGN_OR_RETURN(auto if_version, IfMatch(req));
      ASSIGN_OR_RETURN(auto body, BodyObject(req));
      ASSIGN_OR_RETURN(auto in, DecodeSegment(body));
      ASSIGN_OR_RETURN(auto s, svc.Update(WorkspaceOf(req), id, in, if_version));
      return Json(200, EncodeSegment(s), s.version);
    });
  });

  routes.Add("DELETE", "/api/v1/segments/{id}", Delete(kSeg), [&svc](Request& req) {
    return Handle([&]() -> Result<Response> {
      ASSIGN_OR_RETURN(int64_t id, PathId(req, "segment"));
      ASSIGN_OR_RETURN(auto if_version, IfMatch(req));
      RETURN_IF_ERROR(svc.Delete(WorkspaceOf(req), id, if_version));
      return NoContent();
    });
  });

  routes.Add("GET", "/api/v1/segments/{id}/members", Read(kSeg), [&svc, &people](Request& req) {
    return Handle([&]() -> Result<Response> {
      ASSIGN_OR_RETURN(int64_t id, PathId(req, "segment"));
      ASSIGN_OR_RETURN(int limit, store::ParseLimit(req.Query("limit")));
      ASSIGN_OR_RETURN(auto page,
                       svc.Members(WorkspaceOf(req), id, limit, QueryText(req, "cursor")));
      ASSIGN_OR_RETURN(auto data, ContactsByIds(people, WorkspaceOf(req), page.contact_ids));
      return Page(std::move(data), page.next_cursor);
    });
  });

  routes.Add("POST", "/api/v1/segments/{id}/members", Update(kSeg).AuditAs("add_members"),
             [&svc](Request& req) {
               return Handle([&]() -> Result<Response> {
                 ASSIGN_OR_RETURN(int64_t id, PathId(req, "segment"));
                 ASSIGN_OR_RETURN(auto refs, DecodeMemberRefs(req));
                 ASSIGN_OR_RETURN(int64_t n, svc.AddMembers(WorkspaceOf(req), id, refs));
                 json::object out;
                 out["added"] = n;
                 return Json(200, out);
               });
             });

  routes.Add("POST", "/api/v1/segments/{id}/members/remove", Update(kSeg).AuditAs("remove_members"),
             [&svc](Request& req) {
               return Handle([&]() -> Result<Response> {
                 ASSIGN_OR_RETURN(int64_t id, PathId(req, "segment"));
                 ASSIGN_OR_RETURN(auto refs, DecodeMemberRefs(req));
                 ASSIGN_OR_RETURN(int64_t n, svc.RemoveMembers(WorkspaceOf(req), id, refs));
                 json::object out;
                 out["removed"] = n;
                 return Json(200, out);
               });
             });

  routes.Add("DELETE", "/api/v1/segments/{id}/members/{contact_id}",
             Update(kSeg).AuditAs("remove_members"), [&svc](Request& req) {
               return Handle([&]() -> Result<Response> {
                 ASSIGN_OR_RETURN(int64_t id, PathId(req, "segment"));
                 ASSIGN_OR_RETURN(int64_t contact, PathId(req, "contact", "contact_id"));
                 contacts::ContactRef ref;
                 ref.id = contact;
                 ASSIGN_OR_RETURN(int64_t n, svc.RemoveMembers(WorkspaceOf(req), id, {ref}));
                 if (n == 0)
                   return NotFound("contact " + std::to_string(contact) +
                                   " is not a member of segment " + std::to_string(id));
                 return NoContent();
               });
             });

  routes.Add("POST", "/api/v1/segments/{id}/freeze", Create(kSeg).AuditAs("freeze"),
             [&svc, location](Request& req) {
               return Handle([&]() -> Result<Response> {
                 ASSIGN_OR_RETURN(int64_t id, PathId(req, "segment"));
                 ASSIGN_OR_RETURN(auto body, BodyObject(req));
                 Field<std::string> name;
                 ObjectReader r(body);
                 r.Text("name", name);
                 RETURN_IF_ERROR(r.Finish());
                 if (!IsSet(name)) return ValidationFailed({{"name", "is required"}});
                 ASSIGN_OR_RETURN(auto s, svc.Freeze(WorkspaceOf(req), id, **name));
                 return Json(201, EncodeSegment(s), s.version, location(s.id));
               });
             });
}

}  // namespace rapport::http::api
