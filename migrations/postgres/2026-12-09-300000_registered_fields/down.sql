DROP TRIGGER assets_no_delete ON assets;
DROP TRIGGER assets_registered_columns_no_update ON assets;
DROP TABLE registered_fields;
DROP FUNCTION registered_fields_immutable();
