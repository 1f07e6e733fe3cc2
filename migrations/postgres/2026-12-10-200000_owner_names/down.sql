DROP TABLE asset_owner_names;
DROP TABLE owner_names;
