-- Totals kept up to date by every import and ledger append, so that totals and
-- reconciliation need not scan a province of assets. `verify` of the summary recomputes
-- them from the rows; the backfill below is that same computation.

CREATE TABLE register_summary (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    projects BIGINT NOT NULL,
    funds_fen BIGINT NOT NULL,
    assets BIGINT NOT NULL,
    value_fen BIGINT NOT NULL,
    unclassified_projects BIGINT NOT NULL,
    unclassified_funds_fen BIGINT NOT NULL,
    -- The latest day an asset was registered, and the latest business date of a
    -- disposal, value adjustment or correction: reconciliation as of a later day can
    -- read these totals instead of folding the ledger.
    last_registered_on TEXT NOT NULL,
    last_value_event_on TEXT NOT NULL
);

CREATE TABLE class_summary (
    class TEXT PRIMARY KEY NOT NULL CHECK (class IN ('operating', 'public_welfare', 'household')),
    projects BIGINT NOT NULL,
    assets BIGINT NOT NULL,
    funds_fen BIGINT NOT NULL,
    value_fen BIGINT NOT NULL
);

INSERT INTO register_summary
SELECT 1,
    (SELECT COUNT(*) FROM projects),
    (SELECT COALESCE(SUM(funds_fen), 0) FROM projects),
    (SELECT COUNT(*) FROM assets WHERE status <> 'disposed'),
    (SELECT COALESCE(SUM(value_fen), 0) FROM assets WHERE status <> 'disposed'),
    (SELECT COUNT(*) FROM projects p WHERE NOT EXISTS (SELECT 1 FROM assets a WHERE a.project_code = p.code)),
    (SELECT COALESCE(SUM(funds_fen), 0) FROM projects p WHERE NOT EXISTS (SELECT 1 FROM assets a WHERE a.project_code = p.code)),
    (SELECT COALESCE(MAX(registered_on), '0001-01-01') FROM assets),
    (SELECT COALESCE(MAX(occurred_on), '0001-01-01') FROM ledger_entries WHERE kind IN ('disposed', 'value_adjusted', 'correction'));

INSERT INTO class_summary (class, projects, assets, funds_fen, value_fen)
SELECT c.class,
    (SELECT COUNT(DISTINCT a.project_code) FROM assets a WHERE a.class = c.class AND a.status <> 'disposed'),
    (SELECT COUNT(*) FROM assets a WHERE a.class = c.class AND a.status <> 'disposed'),
    (SELECT COALESCE(SUM(p.funds_fen), 0) FROM projects p WHERE EXISTS
        (SELECT 1 FROM assets a WHERE a.project_code = p.code AND a.class = c.class AND a.status <> 'disposed')),
    (SELECT COALESCE(SUM(a.value_fen), 0) FROM assets a WHERE a.class = c.class AND a.status <> 'disposed')
FROM (SELECT 'operating' AS class UNION ALL SELECT 'public_welfare' UNION ALL SELECT 'household') c;

-- Reconciliation by town and year reads only these covering indexes.
CREATE INDEX projects_town_year_funds ON projects (town, year, funds_fen);
CREATE INDEX projects_year_funds ON projects (year, funds_fen);
DROP INDEX projects_town_village;
DROP INDEX projects_year;
CREATE INDEX projects_town_village ON projects (town, village);

-- The maintained totals replace what these served.
DROP INDEX assets_class_status;
DROP INDEX ledger_entries_kind;
CREATE INDEX ledger_entries_kind ON ledger_entries (kind, occurred_on);
