ALTER TABLE import_errors DROP COLUMN file_value;
ALTER TABLE import_errors DROP COLUMN registered_value;
