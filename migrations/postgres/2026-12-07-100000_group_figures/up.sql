-- Figures by group (issue #15 item 7, issue #18 item 1): per project town, village, year
-- and department ('' for a missing village or department), and per class ('all' for
-- every project of the group, 'none' for the projects that formed no asset), the
-- projects, live assets, funds and asset value, kept up to date by every import and
-- ledger append (`register::figures`), so that totals by any grouping and for any
-- scope add up these rows instead of scanning the register. `verify` recomputes them;
-- the backfill below is that same computation.
CREATE TABLE group_figures (
    class TEXT NOT NULL CHECK (class IN ('all', 'none', 'operating', 'public_welfare', 'household')),
    town TEXT NOT NULL,
    village TEXT NOT NULL,
    year INTEGER NOT NULL,
    department TEXT NOT NULL,
    projects BIGINT NOT NULL,
    assets BIGINT NOT NULL,
    funds_fen BIGINT NOT NULL,
    value_fen BIGINT NOT NULL,
    PRIMARY KEY (class, town, village, year, department)
);
-- A department scope's rows, covered: its totals read this index alone.
CREATE INDEX group_figures_department ON group_figures
    (department, class, town, village, year, projects, assets, funds_fen, value_fen);

INSERT INTO group_figures (class, town, village, year, department, projects, assets, funds_fen, value_fen)
SELECT 'all', p.town, COALESCE(p.village, ''), p.year, COALESCE(p.department, ''), COUNT(*),
    CAST(COALESCE(SUM(x.n), 0) AS BIGINT), CAST(COALESCE(SUM(p.funds_fen), 0) AS BIGINT),
    CAST(COALESCE(SUM(x.v), 0) AS BIGINT)
FROM projects p LEFT JOIN (SELECT a.project_code AS project_code, COUNT(*) AS n, SUM(a.value_fen) AS v
    FROM assets a WHERE a.status <> 'disposed' GROUP BY a.project_code) x ON x.project_code = p.code
GROUP BY p.town, COALESCE(p.village, ''), p.year, COALESCE(p.department, '');

INSERT INTO group_figures (class, town, village, year, department, projects, assets, funds_fen, value_fen)
SELECT x.class, p.town, COALESCE(p.village, ''), p.year, COALESCE(p.department, ''), COUNT(*),
    CAST(SUM(x.n) AS BIGINT), CAST(SUM(p.funds_fen) AS BIGINT), CAST(SUM(x.v) AS BIGINT)
FROM (SELECT a.project_code AS project_code, a.class AS class, COUNT(*) AS n, SUM(a.value_fen) AS v
    FROM assets a WHERE a.status <> 'disposed' GROUP BY a.project_code, a.class) x
    JOIN projects p ON p.code = x.project_code
GROUP BY x.class, p.town, COALESCE(p.village, ''), p.year, COALESCE(p.department, '');

INSERT INTO group_figures (class, town, village, year, department, projects, assets, funds_fen, value_fen)
SELECT 'none', p.town, COALESCE(p.village, ''), p.year, COALESCE(p.department, ''), COUNT(*),
    0, CAST(COALESCE(SUM(p.funds_fen), 0) AS BIGINT), 0
FROM projects p WHERE NOT EXISTS (SELECT 1 FROM assets a WHERE a.project_code = p.code)
GROUP BY p.town, COALESCE(p.village, ''), p.year, COALESCE(p.department, '');
