#include <algorithm>
#include <variant>

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

void WriteContact(JsonText& out, const contacts::Contact& c) {
  out.Raw("{\"id\":").Int(c.id.value);
  out.Raw(",\"email\":").OptText(c.email);
  out.Raw(",\"phone\":").OptText(c.phone);
  out.Raw(",\"first_name\":").OptText(c.first_name);
  out.Raw(",\"last_name\":").OptText(c.last_name);
  out.Raw(",\"birthday\":").OptText(c.birthday);
  out.Raw(",\"timezone\":").OptText(c.timezone);
  out.Raw(",\"lifecycle_stage\":").Text(c.lifecycle_stage);
  out.Raw(",\"owner_id\":").OptInt(c.owner_id);
  out.Raw(",\"company_id\":").OptInt(c.company_id);
  out.Raw(",\"source\":").OptText(c.source);
  out.Raw(",\"external_id\":").OptText(c.external_id);
  // The store's encoding is Boost.JSON's serialisation of the same object, except that
  // EncodeContact parses it again, and Boost 1.81's parser may round a double's last digit.
  out.Raw(",\"custom\":");
  bool has_double = std::any_of(c.custom.begin(), c.custom.end(), [](const auto& kv) {
    return std::holds_alternative<double>(kv.second);
  });
  if (has_double) {
    out.Value(EncodeCustom(c.custom));
  } else {
    out.Raw(c.custom.empty() ? "{}" : fields::EncodeCustom(c.custom));
  }
  out.Raw(",\"tags\":[");
  for (size_t i = 0; i < c.tags.size(); ++i) {
    if (i) out.Raw(',');
    out.Text(c.tags[i]);
  }
  out.Raw("],\"version\":").Int(c.version);
  out.Raw(",\"created_at\":").Time(c.created_at);
  out.Raw(",\"updated_at\":").Time(c.updated_at).Raw('}');
}

}  // namespace rapport::http::api
