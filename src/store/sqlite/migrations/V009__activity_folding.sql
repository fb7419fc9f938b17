-- New activities are written "unfolded" (folded = 0) and folded later, many at once, in
-- contact order (ActivityService::Fold): the fold adds them to the per-contact aggregates and
-- moves their entries from the small index of unfolded activities to the contact index. An
-- import commit used to insert an entry at a random place of the contact index and upsert
-- aggregate rows of thousands of contacts, so it rewrote about a page per activity (at 5M
-- activities, with the aggregates left out, the contact index made an import write 29 GB
-- instead of 2.5 GB). Readers add a contact's unfolded activities (a short range of the
-- small index) to what the aggregates say.
--
-- Partial indexes cannot serve `contact_id = ?` alone, which is what a foreign key's ON
-- DELETE CASCADE looks children up by: it would scan the whole log for every deleted
-- contact. So the table is rebuilt without that foreign key, and a trigger deletes a
-- contact's activities through the two indexes.
CREATE TABLE activities_v9 (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  workspace_id INTEGER NOT NULL REFERENCES workspaces(id),
  contact_id INTEGER,            -- contacts(id); deleted with the contact (trigger below)
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
  recorded_at INTEGER NOT NULL,
  folded INTEGER NOT NULL DEFAULT 0 CHECK (folded IN (0, 1))
);
INSERT INTO activities_v9 (id, workspace_id, contact_id, company_id, type, channel, occurred_at,
                           amount, currency, properties, source, author_id, client_id,
                           recorded_at, folded)
SELECT id, workspace_id, contact_id, company_id, type, channel, occurred_at, amount, currency,
       properties, source, author_id, client_id, recorded_at, 1
FROM activities ORDER BY id;
-- Ids are never reused: the new table continues the old one's sequence, which may be past
-- its last row.
DELETE FROM sqlite_sequence WHERE name = 'activities_v9';
INSERT INTO sqlite_sequence (name, seq)
SELECT 'activities_v9', seq FROM sqlite_sequence WHERE name = 'activities';
DROP TABLE activities;
ALTER TABLE activities_v9 RENAME TO activities;

CREATE UNIQUE INDEX activities_client_id ON activities (workspace_id, client_id)
  WHERE client_id IS NOT NULL;
CREATE INDEX activities_contact ON activities (workspace_id, contact_id, occurred_at, id)
  WHERE folded = 1 AND contact_id IS NOT NULL;
CREATE INDEX activities_unfolded ON activities (workspace_id, contact_id, occurred_at, id)
  WHERE folded = 0;
CREATE INDEX activities_company ON activities (workspace_id, company_id, occurred_at, id)
  WHERE company_id IS NOT NULL;

CREATE TRIGGER contacts_delete_activities AFTER DELETE ON contacts
BEGIN
  DELETE FROM activities
  WHERE workspace_id = old.workspace_id AND contact_id = old.id AND folded = 1;
  DELETE FROM activities
  WHERE workspace_id = old.workspace_id AND contact_id = old.id AND folded = 0;
END;
