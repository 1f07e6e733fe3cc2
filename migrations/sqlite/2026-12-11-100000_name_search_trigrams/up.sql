-- The name search (`q`, `LIKE '%…%'` on the asset's and the owner's name, and on the
-- names a list as of a date searches) reads trigram indexes instead of every name: at
-- 1M assets a text in no name read all 1M names (203 ms). PostgreSQL has `pg_trgm`
-- (migration 2026-12-10-110000_name_trigrams, and `search_names` below in its tree);
-- here FTS5's `trigram` tokenizer (SQLite 3.34 or later; the bundled SQLite is built
-- with FTS5) indexes every run of three characters. Both tables are external-content:
-- they hold only the index and read the names from `assets` and `search_names` by
-- rowid (both have indexes, so VACUUM and VACUUM INTO keep their rowids). Triggers keep
-- them in step with every write of a name, whatever writes it: an asset's
-- registration (one by one or imported), an owner transfer or its correction
-- (`assets.owner_name`), a held search name. An asset's name is a registered field and
-- never changes, and assets are never deleted (both refused by their guards); the
-- triggers follow them anyway. The index only narrows: the search still tests `LIKE`
-- on the rows it gives (the tokenizer folds case beyond ASCII, LIKE does not), and a
-- text shorter than three characters has no trigram and reads the names as before.
-- Verification runs FTS5's integrity check against the names.

CREATE VIRTUAL TABLE asset_name_trigrams USING fts5(
    name, owner_name, content = 'assets', content_rowid = 'rowid', tokenize = 'trigram'
);
INSERT INTO asset_name_trigrams (asset_name_trigrams) VALUES ('rebuild');

CREATE TRIGGER assets_name_trigrams_insert AFTER INSERT ON assets BEGIN
    INSERT INTO asset_name_trigrams (rowid, name, owner_name)
    VALUES (NEW.rowid, NEW.name, NEW.owner_name);
END;

CREATE TRIGGER assets_name_trigrams_update AFTER UPDATE OF name, owner_name ON assets
WHEN OLD.name IS NOT NEW.name OR OLD.owner_name IS NOT NEW.owner_name BEGIN
    INSERT INTO asset_name_trigrams (asset_name_trigrams, rowid, name, owner_name)
    VALUES ('delete', OLD.rowid, OLD.name, OLD.owner_name);
    INSERT INTO asset_name_trigrams (rowid, name, owner_name)
    VALUES (NEW.rowid, NEW.name, NEW.owner_name);
END;

CREATE TRIGGER assets_name_trigrams_delete AFTER DELETE ON assets BEGIN
    INSERT INTO asset_name_trigrams (asset_name_trigrams, rowid, name, owner_name)
    VALUES ('delete', OLD.rowid, OLD.name, OLD.owner_name);
END;

CREATE VIRTUAL TABLE search_name_trigrams USING fts5(
    name, content = 'search_names', content_rowid = 'rowid', tokenize = 'trigram'
);
INSERT INTO search_name_trigrams (search_name_trigrams) VALUES ('rebuild');

CREATE TRIGGER search_names_trigrams_insert AFTER INSERT ON search_names BEGIN
    INSERT INTO search_name_trigrams (rowid, name) VALUES (NEW.rowid, NEW.name);
END;

CREATE TRIGGER search_names_trigrams_update AFTER UPDATE OF name ON search_names
WHEN OLD.name IS NOT NEW.name BEGIN
    INSERT INTO search_name_trigrams (search_name_trigrams, rowid, name)
    VALUES ('delete', OLD.rowid, OLD.name);
    INSERT INTO search_name_trigrams (rowid, name) VALUES (NEW.rowid, NEW.name);
END;

CREATE TRIGGER search_names_trigrams_delete AFTER DELETE ON search_names BEGIN
    INSERT INTO search_name_trigrams (search_name_trigrams, rowid, name)
    VALUES ('delete', OLD.rowid, OLD.name);
END;
