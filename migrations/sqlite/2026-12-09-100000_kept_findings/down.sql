DROP TABLE findings_state;
DROP INDEX assets_duplicate_key;
DROP TABLE findings;
