-- Import batches are append-only, like the ledger: a batch row is never changed or
-- deleted, so a `batch_id` that named one always will; the import writes its batch row
-- with its final counts, in the same transaction as the rows that name it, with the
-- foreign-key checks off for that transaction, and proves the references of the rows it
-- wrote once before it commits (`db::bulk_load`). Projects and assets are never deleted
-- and their keys never change. Every other write keeps SQLite's foreign keys (a check is
-- a lookup in the parent's key, with no lock to take; PostgreSQL's tree proves the
-- references once per statement or per bulk load instead; see its migration).

CREATE TRIGGER import_batches_no_update BEFORE UPDATE ON import_batches
BEGIN
    SELECT RAISE(ABORT, 'import batches are append-only');
END;

CREATE TRIGGER import_batches_no_delete BEFORE DELETE ON import_batches
BEGIN
    SELECT RAISE(ABORT, 'import batches are append-only');
END;

CREATE TRIGGER projects_no_delete BEFORE DELETE ON projects
BEGIN
    SELECT RAISE(ABORT, 'projects rows are never deleted, truncated or given another key: other rows refer to them');
END;

CREATE TRIGGER projects_code_kept BEFORE UPDATE OF code ON projects
WHEN OLD.code IS NOT NEW.code
BEGIN
    SELECT RAISE(ABORT, 'projects rows are never deleted, truncated or given another key: other rows refer to them');
END;

-- Assets are never deleted: the registered fields' migration (2026-12-09-300000) already
-- refuses it with `assets_no_delete`.

CREATE TRIGGER assets_id_kept BEFORE UPDATE OF id ON assets
WHEN OLD.id IS NOT NEW.id
BEGIN
    SELECT RAISE(ABORT, 'assets rows are never deleted, truncated or given another key: other rows refer to them');
END;
