-- Windowed activity counts per contact and type, so the 360° overview reads one row per type
-- instead of up to 365 daily buckets per type (a busy contact has thousands of them).
--
-- c30, c90 and c365 are the sums of the contact's contact_activity_days counts for the type
-- with day >= as_of - 29, as_of - 89 and as_of - 364 (no upper bound: occurred_at may be a
-- few minutes in the future). Every activity write moves as_of to the writer's day, first
-- subtracting the buckets that left each window since the old as_of; a reader on a later day
-- subtracts those buckets itself (a range read of at most the days elapsed), so the counts
-- never go stale and nothing has to run at midnight.
CREATE TABLE contact_type_windows (
  contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
  type TEXT NOT NULL,
  workspace_id INTEGER NOT NULL,
  as_of INTEGER NOT NULL,        -- days since 1970-01-01 (UTC)
  c30 INTEGER NOT NULL,
  c90 INTEGER NOT NULL,
  c365 INTEGER NOT NULL,
  PRIMARY KEY (contact_id, type)
) WITHOUT ROWID;

INSERT INTO contact_type_windows (contact_id, type, workspace_id, as_of, c30, c90, c365)
SELECT d.contact_id, d.type, MIN(d.workspace_id), t.today,
       SUM(CASE WHEN d.day >= t.today - 29 THEN d.count ELSE 0 END),
       SUM(CASE WHEN d.day >= t.today - 89 THEN d.count ELSE 0 END),
       SUM(CASE WHEN d.day >= t.today - 364 THEN d.count ELSE 0 END)
FROM contact_activity_days d,
     (SELECT CAST(strftime('%s', 'now') AS INTEGER) / 86400 AS today) t
GROUP BY d.contact_id, d.type;
