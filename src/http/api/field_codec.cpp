#include "http/api/codec.h"
#include "http/api/codecs.h"

namespace rapport::http::api {

Result<fields::FieldInput> DecodeFieldInput(const json::object& o) {
  fields::FieldInput f;
  ObjectReader r(o);
  r.Text("entity", f.entity);
  r.Text("key", f.key);
  r.Text("label", f.label);
  r.Text("type", f.type);
  r.TextList("options", f.options);
  r.Bool("required", f.required);
  RETURN_IF_ERROR(r.Finish());
  return f;
}

json::object EncodeField(const fields::FieldDef& d) {
  json::object o{
      {"id", d.id.value},
      {"entity", fields::EntityName(d.entity)},
      {"key", d.key},
      {"label", d.label},
      {"type", fields::FieldTypeName(d.type)},
      {"required", d.required},
      {"version", d.version},
      {"created_at", Timestamp(d.created_at)},
      {"updated_at", Timestamp(d.updated_at)},
  };
  o["options"] = d.type == fields::FieldType::kEnum ? json::value(StringArray(d.options)) : nullptr;
  return o;
}

json::object EncodeTag(const tags::Tag& t) {
  return json::object{
      {"id", t.id.value},
      {"name", t.name},
      {"contact_count", t.contact_count},
      {"company_count", t.company_count},
      {"created_at", Timestamp(t.created_at)},
  };
}

}  // namespace rapport::http::api
