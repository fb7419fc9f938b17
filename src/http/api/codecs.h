// JSON codecs of the REST resources: decode request bodies into domain input structs
// (rejecting unknown and mistyped fields) and encode domain structs into responses.
#pragma once

#include <boost/json.hpp>
#include <string>

#include "accounts/company.h"
#include "common/status.h"
#include "contacts/contact.h"
#include "fields/custom_field.h"
#include "tags/tag_service.h"

namespace rapport::http::api {

// `prefix` is prepended to field names in errors ("contacts[3].").
Result<contacts::ContactFields> DecodeContact(const boost::json::object& o, const std::string& prefix = "");
boost::json::object EncodeContact(const contacts::Contact& c);

Result<accounts::CompanyFields> DecodeCompany(const boost::json::object& o);
boost::json::object EncodeCompany(const accounts::Company& c);

Result<fields::FieldInput> DecodeFieldInput(const boost::json::object& o);
boost::json::object EncodeField(const fields::FieldDef& d);

boost::json::object EncodeTag(const tags::Tag& t);

}  // namespace rapport::http::api
