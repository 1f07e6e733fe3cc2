ALTER TABLE import_batches DROP COLUMN totals_checked;
ALTER TABLE import_batches DROP COLUMN continued_rows;
ALTER TABLE import_batches DROP COLUMN sheet;
ALTER TABLE import_errors DROP COLUMN computed;
ALTER TABLE import_errors DROP COLUMN declared;
ALTER TABLE import_errors DROP COLUMN cell;
