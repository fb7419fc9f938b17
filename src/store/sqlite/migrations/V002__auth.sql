-- Users' credentials, server-side sessions and the audit log.
-- Secrets are never stored: passwords as argon2id strings, session tokens as BLAKE2b
-- digests; the CSRF token is derived from the session token and not stored at all.

ALTER TABLE users ADD COLUMN password_hash TEXT;
ALTER TABLE users ADD COLUMN password_changed_at INTEGER;

CREATE INDEX workspace_members_user ON workspace_members (user_id, workspace_id);

CREATE TABLE sessions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id INTEGER NOT NULL REFERENCES users(id),
  token_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,   -- absolute expiry; idle expiry is last_seen_at + idle timeout
  revoked_at INTEGER,
  user_agent TEXT,
  ip TEXT
);
CREATE INDEX sessions_user ON sessions (user_id, id);

-- One row per write and per security event, written in the same transaction as the write.
-- actor_type: user | api_key | system | anonymous. changes: JSON {"before": {...}, "after": {...}}
-- holding only the changed fields (the whole record for creates and deletes).
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  workspace_id INTEGER NOT NULL,
  at INTEGER NOT NULL,
  actor_type TEXT NOT NULL,
  actor_id INTEGER,
  action TEXT NOT NULL,
  entity TEXT NOT NULL,
  entity_id INTEGER,
  changes TEXT,
  request_id TEXT,
  ip TEXT
);
CREATE INDEX audit_log_entity ON audit_log (workspace_id, entity, entity_id, id);
CREATE INDEX audit_log_actor ON audit_log (workspace_id, actor_type, actor_id, id);
CREATE INDEX audit_log_at ON audit_log (workspace_id, at, id);
