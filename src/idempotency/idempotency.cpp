#include "idempotency/idempotency.h"

#include <sodium.h>

#include <boost/json.hpp>

namespace rapport::idempotency {
namespace {

constexpr std::string_view kSelect =
    "SELECT request_hash, status, headers, body FROM idempotency_keys "
    "WHERE workspace_id = $1 AND key = $2";
constexpr std::string_view kInsert =
    "INSERT INTO idempotency_keys (workspace_id, key, request_hash, status, headers, body, "
    "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)";
constexpr std::string_view kPurge = "DELETE FROM idempotency_keys WHERE created_at < $1";

std::string EncodeHeaders(const std::vector<std::pair<std::string, std::string>>& headers) {
  boost::json::array a;
  for (const auto& [k, v] : headers) a.push_back(boost::json::array{k, v});
  return boost::json::serialize(a);
}

std::vector<std::pair<std::string, std::string>> DecodeHeaders(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec || !v.is_array()) return out;
  for (const auto& h : v.as_array()) {
    if (h.is_array() && h.as_array().size() == 2 && h.as_array()[0].is_string() &&
        h.as_array()[1].is_string()) {
      out.emplace_back(h.as_array()[0].as_string(), h.as_array()[1].as_string());
    }
  }
  return out;
}

}  // namespace

Status IdempotencyService::CheckKey(std::string_view key) {
  if (key.empty() || key.size() > 255) {
    return ValidationFailed({{"Idempotency-Key", "must be 1 to 255 characters"}});
  }
  for (unsigned char c : key) {
    if (c < 0x21 || c > 0x7e) {
      return ValidationFailed({{"Idempotency-Key", "must be printable ASCII without spaces"}});
    }
  }
  return Status::Ok();
}

std::string IdempotencyService::RequestHash(std::string_view method, std::string_view path,
                                            std::string_view body) {
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  for (std::string_view part : {method, std::string_view("\n"), path, std::string_view("\n"), body}) {
    crypto_hash_sha256_update(&st, reinterpret_cast<const unsigned char*>(part.data()), part.size());
  }
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&st, digest);
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

Result<Outcome> IdempotencyService::Run(WorkspaceId ws, std::string_view key, std::string_view request_hash,
                                        const std::function<Result<StoredResponse>()>& execute) {
  Micros now = clock_.Now();
  return store_.Write([&](store::Txn& t) -> Result<Outcome> {
    ASSIGN_OR_RETURN(auto row, t.QueryOne(kSelect, {ws.value, std::string(key)}));
    if (row) {
      if (row->Text(0) != request_hash) {
        return ValidationFailed({{"Idempotency-Key",
                                  "was already used for a different request; use a new key"}});
      }
      return Outcome{{static_cast<int>(row->Int(1)), DecodeHeaders(row->Text(2)), row->Text(3)}, true};
    }
    ASSIGN_OR_RETURN(StoredResponse response, execute());
    RETURN_IF_ERROR(t.Exec(kInsert, {ws.value, std::string(key), std::string(request_hash),
                                     int64_t{response.status}, EncodeHeaders(response.headers),
                                     response.body, now})
                        .status());
    return Outcome{std::move(response), false};
  });
}

Result<int64_t> IdempotencyService::Purge() {
  Micros cutoff = clock_.Now() - kRetention;
  return store_.Write([&](store::Txn& t) { return t.Exec(kPurge, {cutoff}); });
}

}  // namespace rapport::idempotency
