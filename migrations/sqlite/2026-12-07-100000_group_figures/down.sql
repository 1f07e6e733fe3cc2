DROP INDEX group_figures_department;
DROP TABLE group_figures;
