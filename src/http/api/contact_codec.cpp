#include "http/api/codec.h"
#include "http/api/codecs.h"

namespace rapport::http::api {

Status DecodeContact(const json::object& o, contacts::ContactFields& f, const std::string& prefix) {
  ObjectReader r(o, prefix);
  r.Text("email", f.email);
  r.Text("phone", f.phone);
  r.Text("first_name", f.first_name);
  r.Text("last_name", f.last_name);
  r.Text("birthday", f.birthday);
  r.Text("timezone", f.timezone);
  r.Text("lifecycle_stage", f.lifecycle_stage);
  r.Text("source", f.source);
  r.Text("external_id", f.external_id);
  r.Int("owner_id", f.owner_id);
  r.Int("company_id", f.company_id);
  r.Custom("custom", f.custom);
  r.TextList("tags", f.tags);
  return r.Finish();
}

json::object EncodeContact(const contacts::Contact& c) {
  return json::object{
      {"id", c.id.value},
      {"email", OptString(c.email)},
      {"phone", OptString(c.phone)},
      {"first_name", OptString(c.first_name)},
      {"last_name", OptString(c.last_name)},
      {"birthday", OptString(c.birthday)},
      {"timezone", OptString(c.timezone)},
      {"lifecycle_stage", c.lifecycle_stage},
      {"owner_id", OptInt(c.owner_id)},
      {"company_id", OptInt(c.company_id)},
      {"source", OptString(c.source)},
      {"external_id", OptString(c.external_id)},
      {"custom", EncodeCustom(c.custom)},
      {"tags", StringArray(c.tags)},
      {"version", c.version},
      {"created_at", Timestamp(c.created_at)},
      {"updated_at", Timestamp(c.updated_at)},
  };
}

}  // namespace rapport::http::api
