-- Foundation schema: workspaces, users (owners of records), contacts, companies, tags,
-- custom fields, the change feed, idempotency keys and API keys.
-- Times are INTEGER microseconds since the Unix epoch (UTC); dates are 'YYYY-MM-DD' text.
-- Every table carries workspace_id, first in every secondary key. Ids are AUTOINCREMENT:
-- an id is never reused after a delete (caches, links and the change feed rely on it).

CREATE TABLE workspaces (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);
INSERT INTO workspaces (id, name, created_at)
VALUES (1, 'default', CAST(strftime('%s', 'now') AS INTEGER) * 1000000);

CREATE TABLE users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  email TEXT NOT NULL UNIQUE,
  name TEXT,
  created_at INTEGER NOT NULL
);

CREATE TABLE workspace_members (
  workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
  user_id INTEGER NOT NULL REFERENCES users(id),
  role TEXT NOT NULL,
  PRIMARY KEY (workspace_id, user_id)
) WITHOUT ROWID;

CREATE TABLE change_feed (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  workspace_id INTEGER NOT NULL,
  entity TEXT NOT NULL,
  entity_id INTEGER NOT NULL,
  kind TEXT NOT NULL,
  at INTEGER NOT NULL
);

CREATE TABLE companies (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
  name TEXT NOT NULL,
  domain TEXT,
  industry TEXT,
  size INTEGER,
  country TEXT,
  relationship TEXT NOT NULL,
  owner_id INTEGER REFERENCES users(id),
  custom TEXT NOT NULL DEFAULT '{}',
  version INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX companies_domain ON companies (workspace_id, domain) WHERE domain IS NOT NULL;
CREATE INDEX companies_name ON companies (workspace_id, name, id);
CREATE INDEX companies_created ON companies (workspace_id, created_at, id);
CREATE INDEX companies_updated ON companies (workspace_id, updated_at, id);

CREATE TABLE contacts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
  email TEXT,
  phone TEXT,
  first_name TEXT,
  last_name TEXT,
  birthday TEXT,
  timezone TEXT,
  lifecycle_stage TEXT NOT NULL,
  owner_id INTEGER REFERENCES users(id),
  company_id INTEGER REFERENCES companies(id) ON DELETE SET NULL,
  source TEXT,
  external_id TEXT,
  custom TEXT NOT NULL DEFAULT '{}',
  version INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX contacts_email ON contacts (workspace_id, email) WHERE email IS NOT NULL;
CREATE UNIQUE INDEX contacts_external_id ON contacts (workspace_id, external_id)
  WHERE external_id IS NOT NULL;
CREATE INDEX contacts_company ON contacts (workspace_id, company_id);
CREATE INDEX contacts_created ON contacts (workspace_id, created_at, id);
CREATE INDEX contacts_updated ON contacts (workspace_id, updated_at, id);
-- Sort orders for lists: NULL sorts as '' so keyset pagination compares total values.
CREATE INDEX contacts_last_name ON contacts (workspace_id, COALESCE(last_name, ''), id);
CREATE INDEX contacts_first_name ON contacts (workspace_id, COALESCE(first_name, ''), id);
CREATE INDEX contacts_email_sort ON contacts (workspace_id, COALESCE(email, ''), id);

-- Full-text search over name, email and company name; rowid = contacts.id. Maintained by
-- the contact repository (SQLite dialect only; PostgreSQL will use a tsvector column).
CREATE VIRTUAL TABLE contacts_fts USING fts5 (
  name, email, company, tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TABLE tags (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
  name TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE (workspace_id, name)
);

-- Key columns come first in WITHOUT ROWID tables: SQLite 3.40's integrity_check reports a
-- false "NULL value" for a NOT NULL column placed before the primary key columns.
CREATE TABLE contact_tags (
  tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
  contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  workspace_id INTEGER NOT NULL,
  PRIMARY KEY (tag_id, contact_id)
) WITHOUT ROWID;
CREATE INDEX contact_tags_contact ON contact_tags (contact_id, tag_id);

CREATE TABLE company_tags (
  tag_id INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
  company_id INTEGER NOT NULL REFERENCES companies(id) ON DELETE CASCADE,
  workspace_id INTEGER NOT NULL,
  PRIMARY KEY (tag_id, company_id)
) WITHOUT ROWID;
CREATE INDEX company_tags_company ON company_tags (company_id, tag_id);

CREATE TABLE custom_fields (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
  entity TEXT NOT NULL,          -- 'contact' | 'company'
  key TEXT NOT NULL,
  label TEXT NOT NULL,
  type TEXT NOT NULL,            -- text | number | boolean | date | enum
  options TEXT,                  -- JSON array of strings, for enum
  required INTEGER NOT NULL DEFAULT 0,
  version INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (workspace_id, entity, key)
);

CREATE TABLE idempotency_keys (
  workspace_id INTEGER NOT NULL,
  key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  status INTEGER NOT NULL,
  headers TEXT NOT NULL,         -- JSON object of response headers to replay
  body TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (workspace_id, key)
) WITHOUT ROWID;
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

CREATE TABLE api_keys (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
  name TEXT,
  prefix TEXT NOT NULL UNIQUE,
  key_hash TEXT NOT NULL,
  role TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER,
  revoked_at INTEGER
);
