-- A fold (ActivityService::Fold) used to flip `folded` on each activity it took: that
-- rewrote the activity's whole row, and since a fold takes a range of contacts, whose
-- activities are spread over every recent page of the table, it rewrote all those pages
-- each time. The two partial indexes become tables of their own: the fold moves an entry
-- from activities_unfolded to contact_activities and leaves the activity's row alone. In a
-- model of a 50,000-activity fold on a 5M-activity log it wrote 5,700 pages instead of
-- 17,700, in half the time; a 5M import went from 49.5k to 57.5k activities/s and from 14.9
-- to 7.8 GB written.
--
-- contact_activities: the folded activities that name a contact, by contact and time (the
-- contact index of V009). activities_unfolded: the activities that name a contact and are
-- not folded yet, by contact; a trigger adds each new one. Every import commit rewrites most
-- of activities_unfolded's pages (its entries land at random contacts), so its key is as
-- short as it can be: ~830 pages per 5,000 activities where (workspace, contact, time, id)
-- took ~1,600. Activities that name only a company have nothing to fold (aggregates are per
-- contact).
CREATE TABLE contact_activities (
  workspace_id INTEGER NOT NULL,
  contact_id INTEGER NOT NULL,
  occurred_at INTEGER NOT NULL,
  id INTEGER NOT NULL,
  PRIMARY KEY (workspace_id, contact_id, occurred_at, id)
) WITHOUT ROWID;
INSERT INTO contact_activities (workspace_id, contact_id, occurred_at, id)
SELECT workspace_id, contact_id, occurred_at, id FROM activities
WHERE folded = 1 AND contact_id IS NOT NULL
ORDER BY workspace_id, contact_id, occurred_at, id;

DROP INDEX activities_unfolded;
CREATE TABLE activities_unfolded (
  contact_id INTEGER NOT NULL,
  id INTEGER NOT NULL,
  PRIMARY KEY (contact_id, id)
) WITHOUT ROWID;
INSERT INTO activities_unfolded (contact_id, id)
SELECT contact_id, id FROM activities WHERE folded = 0 AND contact_id IS NOT NULL
ORDER BY contact_id, id;

DROP TRIGGER contacts_delete_activities;
DROP INDEX activities_contact;
ALTER TABLE activities DROP COLUMN folded;

CREATE TRIGGER activities_unfold AFTER INSERT ON activities
WHEN new.contact_id IS NOT NULL
BEGIN
  INSERT INTO activities_unfolded (contact_id, id) VALUES (new.contact_id, new.id);
END;

CREATE TRIGGER contacts_delete_activities AFTER DELETE ON contacts
BEGIN
  DELETE FROM activities WHERE id IN (
    SELECT id FROM contact_activities
    WHERE workspace_id = old.workspace_id AND contact_id = old.id
    UNION ALL
    SELECT id FROM activities_unfolded WHERE contact_id = old.id);
  DELETE FROM contact_activities WHERE workspace_id = old.workspace_id AND contact_id = old.id;
  DELETE FROM activities_unfolded WHERE contact_id = old.id;
END;
