-- The year and the department of an asset's project, held on the asset's row, each
-- indexed with the code: a list filtered by year or department (or a department's
-- scope) reads the first page in code order from the index instead of taking the
-- projects of the year and sorting all their assets (SQLite at 1M assets: 250 ms by
-- year, 199 ms by department). A project's fields and an asset's project never change
-- (both are registered fields, guarded), so the copy cannot go stale; it is written
-- with the asset's row and filled here for the assets registered before, and guarded
-- like the registered columns.

ALTER TABLE assets ADD COLUMN project_year INTEGER NOT NULL DEFAULT 0;
ALTER TABLE assets ADD COLUMN project_department TEXT;

UPDATE assets a SET project_year = p.year, project_department = p.department
FROM projects p WHERE p.code = a.project_code;

DROP TRIGGER assets_registered_columns_no_update ON assets;
CREATE TRIGGER assets_registered_columns_no_update BEFORE UPDATE OF
    id, code, project_code, name, class, quantity, unit, town,
    village, batch_id, created_at, registered_on, condition, operating_mode, details,
    project_year, project_department
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
    OR OLD.project_year IS DISTINCT FROM NEW.project_year
    OR OLD.project_department IS DISTINCT FROM NEW.project_department
)
EXECUTE FUNCTION registered_fields_immutable();

CREATE INDEX assets_project_year_code ON assets (project_year, code);
CREATE INDEX assets_project_department_code ON assets (project_department, code);
