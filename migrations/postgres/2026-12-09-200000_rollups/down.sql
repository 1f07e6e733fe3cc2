DROP TABLE figures_backfill;
DROP TABLE dated_figures;
DROP TABLE rollup_figures;
DELETE FROM group_figures WHERE class LIKE 'channel:%';
ALTER TABLE group_figures DROP CONSTRAINT group_figures_class_check;
ALTER TABLE group_figures ADD CONSTRAINT group_figures_class_check
    CHECK (class IN ('all', 'none', 'operating', 'public_welfare', 'household'));
