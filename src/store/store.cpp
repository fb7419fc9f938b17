#include "store/store.h"

namespace rapport::store {

int64_t Row::Int(size_t i) const {
  const Value& v = cols_[i];
  if (auto* p = std::get_if<int64_t>(&v)) return *p;
  if (auto* d = std::get_if<double>(&v)) return static_cast<int64_t>(*d);
  if (auto* s = std::get_if<std::string>(&v)) return std::stoll(*s);
  return 0;
}

double Row::Real(size_t i) const {
  const Value& v = cols_[i];
  if (auto* d = std::get_if<double>(&v)) return *d;
  if (auto* p = std::get_if<int64_t>(&v)) return static_cast<double>(*p);
  if (auto* s = std::get_if<std::string>(&v)) return std::stod(*s);
  return 0;
}

std::string Row::Text(size_t i) const {
  const Value& v = cols_[i];
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  if (auto* p = std::get_if<int64_t>(&v)) return std::to_string(*p);
  if (auto* d = std::get_if<double>(&v)) return std::to_string(*d);
  return {};
}

std::optional<int64_t> Row::OptInt(size_t i) const {
  if (IsNull(i)) return std::nullopt;
  return Int(i);
}

std::optional<std::string> Row::OptText(size_t i) const {
  if (IsNull(i)) return std::nullopt;
  return Text(i);
}

Result<std::optional<Row>> Txn::QueryOne(std::string_view sql, const Params& params) {
  auto rows = Query(sql, params);
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<Row>();
  if (rows->size() > 1) return Internal("query expected at most one row: " + std::string(sql));
  return std::optional<Row>(std::move(rows->front()));
}

}  // namespace rapport::store
