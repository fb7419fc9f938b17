// The REST API's route table: every /api/v1 endpoint plus the operational endpoints
// (/healthz, /readyz, /metrics, /api/v1/openapi.json). Handlers are thin: decode, call a
// service, encode.
#pragma once

#include <atomic>

#include "accounts/company.h"
#include "activity/activity.h"
#include "common/metrics.h"
#include "contacts/contact.h"
#include "fields/custom_field.h"
#include "http/api/policy.h"
#include "http/http.h"
#include "idempotency/idempotency.h"
#include "orders/order.h"
#include "segments/segment.h"
#include "store/store.h"
#include "tags/tag_service.h"

namespace rapport::http::api {

struct ApiContext {
  store::Store& store;
  Metrics& metrics;
  contacts::ContactService& contacts;
  accounts::CompanyService& companies;
  fields::FieldService& fields;
  tags::TagService& tags;
  idempotency::IdempotencyService& idempotency;
  activity::ActivityService& activities;
  orders::OrderService& orders;
  orders::ProductService& products;
  segments::SegmentService& segments;
  std::atomic<bool>& ready;  // false while starting or shutting down
  AuthContext& auth;
};

// Registers every route with its policy (see policy.h); returns the (method, pattern,
// policy) list for tests and docs.
std::vector<RoutePolicy> RegisterRoutes(Router& router, ApiContext& ctx);

// Per-resource parts of RegisterRoutes. Each route declares its Policy in Routes::Add.
void AddContactRoutes(Routes& routes, ApiContext& ctx);
void AddCompanyRoutes(Routes& routes, ApiContext& ctx);
void AddFieldRoutes(Routes& routes, ApiContext& ctx);
void AddTagRoutes(Routes& routes, ApiContext& ctx);
void AddOrderRoutes(Routes& routes, ApiContext& ctx);  // products and orders
void AddSegmentRoutes(Routes& routes, ApiContext& ctx);
void AddOpsRoutes(Routes& routes, ApiContext& ctx);
void AddSecurityRoutes(Routes& routes, ApiContext& ctx);  // auth, api-keys, users, audit
// Still registered on a plain Router: RegisterRoutes gives these routes their policies
// from an explicit table until activity_routes.cpp moves to Routes.
void AddActivityRoutes(Routes& routes, ApiContext& ctx);

// Wraps a POST handler so an Idempotency-Key makes retries safe (see idempotency.h).
Handler Idempotent(idempotency::IdempotencyService& idem, Handler inner);

}  // namespace rapport::http::api
