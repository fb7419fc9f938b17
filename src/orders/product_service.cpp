#include "common/strings.h"
#include "orders/order.h"
#include "store/change_feed.h"
#include "store/keyset.h"

namespace rapport::orders {
namespace {

constexpr std::string_view kCols =
    "id, sku, name, category, price, currency, version, created_at, updated_at";
constexpr std::string_view kSelectOne =
    "SELECT id, sku, name, category, price, currency, version, created_at, updated_at "
    "FROM products WHERE workspace_id = $1 AND id = $2";
constexpr std::string_view kBySku = "SELECT id FROM products WHERE workspace_id = $1 AND sku = $2";
constexpr std::string_view kInsert =
    "INSERT INTO products (workspace_id, sku, name, category, price, currency, version, "
    "created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $7) RETURNING id";
constexpr std::string_view kUpdate =
    "UPDATE products SET sku = $3, name = $4, category = $5, price = $6, currency = $7, "
    "version = version + 1, updated_at = $8 WHERE workspace_id = $1 AND id = $2";

constexpr store::SortColumn kSorts[] = {{"id", "id", false}};

constexpr size_t kMaxSku = 100;
constexpr size_t kMaxName = 200;
constexpr size_t kMaxCategory = 100;

Product Decode(const store::Row& r) {
  Product p;
  p.id = ProductId(r.Int(0));
  p.sku = r.Text(1);
  p.name = r.Text(2);
  p.category = r.OptText(3);
  p.price = activity::Money{r.Int(4), r.Text(5)};
  p.version = r.Int(6);
  p.created_at = r.Int(7);
  p.updated_at = r.Int(8);
  return p;
}

bool HasControl(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

// Applies `in` to `p`, appending an error for every bad field.
void ApplyFields(const ProductFields& in, Product& p, bool creating,
                 std::vector<FieldError>& errors) {
  auto required_text = [&](const Field<std::string>& f, const char* name, size_t max,
                           std::string& out) {
    if (!f.has_value()) {
      if (creating) errors.push_back({name, "is required"});
      return;
    }
    std::string v(f->has_value() ? Trim(**f) : std::string_view());
    if (v.empty()) {
      errors.push_back({name, "is required and must not be empty"});
    } else if (Utf8Length(v) > max) {
      errors.push_back({name, "must be at most " + std::to_string(max) + " characters"});
    } else if (HasControl(v)) {
      errors.push_back({name, "must not contain control characters"});
    } else {
      out = std::move(v);
    }
  };
  required_text(in.sku, "sku", kMaxSku, p.sku);
  required_text(in.name, "name", kMaxName, p.name);
  if (in.category.has_value()) {
    std::string v(in.category->has_value() ? Trim(**in.category) : std::string_view());
    if (Utf8Length(v) > kMaxCategory) {
      errors.push_back({"category", "must be at most 100 characters"});
    } else if (HasControl(v)) {
      errors.push_back({"category", "must not contain control characters"});
    } else if (v.empty()) {
      p.category.reset();
    } else {
      p.category = std::move(v);
    }
  }
  if (!in.price.has_value()) {
    if (creating) errors.push_back({"price", "is required"});
  } else if (!in.price->has_value()) {
    errors.push_back({"price", "is required"});
  } else {
    const activity::Money& m = **in.price;
    if (m.value < 0 || m.value > activity::kMaxAmount) {
      errors.push_back({"price.value", "must be 0 to 10^15 minor units"});
    }
    if (!activity::IsCurrency(m.currency)) {
      errors.push_back({"price.currency", "must be an ISO 4217 code such as EUR"});
    }
    p.price = m;
  }
}

Status SkuTaken(const std::string& sku, int64_t existing) {
  Status s(StatusCode::kAlreadyExists,
           "a product with sku " + sku + " already exists (id " + std::to_string(existing) + ")",
           {{"sku", "is already used by product " + std::to_string(existing)}});
  s.conflicting_id = existing;
  return s;
}

// 409 if another product has `p.sku`.
Status CheckSkuFree(store::Txn& t, WorkspaceId ws, const Product& p) {
  ASSIGN_OR_RETURN(auto row, t.QueryOne(kBySku, {ws.value, p.sku}));
  if (row && row->Int(0) != p.id.value) return SkuTaken(p.sku, row->Int(0));
  return Status::Ok();
}

Result<Product> Load(store::Txn& t, WorkspaceId ws, ProductId id) {
  ASSIGN_OR_RETURN(auto row, t.QueryOne(kSelectOne, {ws.value, id.value}));
  if (!row) return NotFound("product " + std::to_string(id.value) + " not found");
  return Decode(*row);
}

}  // namespace

Status ProductService::Check(const ProductFields& in, bool creating) const {
  Product scratch;
  std::vector<FieldError> errors;
  ApplyFields(in, scratch, creating, errors);
  if (!errors.empty()) return ValidationFailed(std::move(errors));
  return Status::Ok();
}

Result<Product> ProductService::Create(WorkspaceId ws, const ProductFields& in) {
  Product p;
  std::vector<FieldError> errors;
  ApplyFields(in, p, true, errors);
  if (!errors.empty()) return ValidationFailed(std::move(errors));
  Micros now = clock_.Now();
  return store_.Write([&](store::Txn& t) -> Result<Product> {
    RETURN_IF_ERROR(CheckSkuFree(t, ws, p));
    auto row = t.QueryOne(kInsert, {ws.value, p.sku, p.name, store::Opt(p.category), p.price.value,
                                    p.price.currency, now});
    if (!row) return row.error();
    p.id = ProductId((*row)->Int(0));
    p.created_at = p.updated_at = now;
    RETURN_IF_ERROR(
        store::AppendChange(t, ws, "product", p.id.value, store::ChangeKind::kCreated, now));
    return p;
  });
}

Result<Product> ProductService::Get(WorkspaceId ws, ProductId id) {
  return store_.Read([&](store::Txn& t) { return Load(t, ws, id); });
}

Result<Product> ProductService::Update(WorkspaceId ws, ProductId id, const ProductFields& patch,
                                       std::optional<int64_t> if_version) {
  RETURN_IF_ERROR(Check(patch, false));
  Micros now = clock_.Now();
  return store_.Write([&](store::Txn& t) -> Result<Product> {
    ASSIGN_OR_RETURN(Product p, Load(t, ws, id));
    if (if_version && *if_version != p.version) {
      return FailedPrecondition("product " + std::to_string(id.value) + " has changed (version " +
                                std::to_string(p.version) + "); reload and retry");
    }
    std::vector<FieldError> errors;
    ApplyFields(patch, p, false, errors);
    if (!errors.empty()) return ValidationFailed(std::move(errors));
    RETURN_IF_ERROR(CheckSkuFree(t, ws, p));
    RETURN_IF_ERROR(t.Exec(kUpdate, {ws.value, id.value, p.sku, p.name, store::Opt(p.category),
                                     p.price.value, p.price.currency, now})
                        .status());
    p.version += 1;
    p.updated_at = now;
    RETURN_IF_ERROR(
        store::AppendChange(t, ws, "product", id.value, store::ChangeKind::kUpdated, now));
    return p;
  });
}

Result<ProductPage> ProductService::List(WorkspaceId ws, const ProductQuery& query) {
  ASSIGN_OR_RETURN(auto list, store::ListStatement::Begin(kCols, "products", ws.value, "id",
                                                          query.cursor, kSorts));
  if (query.category) list.And("category = " + list.Bind(std::string(Trim(*query.category))));
  if (query.q && !Trim(*query.q).empty()) {
    std::string p = list.Bind(store::ContainsPattern(Trim(*query.q)));
    list.And("(sku LIKE " + p + " ESCAPE '\\' OR name LIKE " + p + " ESCAPE '\\')");
  }
  return store_.Read([&](store::Txn& t) -> Result<ProductPage> {
    ASSIGN_OR_RETURN(auto rows, list.Run(t, query.limit));
    ProductPage page;
    page.next_cursor = list.NextCursor(rows, query.limit);
    for (const auto& r : rows) page.data.push_back(Decode(r));
    return page;
  });
}

}  // namespace rapport::orders
