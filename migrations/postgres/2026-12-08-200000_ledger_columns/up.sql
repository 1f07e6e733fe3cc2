-- The fuller 台账 columns: a project's funds split by funding channel (each NULL when
-- the file gives no split), and an asset's condition and operating mode (filtered on)
-- with the other optional columns kept as the JSON object its `registered` entry
-- carries (NULL when none is filled).
ALTER TABLE projects ADD COLUMN funds_central_fen BIGINT;
ALTER TABLE projects ADD COLUMN funds_provincial_fen BIGINT;
ALTER TABLE projects ADD COLUMN funds_local_fen BIGINT;
ALTER TABLE projects ADD COLUMN funds_integrated_fen BIGINT;
ALTER TABLE projects ADD COLUMN funds_sector_fen BIGINT;
ALTER TABLE projects ADD COLUMN funds_social_fen BIGINT;
ALTER TABLE projects ADD COLUMN funds_other_fen BIGINT;
ALTER TABLE assets ADD COLUMN condition TEXT;
ALTER TABLE assets ADD COLUMN operating_mode TEXT;
ALTER TABLE assets ADD COLUMN details TEXT;
CREATE INDEX assets_condition ON assets (condition);
CREATE INDEX assets_operating_mode ON assets (operating_mode);
