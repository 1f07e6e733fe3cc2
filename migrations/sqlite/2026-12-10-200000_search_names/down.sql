DROP TABLE asset_search_names;
DROP TABLE search_names;
