// Products and orders: /api/v1/products[/{id}], /api/v1/orders[/{id}[/refund]].
#include <charconv>

#include "http/api/codec.h"
#include "http/api/handler_util.h"
#include "http/api/order_codec.h"
#include "http/api/routes.h"
#include "store/keyset.h"

namespace rapport::http::api {
namespace {

namespace json = boost::json;

std::string ProductLocation(int64_t id) { return "/api/v1/products/" + std::to_string(id); }
std::string OrderLocation(int64_t id) { return "/api/v1/orders/" + std::to_string(id); }

Result<orders::ProductQuery> ParseProductQuery(const Request& req) {
  orders::ProductQuery q;
  ASSIGN_OR_RETURN(q.limit, store::ParseLimit(req.Query("limit")));
  q.cursor = QueryText(req, "cursor");
  q.q = QueryText(req, "q");
  q.category = QueryText(req, "category");
  return q;
}

Result<orders::OrderQuery> ParseOrderQuery(const Request& req) {
  orders::OrderQuery q;
  ASSIGN_OR_RETURN(q.limit, store::ParseLimit(req.Query("limit")));
  q.cursor = QueryText(req, "cursor");
  q.status = QueryText(req, "status");
  if (auto c = req.Query("contact_id")) {
    int64_t id = 0;
    auto [p, ec] = std::from_chars(c->data(), c->data() + c->size(), id);
    if (ec != std::errc() || p != c->data() + c->size() || id <= 0) {
      return InvalidArgument("contact_id must be a contact id",
                             {{"contact_id", "must be a positive integer"}});
    }
    q.contact_id = id;
  }
  return q;
}

}  // namespace

void AddOrderRoutes(Routes& routes, ApiContext& ctx) {
  using auth::Resource;
  auto& products = ctx.products;
  auto& orders = ctx.orders;
  const Policy read_products = Read(Resource::kProduct);
  const Policy write_products = Update(Resource::kProduct);
  const Policy read_orders = Read(Resource::kOrder);

  routes.Add("POST", "/api/v1/products", Create(Resource::kProduct),
             Idempotent(ctx.idempotency, [&products](Request& req) {
               return Handle([&]() -> Result<Response> {
                 ASSIGN_OR_RETURN(auto body, BodyObject(req));
                 orders::ProductFields fields;
                 if (Status s = DecodeProduct(body, fields); !s.ok())
                   return MergeErrors(s, products.Check(fields, true));
                 ASSIGN_OR_RETURN(auto p, products.Create(WorkspaceOf(req), fields));
                 return Json(201, EncodeProduct(p), p.version, ProductLocation(p.id.value));
               });
             }));

  routes.Add("GET", "/api/v1/products", read_products, [&products](Request& req) {
    return Handle([&]() -> Result<Response> {
      ASSIGN_OR_RETURN(auto query, ParseProductQuery(req));
      ASSIGN_OR_RETURN(auto page, products.List(WorkspaceOf(req), query));
      json::array data;
      for (const auto& p : page.data) data.push_back(EncodeProduct(p));
      return Page(std::move(data), page.next_cursor);
    });
  });

  routes.Add("GET", "/api/v1/products/{id}", read_products, [&products](Request& req) {
    return Handle([&]() -> Result<Response> {
      ASSIGN_OR_RETURN(int64_t id, PathId(req, "product"));
      ASSIGN_OR_RETURN(auto p, products.Get(WorkspaceOf(req), orders::ProductId(id)));
      return Json(200, EncodeProduct(p), p.version);
    });
  });

  routes.Add("PATCH", "/api/v1/products/{id}", write_products, [&products](Request& req) {
    return Handle([&]() -> Result<Response> {
      ASSIGN_OR_RETURN(int64_t id, PathId(req, "product"));
      ASSIGN_OR_RETURN(auto version, IfMatch(req));
      ASSIGN_OR_RETURN(auto body, BodyObject(req));
      orders::ProductFields patch;
      if (Status s = DecodeProduct(body, patch); !s.ok())
        return MergeErrors(s, products.Check(patch, false));
      ASSIGN_OR_RETURN(auto p,
                       products.Update(WorkspaceOf(req), orders::ProductId(id), patch, version));
      return Json(200, EncodeProduct(p), p.version);
    });
  });

  routes.Add("POST", "/api/v1/orders", Create(Resource::kOrder),
             Idempotent(ctx.idempotency, [&orders](Request& req) {
               return Handle([&]() -> Result<Response> {
                 ASSIGN_OR_RETURN(auto body, BodyObject(req));
                 orders::OrderInput in;
                 if (Status s = DecodeOrder(body, in); !s.ok())
                   return MergeErrors(s, orders.Check(in));
                 ASSIGN_OR_RETURN(auto placed, orders.Place(WorkspaceOf(req), in));
                 const orders::Order& o = placed.order;
                 return Json(placed.duplicate ? 200 : 201, EncodeOrder(o), o.version,
                             OrderLocation(o.id.value));
               });
             }));

  routes.Add("GET", "/api/v1/orders", read_orders, [&orders](Request& req) {
    return Handle([&]() -> Result<Response> {
      ASSIGN_OR_RETURN(auto query, ParseOrderQuery(req));
      ASSIGN_OR_RETURN(auto page, orders.List(WorkspaceOf(req), query));
      json::array data;
      for (const auto& o : page.data) data.push_back(EncodeOrder(o));
      return Page(std::move(data), page.next_cursor);
    });
  });

  routes.Add("GET", "/api/v1/orders/{id}", read_orders, [&orders](Request& req) {
    return Handle([&]() -> Result<Response> {
      ASSIGN_OR_RETURN(int64_t id, PathId(req, "order"));
      ASSIGN_OR_RETURN(auto o, orders.Get(WorkspaceOf(req), orders::OrderId(id)));
      return Json(200, EncodeOrder(o), o.version);
    });
  });

  routes.Add("PATCH", "/api/v1/orders/{id}", Update(Resource::kOrder), [&orders](Request& req) {
    return Handle([&]() -> Result<Response> {
      ASSIGN_OR_RETURN(int64_t id, PathId(req, "order"));
      ASSIGN_OR_RETURN(auto version, IfMatch(req));
      ASSIGN_OR_RETURN(auto body, BodyObject(req));
      std::optional<std::string> status;
      RETURN_IF_ERROR(DecodeOrderPatch(body, status));
      ASSIGN_OR_RETURN(auto o,
                       orders.SetStatus(WorkspaceOf(req), orders::OrderId(id), *status, version));
      return Json(200, EncodeOrder(o), o.version);
    });
  });

  routes.Add("POST", "/api/v1/orders/{id}/refund", Update(Resource::kOrder).AuditAs("refund"),
             Idempotent(ctx.idempotency, [&orders](Request& req) {
               return Handle([&]() -> Result<Response> {
                 ASSIGN_OR_RETURN(int64_t id, PathId(req, "order"));
                 ASSIGN_OR_RETURN(auto version, IfMatch(req));
                 ASSIGN_OR_RETURN(auto o,
                                  orders.Refund(WorkspaceOf(req), orders::OrderId(id), version));
                 return Json(200, EncodeOrder(o), o.version);
               });
             }));
}

}  // namespace rapport::http::api
