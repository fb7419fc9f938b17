// Contacts: the people a workspace has relationships with. Standard fields (email, phone,
// names, birthday, timezone, lifecycle stage, owner, company, source, external id), custom
// fields and tags. Email and external_id are unique per workspace. Every write appends to
// the change feed and maintains the search index in the same transaction. Thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/ids.h"
#include "common/patch.h"
#include "common/status.h"
#include "fields/custom_field.h"
#include "store/store.h"

namespace rapport::contacts {

inline constexpr const char* kLifecycleStages[] = {"lead",    "subscriber", "customer", "advocate",
                                                   "at_risk", "churned",    "other"};

struct Contact {
  ContactId id;
  std::optional<std::string> email, phone, first_name, last_name, birthday, timezone;
  std::string lifecycle_stage = "lead";
  std::optional<int64_t> owner_id, company_id;
  std::optional<std::string> source, external_id;
  fields::CustomValues custom;
  std::vector<std::string> tags;
  int64_t version = 1;
  Micros created_at = 0, updated_at = 0;
};

// Create or merge-patch input: absent fields are untouched, null clears. `tags`, when
// present, replaces the whole tag set.
struct ContactFields {
  Field<std::string> email, phone, first_name, last_name, birthday, timezone, lifecycle_stage,
      source, external_id;
  Field<int64_t> owner_id, company_id;
  std::optional<fields::CustomValues> custom;
  std::optional<std::vector<std::string>> tags;
};

struct ContactQuery {
  int limit = 50;
  std::string sort = "id";
  std::optional<std::string> cursor, q, tag, lifecycle_stage, email, external_id;
  std::optional<int64_t> company_id;
  // Only these contacts (a segment's members, a rule's result); empty matches none.
  std::optional<std::vector<int64_t>> ids;
};

struct ContactPage {
  std::vector<Contact> data;
  std::optional<std::string> next_cursor;
};

inline constexpr size_t kMaxBatch = 1000;

// Names one contact by id, email or external id (the first one given is used).
struct ContactRef {
  std::optional<int64_t> id;
  std::optional<std::string> email, external_id;
};

// A create checked without the store (ContactService::PrepareBatch), waiting to be written.
struct PreparedContact {
  Contact contact;
  std::optional<fields::CustomValues> custom;  // validated against the definitions in the txn
  std::vector<std::string> tags;
};

class ContactService {
 public:
  ContactService(store::Store& store, Clock& clock) : store_(store), clock_(clock) {}

  // 422 naming every bad field; 409 when email or external_id is taken (the error carries
  // the existing contact's id).
  Result<Contact> Create(WorkspaceId ws, const ContactFields& in);
  // The validation that needs no store, for a create (`creating`) or a patch: every bad
  // field, so callers can report them together with their own decoding errors.
  Status Check(const ContactFields& in, bool creating) const;
  // Creates each item independently in one transaction: a bad item gets its own error and
  // does not stop the others. At most kMaxBatch items (InvalidArgument otherwise).
  Result<std::vector<Result<Contact>>> CreateBatch(WorkspaceId ws,
                                                   const std::vector<ContactFields>& items);
  // CreateBatch in two steps, so the checks that need no store can run before a caller
  // enters the single writer: PrepareBatch validates (InvalidArgument beyond kMaxBatch),
  // WriteBatch writes the items that passed and gives every item its result.
  Result<std::vector<Result<PreparedContact>>> PrepareBatch(
      const std::vector<ContactFields>& items) const;
  Result<std::vector<Result<Contact>>> WriteBatch(WorkspaceId ws,
                                                  std::vector<Result<PreparedContact>>& prepared);
  Result<Contact> Get(WorkspaceId ws, ContactId id);
  // 412 (FailedPrecondition) when if_version is stale; nothing changes then.
  Result<Contact> Update(WorkspaceId ws, ContactId id, const ContactFields& patch,
                         std::optional<int64_t> if_version);
  Status Delete(WorkspaceId ws, ContactId id, std::optional<int64_t> if_version);
  // 400 for a bad sort, limit, cursor or filter.
  Result<ContactPage> List(WorkspaceId ws, const ContactQuery& query);
  Result<Contact> AddTags(WorkspaceId ws, ContactId id, const std::vector<std::string>& tags);
  // NotFound if the contact does not carry the tag.
  Result<Contact> RemoveTag(WorkspaceId ws, ContactId id, std::string_view tag);

  // The contact `ref` names, inside the caller's transaction; NotFound if there is none.
  static Result<ContactId> Resolve(store::Txn& txn, WorkspaceId ws, const ContactRef& ref);

 private:
  store::Store& store_;
  Clock& clock_;
};

// Trimmed, lower-cased, validated address; the error says what is wrong.
Result<std::string> NormalizeEmail(std::string_view raw);
// "+" and digits only: separators removed, a leading "00" becomes "+"; 7-15 digits.
Result<std::string> NormalizePhone(std::string_view raw);

}  // namespace rapport::contacts
