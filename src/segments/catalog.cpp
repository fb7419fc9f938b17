#include "segments/catalog.h"

namespace rapport::segments {
namespace {

constexpr std::string_view kSelectTags = "SELECT name, id FROM tags WHERE workspace_id = $1";
constexpr std::string_view kSelectSegments =
    "SELECT name, id, kind FROM segments WHERE workspace_id = $1";
constexpr std::string_view kSelectActivityTypes =
    "SELECT name FROM activity_types WHERE workspace_id = $1 ORDER BY name";

}  // namespace

Result<Catalog> LoadCatalog(store::Txn& txn, WorkspaceId ws) {
  Catalog out;
  ASSIGN_OR_RETURN(auto contact_defs,
                   fields::FieldService::DefsFor(txn, ws, fields::Entity::kContact));
  for (auto& d : contact_defs) out.contact_fields.emplace(d.key, std::move(d));
  ASSIGN_OR_RETURN(auto company_defs,
                   fields::FieldService::DefsFor(txn, ws, fields::Entity::kCompany));
  for (auto& d : company_defs) out.company_fields.emplace(d.key, std::move(d));

  ASSIGN_OR_RETURN(auto tags, txn.Query(kSelectTags, {ws.value}));
  for (const auto& r : tags) out.tags.emplace(r.Text(0), r.Int(1));

  ASSIGN_OR_RETURN(auto segments, txn.Query(kSelectSegments, {ws.value}));
  for (const auto& r : segments) {
    out.segments.emplace(r.Text(0), CatalogSegment{r.Int(1), r.Text(2) == "dynamic"});
  }

  ASSIGN_OR_RETURN(auto types, txn.Query(kSelectActivityTypes, {ws.value}));
  for (const auto& r : types) out.custom_activity_types.push_back(r.Text(0));
  return out;
}

}  // namespace rapport::segments
