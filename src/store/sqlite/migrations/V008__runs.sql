-- A request that creates many records at once (an activity batch) is written as runs: one
-- change-feed row and one audit entry per run of consecutive ids (entity_id through
-- entity_id_last) instead of one per record (a row of each per activity was a sixth of
-- an import's writer time).
-- entity_id_last is NULL for an entry about one record.
ALTER TABLE change_feed ADD COLUMN entity_id_last INTEGER;
ALTER TABLE audit_log ADD COLUMN entity_id_last INTEGER;
-- Runs of one entity never overlap, so the run holding an id is the first to end at or after it.
CREATE INDEX audit_log_runs ON audit_log (workspace_id, entity, entity_id_last)
  WHERE entity_id_last IS NOT NULL;
