// JSON codecs of products and orders. Money is {"value": <minor units>, "currency": "EUR"}
// for a product's price; an order carries one `currency` and integer amounts per line.
#pragma once

#include <boost/json.hpp>
#include <optional>
#include <string>

#include "common/status.h"
#include "orders/order.h"

namespace rapport::http::api {

// Fill `out` with every well-typed member; return the errors of the others.
Status DecodeProduct(const boost::json::object& o, orders::ProductFields& out);
boost::json::object EncodeProduct(const orders::Product& p);

// Line errors are named `items[2].quantity`.
Status DecodeOrder(const boost::json::object& o, orders::OrderInput& out);
// A PATCH body: only `status` may change (other order fields are immutable).
Status DecodeOrderPatch(const boost::json::object& o, std::optional<std::string>& status);
boost::json::object EncodeOrder(const orders::Order& o);

}  // namespace rapport::http::api
