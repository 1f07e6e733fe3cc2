DROP INDEX assets_project_department_code;
DROP INDEX assets_project_year_code;

DROP TRIGGER assets_registered_columns_no_update ON assets;
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

ALTER TABLE assets DROP COLUMN project_department;
ALTER TABLE assets DROP COLUMN project_year;
