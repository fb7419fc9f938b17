// Companies: organisations a workspace has a relationship with (customer, prospect,
// vendor, supplier, distributor, partner, other), with owner, custom fields and tags.
// Contacts link to a company. CompanyService is thread-safe; every write appends to the
// change feed in the same transaction.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/ids.h"
#include "common/patch.h"
#include "common/status.h"
#include "fields/custom_field.h"
#include "store/store.h"

namespace rapport::accounts {

inline constexpr const char* kRelationships[] = {"customer", "prospect", "vendor", "supplier",
                                                 "distributor", "partner", "other"};

struct Company {
  CompanyId id;
  std::string name;
  std::optional<std::string> domain, industry, country;
  std::optional<int64_t> size;
  std::string relationship = "prospect";
  std::optional<int64_t> owner_id;
  fields::CustomValues custom;
  std::vector<std::string> tags;
  int64_t contact_count = 0;
  int64_t version = 1;
  Micros created_at = 0, updated_at = 0;
};

// Create or merge-patch input: absent fields are untouched, null clears.
struct CompanyFields {
  Field<std::string> name, domain, industry, country, relationship;
  Field<int64_t> size, owner_id;
  std::optional<fields::CustomValues> custom;
  std::optional<std::vector<std::string>> tags;
};

struct CompanyQuery {
  int limit = 50;
  std::string sort = "id";
  std::optional<std::string> cursor, q, relationship, tag, country;
};

struct CompanyPage {
  std::vector<Company> data;
  std::optional<std::string> next_cursor;
};

class CompanyService {
 public:
  CompanyService(store::Store& store, Clock& clock) : store_(store), clock_(clock) {}

  // 422 naming every bad field; 409 if the domain is taken (existing id attached).
  Result<Company> Create(WorkspaceId ws, const CompanyFields& in);
  // The validation that needs no store (see ContactService::Check).
  Status Check(const CompanyFields& in, bool creating) const;
  Result<Company> Get(WorkspaceId ws, CompanyId id);
  // 412 (FailedPrecondition) when if_version is stale; nothing changes then.
  Result<Company> Update(WorkspaceId ws, CompanyId id, const CompanyFields& patch,
                         std::optional<int64_t> if_version);
  // Unlinks the company's contacts (their company becomes null), then deletes it.
  Status Delete(WorkspaceId ws, CompanyId id, std::optional<int64_t> if_version);
  // 400 for a bad sort, limit or cursor.
  Result<CompanyPage> List(WorkspaceId ws, const CompanyQuery& query);
  Result<Company> AddTags(WorkspaceId ws, CompanyId id, const std::vector<std::string>& tags);
  Result<Company> RemoveTag(WorkspaceId ws, CompanyId id, std::string_view tag);

  // The company's name, or NotFound; used when linking contacts (inside the caller's txn).
  static Result<std::string> NameOf(store::Txn& txn, WorkspaceId ws, CompanyId id);

 private:
  Result<Company> Load(store::Txn& txn, WorkspaceId ws, CompanyId id);
  store::Store& store_;
  Clock& clock_;
};

}  // namespace rapport::accounts
