-- Sorting contacts by email reads the unique email index instead of an index of its own.
-- Every contact insert wrote both, and both are in random order: on a bulk import each
-- group commit rewrote nearly every page of each (a third of the bytes written).
-- The unique index now holds the contacts without an email too (NULLs are distinct in a
-- unique index), so that it orders every contact: NULLs first, then by email, ties by id.
DROP INDEX contacts_email_sort;
DROP INDEX contacts_email;
CREATE UNIQUE INDEX contacts_email ON contacts (workspace_id, email);
