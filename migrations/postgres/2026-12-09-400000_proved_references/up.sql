-- References proved once per statement, or once per bulk load, instead of by a
-- foreign-key check per row (half of a PostgreSQL import's server time was those
-- checks: each a `SELECT … FOR KEY SHARE` that also locks the referenced row).
--
-- What keeps the same integrity:
-- - Import batches are append-only, like the ledger: a batch row is never changed or
--   deleted, so a `batch_id` that named one always will. The import writes its batch
--   row in the same transaction as the rows that name it, with its final counts.
-- - Projects and assets are never deleted, and their keys never change (a key change
--   of an asset to a project that exists is still allowed, as the foreign key allowed).
--   None of the three tables can be truncated.
-- - An insert of assets or ledger entries is checked once per statement against the
--   projects and assets it names (one anti-join over the statement's rows: a `COPY` of
--   a thousand rows is one query, not a thousand), unless the transaction declared a
--   bulk load, which proves every reference of its rows itself before it commits
--   (`db::bulk_load::prove_references`).
-- - `verify` checks every reference of the register, batches included.

ALTER TABLE projects DROP CONSTRAINT projects_batch_id_fkey;
ALTER TABLE assets DROP CONSTRAINT assets_batch_id_fkey;
ALTER TABLE assets DROP CONSTRAINT assets_project_code_fkey;
ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_batch_id_fkey;
ALTER TABLE ledger_entries DROP CONSTRAINT ledger_entries_asset_id_fkey;

CREATE FUNCTION import_batches_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'import batches are append-only';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER import_batches_no_update BEFORE UPDATE OR DELETE ON import_batches
FOR EACH ROW EXECUTE FUNCTION import_batches_append_only();

CREATE FUNCTION register_rows_kept() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
        MESSAGE = format('%s rows are never deleted, truncated or given another key: other rows refer to them', TG_TABLE_NAME);
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER projects_no_delete BEFORE DELETE ON projects
FOR EACH ROW EXECUTE FUNCTION register_rows_kept();
CREATE TRIGGER projects_code_kept BEFORE UPDATE ON projects
FOR EACH ROW WHEN (OLD.code IS DISTINCT FROM NEW.code) EXECUTE FUNCTION register_rows_kept();
-- Assets are never deleted: the registered fields' migration (2026-12-09-300000) already
-- refuses it with `assets_no_delete`.
CREATE TRIGGER assets_id_kept BEFORE UPDATE ON assets
FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION register_rows_kept();
CREATE TRIGGER import_batches_no_truncate BEFORE TRUNCATE ON import_batches
FOR EACH STATEMENT EXECUTE FUNCTION register_rows_kept();
CREATE TRIGGER projects_no_truncate BEFORE TRUNCATE ON projects
FOR EACH STATEMENT EXECUTE FUNCTION register_rows_kept();
CREATE TRIGGER assets_no_truncate BEFORE TRUNCATE ON assets
FOR EACH STATEMENT EXECUTE FUNCTION register_rows_kept();

-- Whether this transaction declared a bulk load that proves its references itself.
CREATE FUNCTION references_proved_by_load() RETURNS boolean AS $$
    SELECT COALESCE(current_setting('asset_registry.bulk_load', true), '') = 'on';
$$ LANGUAGE sql STABLE;

-- The checks plan anew for every statement (EXECUTE) and probe the key indexes: a
-- statement's rows are few against the register, and a plan cached while the tables
-- were empty would scan them whole once they are not.
CREATE FUNCTION assets_name_projects() RETURNS trigger AS $$
DECLARE
    missing TEXT;
BEGIN
    IF references_proved_by_load() THEN
        RETURN NULL;
    END IF;
    EXECUTE 'SELECT n.project_code FROM inserted n WHERE NOT EXISTS '
        '(SELECT 1 FROM projects p WHERE p.code = n.project_code) LIMIT 1' INTO missing;
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
            MESSAGE = format('an asset names project %s, which is not registered', missing);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql SET enable_hashjoin = off SET enable_mergejoin = off;

CREATE TRIGGER assets_project_registered AFTER INSERT ON assets
REFERENCING NEW TABLE AS inserted
FOR EACH STATEMENT EXECUTE FUNCTION assets_name_projects();

CREATE FUNCTION assets_project_changed() RETURNS trigger AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM projects p WHERE p.code = NEW.project_code) THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
            MESSAGE = format('asset %s would name project %s, which is not registered', NEW.code, NEW.project_code);
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER assets_project_kept BEFORE UPDATE ON assets
FOR EACH ROW WHEN (OLD.project_code IS DISTINCT FROM NEW.project_code)
EXECUTE FUNCTION assets_project_changed();

CREATE FUNCTION ledger_entries_name_assets() RETURNS trigger AS $$
DECLARE
    missing TEXT;
BEGIN
    IF references_proved_by_load() THEN
        RETURN NULL;
    END IF;
    EXECUTE 'SELECT n.asset_id FROM inserted n WHERE NOT EXISTS '
        '(SELECT 1 FROM assets a WHERE a.id = n.asset_id) LIMIT 1' INTO missing;
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'foreign_key_violation',
            MESSAGE = format('a ledger entry names asset %s, which is not registered', missing);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql SET enable_hashjoin = off SET enable_mergejoin = off;

CREATE TRIGGER ledger_entries_asset_registered AFTER INSERT ON ledger_entries
REFERENCING NEW TABLE AS inserted
FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_name_assets();
