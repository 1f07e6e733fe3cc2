DROP TRIGGER assets_no_delete;
DROP TRIGGER assets_registered_columns_no_update;
DROP TABLE registered_fields;
