-- The activity log (append-only; the source of truth for everything derived), custom
-- activity types, and the per-contact aggregates maintained in the same transaction as
-- each activity. (V002 is reserved for users, sessions and the audit log.)

CREATE TABLE activity_types (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
  name TEXT NOT NULL,
  label TEXT NOT NULL,
  schema TEXT NOT NULL,          -- JSON: {"properties": {"name": "string|number|boolean|date"}, "required": [...]}
  created_at INTEGER NOT NULL,
  UNIQUE (workspace_id, name)
);

CREATE TABLE activities (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
  contact_id INTEGER REFERENCES contacts(id) ON DELETE CASCADE,
  company_id INTEGER REFERENCES companies(id) ON DELETE CASCADE,
  type TEXT NOT NULL,
  channel TEXT NOT NULL,
  occurred_at INTEGER NOT NULL,
  amount INTEGER,                -- minor units; negative for refunds
  currency TEXT,                 -- ISO 4217, set with amount
  properties TEXT NOT NULL DEFAULT '{}',
  source TEXT,
  author_id INTEGER,
  client_id TEXT,                -- caller's id: the same id twice stores one activity
  recorded_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX activities_client_id ON activities (workspace_id, client_id) WHERE client_id IS NOT NULL;
CREATE INDEX activities_contact ON activities (workspace_id, contact_id, occurred_at, id);
CREATE INDEX activities_company ON activities (workspace_id, company_id, occurred_at, id);

-- Daily buckets per contact and type: windowed counts (30/90/365 days) read at most one
-- row per day instead of scanning the log.
CREATE TABLE contact_activity_days (
  contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  type TEXT NOT NULL,
  day INTEGER NOT NULL,          -- days since 1970-01-01 (UTC)
  workspace_id INTEGER NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (contact_id, type, day)
) WITHOUT ROWID;

-- Purchases and refunds per contact and currency.
CREATE TABLE contact_revenue (
  contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  currency TEXT NOT NULL,
  workspace_id INTEGER NOT NULL,
  purchase_count INTEGER NOT NULL DEFAULT 0,
  purchase_total INTEGER NOT NULL DEFAULT 0,
  refund_count INTEGER NOT NULL DEFAULT 0,
  refund_total INTEGER NOT NULL DEFAULT 0,   -- positive amount refunded
  first_purchase_at INTEGER,
  last_purchase_at INTEGER,
  PRIMARY KEY (contact_id, currency)
) WITHOUT ROWID;

-- The latest touch per channel.
CREATE TABLE contact_channel_touch (
  contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  channel TEXT NOT NULL,
  workspace_id INTEGER NOT NULL,
  last_at INTEGER NOT NULL,
  PRIMARY KEY (contact_id, channel)
) WITHOUT ROWID;

CREATE TABLE products (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
  sku TEXT NOT NULL,
  name TEXT NOT NULL,
  category TEXT,
  price INTEGER NOT NULL,
  currency TEXT NOT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (workspace_id, sku)
);

CREATE TABLE orders (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
  contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  status TEXT NOT NULL,          -- paid | refunded | cancelled
  placed_at INTEGER NOT NULL,
  channel TEXT NOT NULL,
  currency TEXT NOT NULL,
  total INTEGER NOT NULL,        -- minor units, after line discounts
  client_id TEXT,
  purchase_activity_id INTEGER,
  refund_activity_id INTEGER,
  version INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX orders_client_id ON orders (workspace_id, client_id) WHERE client_id IS NOT NULL;
CREATE INDEX orders_contact ON orders (workspace_id, contact_id, placed_at, id);
CREATE INDEX orders_placed ON orders (workspace_id, placed_at, id);

CREATE TABLE order_items (
  order_id INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
  line INTEGER NOT NULL,
  product_id INTEGER NOT NULL REFERENCES products(id),
  workspace_id INTEGER NOT NULL,
  quantity INTEGER NOT NULL,
  unit_price INTEGER NOT NULL,
  discount INTEGER NOT NULL DEFAULT 0,
  sku TEXT NOT NULL,             -- the product's sku and name when ordered (orders are immutable)
  name TEXT NOT NULL,
  PRIMARY KEY (order_id, line)
) WITHOUT ROWID;
