-- Segments: dynamic (a rule, members maintained live by the engine) and static (a list).
CREATE TABLE segments (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
  name TEXT NOT NULL,
  description TEXT,
  kind TEXT NOT NULL,            -- dynamic | static
  rule TEXT,                     -- canonical text form (dynamic only)
  member_count INTEGER NOT NULL DEFAULT 0,
  evaluated_at INTEGER,          -- last full evaluation (dynamic)
  version INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (workspace_id, name)
);

-- Current members of every segment. For dynamic segments this is the materialised result
-- that `in_segment(...)` reads in SQL and that entered/exited events are computed against.
CREATE TABLE segment_members (
  segment_id INTEGER NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
  contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  workspace_id INTEGER NOT NULL,
  entered_at INTEGER NOT NULL,
  PRIMARY KEY (segment_id, contact_id)
) WITHOUT ROWID;
CREATE INDEX segment_members_contact ON segment_members (contact_id, segment_id);
