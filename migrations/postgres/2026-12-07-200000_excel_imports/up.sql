-- Excel registers: an error names its cell (`H14`), a totals row that does not add up
-- keeps the declared and the computed figure, and a batch counts its continuation rows
-- and the totals rows it checked, and names the sheet it read.
ALTER TABLE import_errors ADD COLUMN cell TEXT;
ALTER TABLE import_errors ADD COLUMN declared TEXT;
ALTER TABLE import_errors ADD COLUMN computed TEXT;
ALTER TABLE import_batches ADD COLUMN sheet TEXT;
ALTER TABLE import_batches ADD COLUMN continued_rows BIGINT NOT NULL DEFAULT 0;
ALTER TABLE import_batches ADD COLUMN totals_checked BIGINT NOT NULL DEFAULT 0;
