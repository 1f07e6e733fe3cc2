DROP INDEX assets_project_department_code;
DROP INDEX assets_project_year_code;

DROP TRIGGER assets_registered_columns_no_update;
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

ALTER TABLE assets DROP COLUMN project_department;
ALTER TABLE assets DROP COLUMN project_year;
