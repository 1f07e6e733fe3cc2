-- The registered fields held once: an asset's `registered` entry carries the digest of
-- the fields it was registered with (see `ledger::registered`) instead of a second copy
-- of them. The asset's columns that no entry changes (code, project, name, class,
-- quantity, unit, town, village, condition, operating mode, the other 台账 columns)
-- hold those fields; `registered_fields` holds, once per asset and written at import,
-- the registered values of the fields that entries change. An asset registered before
-- this migration has no row there: its `registered` entry carries its fields. Both are
-- guarded like the ledger: no UPDATE or DELETE of a `registered_fields` row, no UPDATE
-- of an asset's unchanging columns, no DELETE of an asset.

CREATE TABLE registered_fields (
    asset_id TEXT PRIMARY KEY NOT NULL,
    value_fen BIGINT NOT NULL,
    owner_name TEXT NOT NULL,
    owner_type TEXT NOT NULL,
    owner_id_number TEXT,
    custodian TEXT,
    status TEXT NOT NULL,
    confirmed_on TEXT,
    certificate_no TEXT
);

CREATE TRIGGER registered_fields_no_update BEFORE UPDATE ON registered_fields
BEGIN
    SELECT RAISE(ABORT, 'registered fields are immutable');
END;

CREATE TRIGGER registered_fields_no_delete BEFORE DELETE ON registered_fields
BEGIN
    SELECT RAISE(ABORT, 'registered fields are immutable');
END;

CREATE TRIGGER assets_registered_columns_no_update BEFORE UPDATE OF
    id, code, project_code, name, class, quantity, unit, town,
    village, batch_id, created_at, registered_on, condition, operating_mode, details
ON assets
WHEN OLD.id IS NOT NEW.id
    OR OLD.code IS NOT NEW.code
    OR OLD.project_code IS NOT NEW.project_code
    OR OLD.name IS NOT NEW.name
    OR OLD.class IS NOT NEW.class
    OR OLD.quantity IS NOT NEW.quantity
    OR OLD.unit IS NOT NEW.unit
    OR OLD.town IS NOT NEW.town
    OR OLD.village IS NOT NEW.village
    OR OLD.batch_id IS NOT NEW.batch_id
    OR OLD.created_at IS NOT NEW.created_at
    OR OLD.registered_on IS NOT NEW.registered_on
    OR OLD.condition IS NOT NEW.condition
    OR OLD.operating_mode IS NOT NEW.operating_mode
    OR OLD.details IS NOT NEW.details
BEGIN
    SELECT RAISE(ABORT, 'registered fields are immutable');
END;

CREATE TRIGGER assets_no_delete BEFORE DELETE ON assets
BEGIN
    SELECT RAISE(ABORT, 'registered fields are immutable');
END;
