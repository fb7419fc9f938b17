// What a rule may name in one workspace: custom fields of contacts and companies, tags,
// segments and custom activity types. The checker resolves names against it; LoadCatalog
// reads it inside the caller's transaction so a rule is checked against what it will be
// evaluated on.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/ids.h"
#include "common/status.h"
#include "fields/custom_field.h"
#include "store/store.h"

namespace rapport::segments {

struct CatalogSegment {
  int64_t id = 0;
  bool dynamic = true;
};

struct Catalog {
  std::map<std::string, fields::FieldDef> contact_fields;  // by key
  std::map<std::string, fields::FieldDef> company_fields;  // by key
  std::map<std::string, int64_t> tags;                     // name -> id
  std::map<std::string, CatalogSegment> segments;          // name -> segment
  std::vector<std::string> custom_activity_types;
  // Score names a rule may compare (churn_risk, clv, ...). Empty until scores exist; the
  // checker resolves a name found here to FieldSource::kScore.
  std::vector<std::string> scores;
};

Result<Catalog> LoadCatalog(store::Txn& txn, WorkspaceId ws);

}  // namespace rapport::segments
