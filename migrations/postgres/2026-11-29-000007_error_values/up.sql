-- A conflict with the register keeps both values with the rejected batch (ID numbers
-- masked), so GET /imports/{id} shows them as the rejection did.
ALTER TABLE import_errors ADD COLUMN registered_value TEXT;
ALTER TABLE import_errors ADD COLUMN file_value TEXT;
