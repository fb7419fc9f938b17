-- Most activities (B2C touches) name no company. Indexing them under a NULL company put one
-- entry per activity at a random place in the index (ordered by occurred_at), so every
-- import rewrote most of its pages; every read of it asks for one company.
DROP INDEX activities_company;
CREATE INDEX activities_company ON activities (workspace_id, company_id, occurred_at, id)
  WHERE company_id IS NOT NULL;
