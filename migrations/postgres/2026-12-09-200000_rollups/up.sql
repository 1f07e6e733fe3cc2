-- `group_figures` also holds a row per funding channel (`channel:central` …,
-- `channel:unspecified`): its check allows them.
ALTER TABLE group_figures DROP CONSTRAINT group_figures_class_check;
ALTER TABLE group_figures ADD CONSTRAINT group_figures_class_check
    CHECK (class IN ('all', 'none', 'operating', 'public_welfare', 'household') OR class LIKE 'channel:%');

-- Totals by scope and grouping (issue #18 item 1): per scope (`county`, `town:…`,
-- `village:…/…`, `department:…`), grouping (`class`, `town`, `village`, `year`,
-- `department`, `funding_channel`) and group key, the projects, live assets, funds and
-- asset value, kept by every write with `group_figures` (`register::rollups`), so that
-- a totals read reads one row per group shown.
CREATE TABLE rollup_figures (
    scope TEXT NOT NULL,
    grouped_by TEXT NOT NULL,
    group_key TEXT NOT NULL,
    projects BIGINT NOT NULL,
    assets BIGINT NOT NULL,
    funds_fen BIGINT NOT NULL,
    value_fen BIGINT NOT NULL,
    PRIMARY KEY (scope, grouped_by, group_key)
);

-- Figures by business date (issue #18 item 1): per figure (a class, or `registered`
-- for the projects that formed their first asset), day and project year, what the
-- figure changed by that day (`register::dated`), so that a reconciliation as of any
-- day sums the changes up to it instead of folding the ledger.
CREATE TABLE dated_figures (
    figure TEXT NOT NULL,
    day TEXT NOT NULL,
    year INTEGER NOT NULL,
    projects BIGINT NOT NULL,
    assets BIGINT NOT NULL,
    funds_fen BIGINT NOT NULL,
    value_fen BIGINT NOT NULL,
    PRIMARY KEY (figure, day, year)
);

-- The application fills `group_figures`' funding channel rows, `rollup_figures` and
-- `dated_figures` for the register already there when it next opens the database
-- (`register::figures::backfill`: the classes by date need the ledger folded), and
-- then deletes this row.
CREATE TABLE figures_backfill (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1)
);
INSERT INTO figures_backfill (id) VALUES (1);
