DROP TABLE access_tokens;
DROP TABLE ledger_head;
DROP TABLE ledger_entries;
DROP TABLE assets;
DROP TABLE projects;
DROP TABLE import_errors;
DROP TABLE import_batches;
