// `rapport user add`: the first owner (and later users) from the command line.
#include <cstdio>
#include <iostream>
#include <string>

#include "app/app.h"
#include "auth/audit.h"
#include "auth/passwords.h"
#include "auth/roles.h"

namespace rapport::app {

int UserAdd(const UserAddOptions& options) {
  auto role = auth::ParseRole(options.role);
  if (!role) {
    std::fprintf(stderr,
                 "rapport user add: --role must be owner, admin, manager, member or viewer\n");
    return 2;
  }
  std::string password;
  bool generated = false;
  if (options.password_stdin) {
    if (!std::getline(std::cin, password)) {
      std::fprintf(stderr, "rapport user add: no password on stdin\n");
      return 2;
    }
    if (!password.empty() && password.back() == '\r') password.pop_back();
  } else {
    password = auth::GeneratePassword();
    generated = true;
  }
  auto opened = OpenApp(options.data_dir);
  if (!opened) {
    std::fprintf(stderr, "rapport user add: %s\n", opened.error().message().c_str());
    return 1;
  }
  App& app = **opened;
  auto ws = auth::EnsureWorkspace(*app.store, app.clock, options.workspace);
  if (!ws) {
    std::fprintf(stderr, "rapport user add: %s\n", ws.error().message().c_str());
    return 2;
  }
  std::optional<std::string> name;
  if (!options.name.empty()) name = options.name;
  auto added = app.users->Add(*ws, options.email, name, *role, std::nullopt);
  Status s = added.status();
  // A new user gets the password; an existing one keeps theirs unless one was given.
  bool set_password = added && (added->created || options.password_stdin);
  if (s.ok() && set_password) s = app.users->SetPassword(added->user.id, password);
  if (!s.ok()) {
    std::string msg = s.message();
    for (const auto& f : s.fields()) msg += "; " + f.field + " " + f.message;
    std::fprintf(stderr, "rapport user add: %s\n", msg.c_str());
    app.store->Close();
    return 2;
  }
  auth::AuditEntry event;
  event.workspace = *ws;
  event.action = added->created ? "create" : "update";
  event.entity = "user";
  event.entity_id = added->user.id.value;
  event.changes = std::string("{\"before\":null,\"after\":{\"role\":\"") + auth::RoleName(*role) +
                  "\",\"via\":\"cli\"}}";
  if (Status a = auth::RecordAudit(*app.store, event, app.clock.Now()); !a.ok()) {
    std::fprintf(stderr, "rapport user add: audit: %s\n", a.message().c_str());
  }
  std::fprintf(stderr, "%s %s is %s of workspace \"%s\".\n",
               added->created ? "Created user" : "User", added->user.email.c_str(),
               auth::RoleName(*role), options.workspace.c_str());
  if (generated && set_password) {
    std::fprintf(stderr,
                 "One-time password below (shown once; change it after signing in with POST "
                 "/api/v1/auth/password):\n");
    std::printf("%s\n", password.c_str());
  }
  app.store->Close();
  return 0;
}

}  // namespace rapport::app
