#include "http/api/codec.h"
#include "http/api/codecs.h"

namespace rapport::http::api {

Status DecodeCompany(const json::object& o, accounts::CompanyFields& f) {
  ObjectReader r(o);
  r.Text("name", f.name);
  r.Text("domain", f.domain);
  r.Text("industry", f.industry);
  r.Text("country", f.country);
  r.Text("relationship", f.relationship);
  r.Int("size", f.size);
  r.Int("owner_id", f.owner_id);
  r.Custom("custom", f.custom);
  r.TextList("tags", f.tags);
  return r.Finish();
}

json::object EncodeCompany(const accounts::Company& c) {
  return json::object{
      {"id", c.id.value},
      {"name", c.name},
      {"domain", OptString(c.domain)},
      {"industry", OptString(c.industry)},
      {"size", OptInt(c.size)},
      {"country", OptString(c.country)},
      {"relationship", c.relationship},
      {"owner_id", OptInt(c.owner_id)},
      {"custom", EncodeCustom(c.custom)},
      {"tags", StringArray(c.tags)},
      {"contact_count", c.contact_count},
      {"version", c.version},
      {"created_at", Timestamp(c.created_at)},
      {"updated_at", Timestamp(c.updated_at)},
  };
}

}  // namespace rapport::http::api
