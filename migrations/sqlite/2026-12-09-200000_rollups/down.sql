DROP TABLE figures_backfill;
DROP TABLE dated_figures;
DROP TABLE rollup_figures;
DELETE FROM group_figures WHERE class LIKE 'channel:%';
