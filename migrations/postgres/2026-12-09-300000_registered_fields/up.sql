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

CREATE FUNCTION registered_fields_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'registered fields are immutable';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER registered_fields_no_update BEFORE UPDATE OR DELETE ON registered_fields
FOR EACH ROW EXECUTE FUNCTION registered_fields_immutable();

CREATE TRIGGER assets_no_delete BEFORE DELETE ON assets
FOR EACH ROW EXECUTE FUNCTION registered_fields_immutable();

CREATE TRIGGER assets_registered_columns_no_update BEFORE UPDATE OF
    id, code, project_code, name, class, quantity, unit, town,
    village, batch_id, created_at, registered_on, condition, operating_mode, details
ON assets
FOR EACH ROW WHEN (
    OLD.id IS DISTINCT FROM NEW.id
    OR OLD.code IS DISTINCT FROM NEW.code
    OR OLD.project_code IS DISTINCT FROM NEW.project_code
    OR OLD.name IS DISTINCT FROM NEW.name
    OR OLD.class IS DISTINCT FROM NEW.class
    OR OLD.quantity IS DISTINCT FROM NEW.quantity
    OR OLD.unit IS DISTINCT FROM NEW.unit
    OR OLD.town IS DISTINCT FROM NEW.town
    OR OLD.village IS DISTINCT FROM NEW.village
    OR OLD.batch_id IS DISTINCT FROM NEW.batch_id
    OR OLD.created_at IS DISTINCT FROM NEW.created_at
    OR OLD.registered_on IS DISTINCT FROM NEW.registered_on
    OR OLD.condition IS DISTINCT FROM NEW.condition
    OR OLD.operating_mode IS DISTINCT FROM NEW.operating_mode
    OR OLD.details IS DISTINCT FROM NEW.details
)
EXECUTE FUNCTION registered_fields_immutable();
