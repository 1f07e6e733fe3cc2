-- Findings kept up to date by every write (issue #18 item 1), so that a page of findings
-- reads about a page of rows whatever the register's size (`reconcile::findings::kept`,
-- `reconcile::findings::maintain`). One row per finding that does not depend on the day,
-- and one per candidate of a finding that does, with the date the finding turns on
-- (`on_date`: the last income of an operating asset, the last day of its latest
-- contract, the last day of the first contract year that fell short). `rank` is the
-- kind's place in the list, `code` the asset's (the project's for rank 0); `town`,
-- `village` and `department` ('' for none) put the row in a scope, as the asset's or
-- the project's own would. `flag` is 1 for a duplicate candidate that stays one within
-- its department. `detail` is the stored text of the kinds whose text depends on neither
-- the day nor the asset's current columns. `verify` recomputes them all.
CREATE TABLE findings (
    rank INTEGER NOT NULL,
    code TEXT NOT NULL,
    town TEXT NOT NULL,
    village TEXT NOT NULL,
    department TEXT NOT NULL,
    on_date TEXT,
    flag INTEGER NOT NULL DEFAULT 0,
    detail TEXT,
    PRIMARY KEY (rank, code)
);
CREATE INDEX findings_by_town ON findings (town, rank, code);
CREATE INDEX findings_by_village ON findings (town, village, rank, code);
CREATE INDEX findings_by_department ON findings (department, rank, code);
-- The duplicate candidates' group of an asset, found without scanning its town.
CREATE INDEX assets_duplicate_key ON assets (name, value_fen);
-- Whether `findings` holds the register's findings: the server builds it at start
-- (from the same computation `verify` compares with) when this says it does not.
CREATE TABLE findings_state (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    built INTEGER NOT NULL
);
INSERT INTO findings_state (id, built) VALUES (1, 0);
