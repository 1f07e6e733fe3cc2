DROP INDEX assets_class_code;
CREATE INDEX assets_class ON assets (class);
