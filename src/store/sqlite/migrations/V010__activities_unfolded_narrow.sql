-- Every import batch inserts one activities_unfolded entry per activity at a random place
-- (by contact) of an index that holds up to a fold threshold of entries, so each commit
-- rewrote most of that index's pages: with 200,000 unfolded activities, a batch of 5,000
-- wrote ~1,600 pages where the rows themselves took ~180. Keyed by contact alone (the rowid
-- follows), an entry is a third of the size, and so is that rewrite. The fold still reads
-- it in contact order; a contact's few unfolded rows are sorted by time when read.
DROP INDEX activities_unfolded;
CREATE INDEX activities_unfolded ON activities (contact_id) WHERE folded = 0;
