DROP INDEX assets_owner_name_trigrams;
DROP INDEX assets_name_trigrams;
