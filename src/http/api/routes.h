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
#include "http/http.h"
#include "idempotency/idempotency.h"
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
  std::atomic<bool>& ready;  // false while starting or shutting down
};

void RegisterRoutes(Router& router, ApiContext& ctx);

// Per-resource parts of RegisterRoutes.
void AddContactRoutes(Router& router, ApiContext& ctx);
void AddCompanyRoutes(Router& router, ApiContext& ctx);
void AddFieldRoutes(Router& router, ApiContext& ctx);
void AddTagRoutes(Router& router, ApiContext& ctx);
void AddOpsRoutes(Router& router, ApiContext& ctx);
void AddActivityRoutes(Router& router, ApiContext& ctx);

// Wraps a POST handler so an Idempotency-Key makes retries safe (see idempotency.h).
Handler Idempotent(idempotency::IdempotencyService& idem, Handler inner);

}  // namespace rapport::http::api
