#include "store/keyset.h"

#include <charconv>

namespace rapport::store {
namespace {

constexpr char kSep = '\x1f';
constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string Base64Url(std::string_view in) {
  std::string out;
  uint32_t buf = 0;
  int bits = 0;
  for (unsigned char c : in) {
    buf = (buf << 8) | c;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kAlphabet[(buf >> bits) & 0x3f];
    }
  }
  if (bits > 0) out += kAlphabet[(buf << (6 - bits)) & 0x3f];
  return out;
}

std::optional<std::string> FromBase64Url(std::string_view in) {
  std::string out;
  uint32_t buf = 0;
  int bits = 0;
  for (char c : in) {
    size_t v = kAlphabet.find(c);
    if (v == std::string_view::npos) return std::nullopt;
    buf = (buf << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buf >> bits) & 0xff);
    }
  }
  return out;
}

std::optional<int64_t> ToInt(std::string_view s) {
  int64_t v;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

Result<SortKey> ParseSort(std::string_view sort, std::span<const SortColumn> allowed) {
  SortKey key;
  if (!sort.empty() && sort[0] == '-') {
    key.descending = true;
    sort.remove_prefix(1);
  }
  for (const auto& c : allowed) {
    if (c.name == sort) {
      key.column = &c;
      return key;
    }
  }
  std::string names;
  for (const auto& c : allowed) names += (names.empty() ? "" : ", ") + std::string(c.name);
  return InvalidArgument("sort must be one of: " + names + " (prefix - for descending)",
                         {{"sort", "must be one of: " + names}});
}

std::string EncodeCursor(const Cursor& c) {
  std::string raw = "1";
  raw += kSep + c.sort + kSep;
  if (const auto* i = std::get_if<int64_t>(&c.key)) {
    raw += "i" + std::to_string(*i);
  } else if (const auto* text = std::get_if<std::string>(&c.key)) {
    raw += "s" + *text;
  } else {
    raw += "n";
  }
  raw += kSep + std::to_string(c.id);
  return Base64Url(raw);
}

Result<Cursor> DecodeCursor(std::string_view text, std::string_view sort) {
  Status invalid =
      InvalidArgument("cursor is invalid (pass next_cursor unchanged, with the same sort)",
                      {{"cursor", "is invalid"}});
  auto raw = FromBase64Url(text);
  if (!raw) return invalid;
  std::vector<std::string_view> parts;
  std::string_view rest = *raw;
  for (size_t pos; (pos = rest.find(kSep)) != std::string_view::npos;) {
    parts.push_back(rest.substr(0, pos));
    rest.remove_prefix(pos + 1);
  }
  parts.push_back(rest);
  if (parts.size() != 4 || parts[0] != "1" || parts[1] != sort || parts[2].empty()) return invalid;
  Cursor c;
  c.sort = std::string(parts[1]);
  if (parts[2][0] == 'i') {
    auto v = ToInt(parts[2].substr(1));
    if (!v) return invalid;
    c.key = *v;
  } else if (parts[2][0] == 's') {
    c.key = std::string(parts[2].substr(1));
  } else if (parts[2] == "n") {
    c.key = Null{};
  } else {
    return invalid;
  }
  auto id = ToInt(parts[3]);
  if (!id) return invalid;
  c.id = *id;
  return c;
}

void AppendKeyset(std::string& sql, Params& params, const SortKey& sort,
                  const std::optional<Cursor>& after, int limit) {
  std::string expr(sort.column->expr);
  const char* dir = sort.descending ? "DESC" : "ASC";
  bool by_id = expr == "id";
  if (after) {
    std::string op = sort.descending ? " < " : " > ";
    size_t n = params.size();
    if (by_id) {
      sql += " AND id" + op + "$" + std::to_string(n + 1);
      params.emplace_back(after->id);
    } else {
      sql += " AND (" + expr + ", id)" + op + "($" + std::to_string(n + 1) + ", $" +
             std::to_string(n + 2) + ")";
      std::visit([&](const auto& v) { params.emplace_back(v); }, after->key);
      params.emplace_back(after->id);
    }
  }
  sql += " ORDER BY ";
  if (!by_id) sql += expr + " " + dir + ", ";
  sql += std::string("id ") + dir + " LIMIT " + std::to_string(limit + 1);
}

std::optional<std::string> NextCursor(std::vector<Row>& rows, const SortKey& sort, int limit,
                                      std::string_view sort_param, size_t id_col) {
  if (static_cast<int>(rows.size()) <= limit) return std::nullopt;
  rows.erase(rows.begin() + limit, rows.end());
  const Row& last = rows.back();
  Cursor c;
  c.sort = std::string(sort_param);
  c.id = last.Int(id_col);
  size_t key_col = last.size() - 1;
  if (last.IsNull(key_col)) {
    c.key = Null{};
  } else if (sort.column->is_text) {
    c.key = last.Text(key_col);
  } else {
    c.key = last.Int(key_col);
  }
  return EncodeCursor(c);
}

Result<int> ParseLimit(std::optional<std::string_view> text) {
  if (!text) return 50;
  auto v = ToInt(*text);
  if (!v || *v < 1 || *v > 1000) {
    return InvalidArgument("limit must be an integer from 1 to 1000",
                           {{"limit", "must be an integer from 1 to 1000"}});
  }
  return static_cast<int>(*v);
}

Result<ListStatement> ListStatement::Begin(std::string_view columns, std::string_view table,
                                           int64_t workspace_id, std::string_view sort,
                                           const std::optional<std::string>& cursor,
                                           std::span<const SortColumn> allowed) {
  ListStatement l;
  ASSIGN_OR_RETURN(l.sort_, ParseSort(sort, allowed));
  l.sort_param_ = std::string(sort);
  if (cursor) {
    ASSIGN_OR_RETURN(l.after_, DecodeCursor(*cursor, sort));
    if (std::holds_alternative<Null>(l.after_->key) && !l.sort_.column->nullable) {
      return InvalidArgument("cursor is invalid (pass next_cursor unchanged, with the same sort)",
                             {{"cursor", "is invalid"}});
    }
  }
  l.sql_ = "SELECT " + std::string(columns) + ", " + std::string(l.sort_.column->expr) + " FROM " +
           std::string(table) + " WHERE workspace_id = $1";
  l.params_ = {workspace_id};
  return l;
}

std::string ListStatement::Bind(Value v) {
  params_.push_back(std::move(v));
  return "$" + std::to_string(params_.size());
}

void ListStatement::And(std::string_view condition) {
  sql_ += " AND ";
  sql_ += condition;
}

Result<std::vector<Row>> ListStatement::Run(Txn& txn, int limit) const {
  if (!sort_.column->nullable) {
    std::string sql = sql_;
    Params params = params_;
    AppendKeyset(sql, params, sort_, after_, limit);
    return txn.Query(sql, params);
  }
  // The NULL rows, by id, come first ascending and last descending. The cursor tells which
  // block the page starts in; the page goes on into the other block when it ends early.
  const std::string expr(sort_.column->expr);
  const bool desc = sort_.descending;
  const std::string dir = desc ? " DESC" : " ASC";
  const bool after_null = after_ && std::holds_alternative<Null>(after_->key);
  auto null_block = [&](bool from_cursor) {
    std::string sql = sql_ + " AND " + expr + " IS NULL";
    Params params = params_;
    if (from_cursor) {
      params.emplace_back(after_->id);
      sql += std::string(" AND id ") + (desc ? "<" : ">") + " $" + std::to_string(params.size());
    }
    return std::pair(sql + " ORDER BY id" + dir, params);
  };
  auto value_block = [&](bool from_cursor) {
    std::string sql = sql_ + " AND " + expr + " IS NOT NULL";
    Params params = params_;
    if (from_cursor) {
      std::visit([&](const auto& v) { params.emplace_back(v); }, after_->key);
      params.emplace_back(after_->id);
      std::string k = "$" + std::to_string(params.size() - 1);
      std::string id = "$" + std::to_string(params.size());
      // The first condition bounds the index range; the second is the exact keyset.
      sql += " AND " + expr + (desc ? " <= " : " >= ") + k + " AND (" + expr + ", id)" +
             (desc ? " < " : " > ") + "(" + k + ", " + id + ")";
    }
    return std::pair(sql + " ORDER BY " + expr + dir + ", id" + dir, params);
  };
  std::vector<std::pair<std::string, Params>> blocks;
  if (!after_) {
    blocks.push_back(desc ? value_block(false) : null_block(false));
    blocks.push_back(desc ? null_block(false) : value_block(false));
  } else if (after_null) {
    blocks.push_back(null_block(true));
    if (!desc) blocks.push_back(value_block(false));
  } else {
    blocks.push_back(value_block(true));
    if (desc) blocks.push_back(null_block(false));
  }
  std::vector<Row> rows;
  for (auto& [sql, params] : blocks) {
    int want = limit + 1 - static_cast<int>(rows.size());
    if (want <= 0) break;
    ASSIGN_OR_RETURN(auto more, txn.Query(sql + " LIMIT " + std::to_string(want), params));
    for (auto& r : more) rows.push_back(std::move(r));
  }
  return rows;
}

std::optional<std::string> ListStatement::NextCursor(std::vector<Row>& rows, int limit) const {
  return store::NextCursor(rows, sort_, limit, sort_param_);
}

std::string ContainsPattern(std::string_view text) {
  std::string pattern = "%";
  for (char ch : text) {
    if (ch == '%' || ch == '_' || ch == '\\') pattern += '\\';
    pattern += ch;
  }
  return pattern + "%";
}

}  // namespace rapport::store
