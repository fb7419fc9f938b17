// JSON codecs of the REST resources: decode request bodies into domain input structs
// (rejecting unknown and mistyped fields) and encode domain structs into responses.
#pragma once

#include <boost/json.hpp>
#include <string>

#include "accounts/company.h"
#include "common/status.h"
#include "contacts/contact.h"
#include "fields/custom_field.h"
#include "http/api/json_text.h"
#include "tags/tag_service.h"

namespace rapport::http::api {

// Decoders fill `out` with every well-typed member and return the errors of the others
// (mistyped, unknown). `prefix` is prepended to field names in errors ("contacts[3].").
Status DecodeContact(const boost::json::object& o, contacts::ContactFields& out,
                     const std::string& prefix = "");
boost::json::object EncodeContact(const contacts::Contact& c);
// json::serialize(EncodeContact(c)), written without the tree (batch imports audit every
// contact they create).
void WriteContact(JsonText& out, const contacts::Contact& c);

Status DecodeCompany(const boost::json::object& o, accounts::CompanyFields& out);
boost::json::object EncodeCompany(const accounts::Company& c);

Result<fields::FieldInput> DecodeFieldInput(const boost::json::object& o);
boost::json::object EncodeField(const fields::FieldDef& d);

boost::json::object EncodeTag(const tags::Tag& t);

}  // namespace rapport::http::api
