// The `rapport` command: serve, migrate, demo, apikey, user, segment.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "app/app.h"
#include "auth/api_keys.h"
#include "auth/audit.h"
#include "common/log.h"

namespace {

using rapport::app::App;

int Migrate(const std::string& data_dir) {
  auto app = rapport::app::OpenApp(data_dir);
  if (!app) {
    std::fprintf(stderr, "rapport migrate: %s\n", app.error().message().c_str());
    return 1;
  }
  std::printf("schema version %d\n", (*app)->store->schema_version());
  (*app)->store->Close();
  return 0;
}

int CreateApiKey(const std::string& data_dir, const std::string& role, const std::string& workspace,
                 const std::string& name) {
  auto app = rapport::app::OpenApp(data_dir);
  if (!app) {
    std::fprintf(stderr, "rapport apikey create: %s\n", app.error().message().c_str());
    return 1;
  }
  auto ws = rapport::auth::FindWorkspace(*(*app)->store, workspace);
  if (!ws) {
    std::fprintf(stderr, "rapport apikey create: %s\n", ws.error().message().c_str());
    return 1;
  }
  auto key = (*app)->api_keys->Create(*ws, role, name);
  if (!key) {
    std::string msg = key.error().message();
    std::fprintf(stderr, "rapport apikey create: %s\n", msg.c_str());
    return 2;
  }
  rapport::auth::AuditEntry event;
  event.workspace = *ws;
  event.action = "create";
  event.entity = "api_key";
  event.entity_id = key->key.id.value;
  event.changes = "{\"before\":null,\"after\":{\"prefix\":\"" + key->key.prefix + "\",\"role\":\"" +
                  key->key.role + "\",\"via\":\"cli\"}}";
  if (auto s = rapport::auth::RecordAudit(*(*app)->store, event, (*app)->clock.Now()); !s.ok()) {
    std::fprintf(stderr, "rapport apikey create: audit: %s\n", s.message().c_str());
    return 1;
  }
  std::fprintf(stderr, "API key %s (role %s, workspace %s). It is shown once; store it now.\n",
               key->key.prefix.c_str(), role.c_str(), workspace.c_str());
  std::printf("%s\n", key->secret.c_str());
  (*app)->store->Close();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{"Rapport: a self-hosted relationship-management system (CRM)."};
  cli.require_subcommand(1);
  std::string data_dir = "./data";

  rapport::app::ServeOptions serve;
  auto* serve_cmd = cli.add_subcommand("serve", "Serve the REST API and web UI.");
  serve_cmd->add_option("--data", serve.data_dir, "Data directory (created on first run)")
      ->envname("RAPPORT_DATA")
      ->default_val("./data");
  serve_cmd
      ->add_option("--listen", serve.listen,
                   "Address to listen on, HOST:PORT (port 0 picks a free one)")
      ->envname("RAPPORT_LISTEN")
      ->default_val("127.0.0.1:8080");
  serve_cmd->add_flag(
      "--trust-proxy", serve.trust_proxy,
      "Behind a reverse proxy: trust X-Forwarded-Proto (https cookies) and X-Forwarded-For");
  serve_cmd->add_option("--threads", serve.threads, "I/O threads (0: one per core)")
      ->default_val(0);
  serve_cmd
      ->add_option("--web", serve.web_dir,
                   "Directory of the built web UI (default: web/dist next to the build)")
      ->envname("RAPPORT_WEB");

  auto* migrate_cmd =
      cli.add_subcommand("migrate", "Create or upgrade the database schema, then exit.");
  migrate_cmd->add_option("--data", data_dir, "Data directory")
      ->envname("RAPPORT_DATA")
      ->default_val("./data");

  rapport::app::DemoOptions demo;
  auto* demo_cmd = cli.add_subcommand(
      "demo", "Fill the default workspace with generated companies and contacts.");
  demo_cmd->add_option("--data", demo.data_dir, "Data directory")
      ->envname("RAPPORT_DATA")
      ->default_val("./data");
  demo_cmd->add_option("--contacts", demo.contacts, "Number of contacts")
      ->default_val(1000)
      ->check(CLI::Range(0, 100000000));
  demo_cmd->add_option("--companies", demo.companies,
                       "Number of companies (default: contacts / 20)");
  demo_cmd->add_option("--seed", demo.seed, "Seed; the same seed generates the same data")
      ->default_val(1);

  auto* apikey_cmd = cli.add_subcommand("apikey", "Manage API keys.");
  apikey_cmd->require_subcommand(1);
  std::string role, workspace = "default", key_name;
  auto* apikey_create =
      apikey_cmd->add_subcommand("create", "Create an API key and print it on the last line.");
  apikey_create->add_option("--data", data_dir, "Data directory")
      ->envname("RAPPORT_DATA")
      ->default_val("./data");
  apikey_create->add_option("--role", role, "owner, admin, manager, member or viewer")->required();
  apikey_create->add_option("--workspace", workspace, "Workspace name")->default_val("default");
  apikey_create->add_option("--name", key_name, "A label for the key");

  rapport::app::UserAddOptions user_add;
  auto* user_cmd = cli.add_subcommand("user", "Manage users.");
  user_cmd->require_subcommand(1);
  auto* user_add_cmd = user_cmd->add_subcommand(
      "add",
      "Create a user (or add an existing one to a workspace) and print a one-time password.");
  user_add_cmd->add_option("--data", user_add.data_dir, "Data directory")
      ->envname("RAPPORT_DATA")
      ->default_val("./data");
  user_add_cmd->add_option("--email", user_add.email, "The user's email address")->required();
  user_add_cmd->add_option("--name", user_add.name, "Display name");
  user_add_cmd->add_option("--role", user_add.role, "owner, admin, manager, member or viewer")
      ->default_val("owner");
  user_add_cmd
      ->add_option("--workspace", user_add.workspace, "Workspace name (created when missing)")
      ->default_val("default");
  user_add_cmd->add_flag(
      "--password-stdin", user_add.password_stdin,
      "Read the password from the first line of stdin instead of generating one");

  rapport::app::SegmentEvalOptions seg_eval;
  auto* segment_cmd = cli.add_subcommand("segment", "Work with segments.");
  segment_cmd->require_subcommand(1);
  auto* segment_eval_cmd = segment_cmd->add_subcommand(
      "eval", "Print the contacts a segment rule selects (see docs/segment-language.md).");
  segment_eval_cmd->add_option("--data", seg_eval.data_dir, "Data directory")
      ->envname("RAPPORT_DATA")
      ->default_val("./data");
  segment_eval_cmd->add_option("--workspace", seg_eval.workspace, "Workspace name")
      ->default_val("default");
  segment_eval_cmd->add_option("--format", seg_eval.format, "ids (one per line), count or json")
      ->check(CLI::IsMember({"ids", "count", "json"}))
      ->default_val("ids");
  segment_eval_cmd->add_flag("--sql", seg_eval.sql,
                             "Evaluate with the SQL reference evaluator instead of the engine");
  segment_eval_cmd->add_option("rule", seg_eval.rule, "The rule, e.g. 'tag \"vip\"'")->required();

  CLI11_PARSE(cli, argc, argv);

  try {
    if (*serve_cmd) return rapport::app::Serve(serve);
    if (*migrate_cmd) return Migrate(data_dir);
    if (*demo_cmd) return rapport::app::Demo(demo);
    if (*apikey_create) return CreateApiKey(data_dir, role, workspace, key_name);
    if (*user_add_cmd) return rapport::app::UserAdd(user_add);
    if (*segment_eval_cmd) return rapport::app::SegmentEval(seg_eval);
  } catch (const std::exception& e) {
    rapport::log::Error("fatal error", {{"error", e.what()}});
    return 1;
  }
  return 0;
}
