DROP TABLE stocktake_results;
DROP TABLE stocktake_assets;
DROP TABLE stocktakes;
