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

int64_t RowView::SlowInt(size_t i) const {
  const Cell& c = cells_[i];
  switch (c.type) {
    case Cell::Type::kInt:
      return c.i;
    case Cell::Type::kReal:
      return static_cast<int64_t>(c.r);
    case Cell::Type::kText:
      return std::stoll(std::string(c.text));
    case Cell::Type::kNull:
      break;
  }
  return 0;
}

double RowView::Real(size_t i) const {
  const Cell& c = cells_[i];
  switch (c.type) {
    case Cell::Type::kReal:
      return c.r;
    case Cell::Type::kInt:
      return static_cast<double>(c.i);
    case Cell::Type::kText:
      return std::stod(std::string(c.text));
    case Cell::Type::kNull:
      break;
  }
  return 0;
}

std::string_view RowView::SlowText(size_t i) const {
  const Cell& c = cells_[i];
  switch (c.type) {
    case Cell::Type::kText:
      return c.text;
    case Cell::Type::kInt:
      scratch_ = std::to_string(c.i);
      return scratch_;
    case Cell::Type::kReal:
      scratch_ = std::to_string(c.r);
      return scratch_;
    case Cell::Type::kNull:
      break;
  }
  return {};
}

std::optional<int64_t> RowView::OptInt(size_t i) const {
  if (IsNull(i)) return std::nullopt;
  return Int(i);
}

Value RowView::Get(size_t i) const {
  const Cell& c = cells_[i];
  switch (c.type) {
    case Cell::Type::kInt:
      return c.i;
    case Cell::Type::kReal:
      return c.r;
    case Cell::Type::kText:
      return std::string(c.text);
    case Cell::Type::kNull:
      break;
  }
  return Null{};
}

Status Txn::QueryEach(std::string_view sql, const Params& params,
                      const std::function<Status(const RowView&)>& fn) {
  ASSIGN_OR_RETURN(auto rows, Query(sql, params));
  std::vector<Cell> cells;
  for (const Row& row : rows) {
    cells.assign(row.size(), Cell{});
    for (size_t i = 0; i < row.size(); ++i) {
      const Value& v = row.at(i);
      Cell& c = cells[i];
      if (const auto* n = std::get_if<int64_t>(&v)) {
        c.type = Cell::Type::kInt;
        c.i = *n;
      } else if (const auto* d = std::get_if<double>(&v)) {
        c.type = Cell::Type::kReal;
        c.r = *d;
      } else if (const auto* s = std::get_if<std::string>(&v)) {
        c.type = Cell::Type::kText;
        c.text = *s;
      }
    }
    RETURN_IF_ERROR(fn(RowView(cells.data(), cells.size())));
  }
  return Status::Ok();
}

Result<bool> Store::TryReadSeparately(const std::function<Status(Txn&)>&) { return false; }

Result<std::optional<Row>> Txn::QueryOne(std::string_view sql, const Params& params) {
  auto rows = Query(sql, params);
  if (!rows) return rows.error();
  if (rows->empty()) return std::optional<Row>();
  if (rows->size() > 1) return Internal("query expected at most one row: " + std::string(sql));
  return std::optional<Row>(std::move(rows->front()));
}

}  // namespace rapport::store
