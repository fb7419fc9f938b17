// ingest_contacts: how fast does a running Rapport server ingest contacts through
// POST /api/v1/contacts/batch, compared with a plain SQLite program (the "peer") that
// inserts the same contacts with the same schema and durability settings?
//
//   ingest_contacts --url http://127.0.0.1:PORT [--contacts 200000] [--connections 8]
//                   [--batch 1000] [--seed 1] [--companies N] [--peer-db /tmp/x.db]
//                   [--no-peer | --peer-only] [--api-key KEY] [--json]
//
// Contacts come from rapport_demo (seeded, so every run sends the same data). All request
// bodies are serialised before the clock starts; the rapport time runs from the first send
// to the last acknowledgement, over --connections keep-alive connections (one thread each,
// synchronous Beast). Every item of every response must have status 201.
//
// The peer: a fresh SQLite database migrated with the server's own migrations, WAL and
// synchronous=FULL (the server's pragmas), tags and companies pre-created; then ONE
// transaction with prepared statements inserting, per contact, what the server writes: the
// contacts row, its contacts_fts row (name, email, company name), its contact_tags rows and
// one change_feed row. See bench/README.md.
#include <sqlite3.h>

#include <algorithm>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "bench_common.h"
#include "demo/generator.h"

namespace {

using namespace bench;

constexpr std::string_view kUsage =
    "usage: ingest_contacts --url http://HOST:PORT [--contacts N] [--connections N]\n"
    "                       [--batch N] [--seed N] [--companies N] [--peer-db PATH]\n"
    "                       [--no-peer | --peer-only] [--api-key KEY] [--json]\n";

struct Options : CommonOptions {
  int64_t contacts = 200000;
  int connections = 8;
  int batch = 1000;
  uint64_t seed = 1;
  int64_t companies = -1;  // -1: contacts / 100
};

Options ParseOptions(int argc, char** argv) {
  Options o;
  ParseCommonOptions(argc, argv, &o, [&](const std::string& flag, const auto& value) {
    if (flag == "--contacts") {
      o.contacts = ParseInt(flag, value(), 1, 100'000'000);
    } else if (flag == "--connections") {
      o.connections = static_cast<int>(ParseInt(flag, value(), 1, 1024));
    } else if (flag == "--batch") {
      o.batch = static_cast<int>(ParseInt(flag, value(), 1, 1000));
    } else if (flag == "--seed") {
      o.seed = static_cast<uint64_t>(ParseInt(flag, value(), 0, INT64_MAX));
    } else if (flag == "--companies") {
      o.companies = ParseInt(flag, value(), 0, 1'000'000);
    } else {
      return false;
    }
    return true;
  });
  if (o.companies < 0) o.companies = o.contacts / 100;
  return o;
}

// ---------------------------------------------------------------------------------------
// Workload

struct Workload {
  std::vector<rapport::demo::DemoCompany> companies;
  std::vector<rapport::demo::DemoContact> contacts;
};

Workload Generate(const Options& o) {
  rapport::demo::DemoGenerator gen(o.seed);
  Workload w;
  w.companies.reserve(o.companies);
  for (int64_t i = 0; i < o.companies; ++i) w.companies.push_back(gen.NextCompany());
  w.contacts.reserve(o.contacts);
  for (int64_t i = 0; i < o.contacts; ++i) {
    w.contacts.push_back(gen.NextContact(static_cast<int>(o.companies)));
  }
  return w;
}

json::object CompanyJson(const rapport::demo::DemoCompany& c) {
  return {{"name", c.name}, {"domain", c.domain},   {"industry", c.industry},
          {"size", c.size}, {"country", c.country}, {"relationship", c.relationship}};
}

json::object ContactJson(const rapport::demo::DemoContact& c,
                         const std::vector<int64_t>& company_ids) {
  json::object o;
  o["email"] = c.email;
  if (!c.phone.empty()) o["phone"] = c.phone;
  o["first_name"] = c.first_name;
  o["last_name"] = c.last_name;
  if (!c.birthday.empty()) o["birthday"] = c.birthday;
  o["timezone"] = c.timezone;
  o["lifecycle_stage"] = c.lifecycle_stage;
  o["source"] = c.source;
  if (!c.external_id.empty()) o["external_id"] = c.external_id;
  if (c.company_index >= 0) o["company_id"] = company_ids[c.company_index];
  if (!c.tags.empty()) {
    json::array tags;
    for (const auto& t : c.tags) tags.emplace_back(t);
    o["tags"] = std::move(tags);
  }
  return o;
}

// ---------------------------------------------------------------------------------------
// HTTP

// Creates the workload's companies through the API (untimed); returns their ids in order.
std::vector<int64_t> CreateCompanies(const Options& o, const Workload& w) {
  std::vector<int64_t> ids;
  ids.reserve(w.companies.size());
  Connection conn(o);
  for (const auto& c : w.companies) {
    auto res = conn.Send(http::verb::post, "/api/v1/companies", json::serialize(CompanyJson(c)));
    if (res.result_int() != 201) {
      throw std::runtime_error("POST /api/v1/companies answered " +
                               std::to_string(res.result_int()) + ": " + Excerpt(res.body()) +
                               " (use --companies 0 to ingest contacts without companies)");
    }
    ids.push_back(json::parse(res.body()).at("id").to_number<int64_t>());
  }
  return ids;
}

// ---------------------------------------------------------------------------------------
// The peer: plain SQLite, one transaction.

void BindText(sqlite3_stmt* s, int i, const std::string& v) {
  if (v.empty()) {
    sqlite3_bind_null(s, i);
  } else {
    sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
  }
}

// Returns the seconds from BEGIN to the end of COMMIT.
double RunPeer(const std::string& path, const Workload& w) {
  RemoveDatabase(path);
  Sqlite db(path);
  SetUpPeerSchema(db);

  // Untimed setup: the tags and companies the contacts refer to.
  const int64_t setup_at = NowMicros();
  std::map<std::string, int64_t, std::less<>> tag_ids;
  std::vector<int64_t> company_ids;
  db.Exec("BEGIN");
  {
    sqlite3_stmt* tag =
        db.Prepare("INSERT INTO tags (workspace_id, name, created_at) VALUES (1, ?1, ?2)");
    for (std::string_view name : rapport::demo::DemoTagNames()) {
      sqlite3_bind_text(tag, 1, name.data(), static_cast<int>(name.size()), SQLITE_STATIC);
      sqlite3_bind_int64(tag, 2, setup_at);
      db.Run(tag);
      tag_ids.emplace(std::string(name), db.LastId());
    }
    sqlite3_stmt* company = db.Prepare(
        "INSERT INTO companies (workspace_id, name, domain, industry, size, country, "
        "relationship, created_at, updated_at) VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)");
    for (const auto& c : w.companies) {
      BindText(company, 1, c.name);
      BindText(company, 2, c.domain);
      BindText(company, 3, c.industry);
      sqlite3_bind_int64(company, 4, c.size);
      BindText(company, 5, c.country);
      BindText(company, 6, c.relationship);
      sqlite3_bind_int64(company, 7, setup_at);
      db.Run(company);
      company_ids.push_back(db.LastId());
    }
  }
  db.Exec("COMMIT");

  sqlite3_stmt* company_name =
      db.Prepare("SELECT name FROM companies WHERE workspace_id = 1 AND id = ?1");
  sqlite3_stmt* contact = db.Prepare(
      "INSERT INTO contacts (workspace_id, email, phone, first_name, last_name, birthday, "
      "timezone, lifecycle_stage, company_id, source, external_id, created_at, updated_at) "
      "VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11)");
  sqlite3_stmt* fts =
      db.Prepare("INSERT INTO contacts_fts (rowid, name, email, company) VALUES (?1, ?2, ?3, ?4)");
  sqlite3_stmt* contact_tag =
      db.Prepare("INSERT INTO contact_tags (workspace_id, tag_id, contact_id) VALUES (1, ?1, ?2)");
  sqlite3_stmt* change = db.Prepare(
      "INSERT INTO change_feed (workspace_id, entity, entity_id, kind, at) "
      "VALUES (1, 'contact', ?1, 'created', ?2)");

  auto t0 = SteadyClock::now();
  db.Exec("BEGIN");
  std::string full_name, company;
  for (const auto& c : w.contacts) {
    const int64_t now = NowMicros();
    company.clear();
    if (c.company_index >= 0) {
      // The server must check the company exists; it also needs its name for search.
      sqlite3_bind_int64(company_name, 1, company_ids[c.company_index]);
      int rc = sqlite3_step(company_name);
      if (rc != SQLITE_ROW) db.Check(rc == SQLITE_DONE ? SQLITE_ERROR : rc, "company lookup");
      company.assign(reinterpret_cast<const char*>(sqlite3_column_text(company_name, 0)));
      sqlite3_reset(company_name);
    }
    BindText(contact, 1, c.email);
    BindText(contact, 2, c.phone);
    BindText(contact, 3, c.first_name);
    BindText(contact, 4, c.last_name);
    BindText(contact, 5, c.birthday);
    BindText(contact, 6, c.timezone);
    BindText(contact, 7, c.lifecycle_stage);
    if (c.company_index >= 0) {
      sqlite3_bind_int64(contact, 8, company_ids[c.company_index]);
    } else {
      sqlite3_bind_null(contact, 8);
    }
    BindText(contact, 9, c.source);
    BindText(contact, 10, c.external_id);
    sqlite3_bind_int64(contact, 11, now);
    db.Run(contact);
    const int64_t id = db.LastId();

    full_name = c.first_name + " " + c.last_name;
    sqlite3_bind_int64(fts, 1, id);
    BindText(fts, 2, full_name);
    BindText(fts, 3, c.email);
    BindText(fts, 4, company);
    db.Run(fts);

    for (const auto& t : c.tags) {
      sqlite3_bind_int64(contact_tag, 1, tag_ids.find(t)->second);
      sqlite3_bind_int64(contact_tag, 2, id);
      db.Run(contact_tag);
    }

    sqlite3_bind_int64(change, 1, id);
    sqlite3_bind_int64(change, 2, now);
    db.Run(change);
  }
  db.Exec("COMMIT");
  return std::chrono::duration<double>(SteadyClock::now() - t0).count();
}

// ---------------------------------------------------------------------------------------
// Report

// Runs the peer on --peer-db (kept) or on a temporary file (removed afterwards).
double RunPeerDatabase(const Options& o, const Workload& w) {
  return WithPeerDatabase(o.peer_db, [&](const std::string& path) { return RunPeer(path, w); });
}

// The width of the label column of the results table.
constexpr int kLabelWidth = 36;

// --peer-only: no server, just the SQLite side (for looking at the peer by itself).
int PeerOnly(const Options& o, const Workload& w, std::ostream& out) {
  const double seconds = RunPeerDatabase(o, w);
  const double per_s = static_cast<double>(w.contacts.size()) / seconds;
  out << "ingest_contacts --peer-only: " << w.contacts.size() << " contacts (" << w.companies.size()
      << " companies), seed " << o.seed << "\n";
  PrintTableRow(out, kLabelWidth, "sqlite   peer, one transaction",
                static_cast<long long>(w.contacts.size()), seconds, per_s);
  out.flush();
  std::cout << "{\"bench\":\"ingest_contacts\",\"contacts\":" << w.contacts.size()
            << ",\"rapport_per_s\":null,\"sqlite_per_s\":" << JsonNumber(per_s, 1)
            << ",\"ratio\":null}" << std::endl;
  return 0;
}

int Main(int argc, char** argv) {
  const Options o = ParseOptions(argc, argv);
  std::ostream& out = o.json_only ? std::cerr : std::cout;

  Workload w = Generate(o);
  if (o.peer_only) return PeerOnly(o, w, out);
  std::vector<int64_t> company_ids = CreateCompanies(o, w);

  // Serialise every batch before the clock starts.
  std::vector<std::string> bodies;
  std::vector<size_t> batch_sizes;
  for (size_t begin = 0; begin < w.contacts.size(); begin += o.batch) {
    size_t end = std::min(w.contacts.size(), begin + o.batch);
    json::array items;
    items.reserve(end - begin);
    for (size_t i = begin; i < end; ++i) {
      items.emplace_back(ContactJson(w.contacts[i], company_ids));
    }
    bodies.push_back(json::serialize(json::object{{"contacts", std::move(items)}}));
    batch_sizes.push_back(end - begin);
  }

  IngestResult r = PostAll(o, o.connections, "/api/v1/contacts/batch", bodies, batch_sizes, 201,
                           false, "contacts");
  const double rapport_per_s = static_cast<double>(r.ok) / r.seconds;

  std::optional<double> peer_seconds;
  const int64_t n = static_cast<int64_t>(w.contacts.size());
  const bool ok = r.failed == 0 && r.errors.empty() && r.ok == n;
  if (o.peer && ok) {  // a failed run is not worth comparing
    peer_seconds = RunPeerDatabase(o, w);
  }
  std::optional<double> sqlite_per_s;
  if (peer_seconds) sqlite_per_s = static_cast<double>(n) / *peer_seconds;

  out << "ingest_contacts: " << n << " contacts (" << w.companies.size() << " companies), batch "
      << o.batch << ", " << o.connections << " connections, seed " << o.seed << "\n";
  PrintTableHeader(out, kLabelWidth, "contacts", "contacts/s");
  PrintTableRow(out, kLabelWidth, "rapport  POST /api/v1/contacts/batch",
                static_cast<long long>(r.ok), r.seconds, rapport_per_s);
  if (peer_seconds) {
    PrintTableRow(out, kLabelWidth, "sqlite   peer, one transaction", static_cast<long long>(n),
                  *peer_seconds, *sqlite_per_s);
    PrintRatioRow(out, kLabelWidth, rapport_per_s / *sqlite_per_s);
  } else if (o.peer) {
    out << "  sqlite   peer skipped: the rapport run failed\n";
  }
  PrintRoundTrip(out, r.batch_ms);
  if (!ok) {
    out << "  FAILED: " << n - r.ok << " of " << n << " contacts were not created\n";
    for (const auto& e : r.errors) out << "    " << e << "\n";
  }
  out.flush();

  // Fixed-point numbers (Boost.JSON would print doubles as 9.01564E4).
  std::string summary =
      "{\"bench\":\"ingest_contacts\",\"contacts\":" + std::to_string(n) +
      ",\"rapport_per_s\":" + JsonNumber(rapport_per_s, 1) +
      ",\"sqlite_per_s\":" + (sqlite_per_s ? JsonNumber(*sqlite_per_s, 1) : "null") +
      ",\"ratio\":" + (sqlite_per_s ? JsonNumber(rapport_per_s / *sqlite_per_s, 3) : "null") + "}";
  std::cout << summary << std::endl;
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  SetProgram("ingest_contacts", kUsage);
  return RunMain([&] { return Main(argc, argv); });
}
