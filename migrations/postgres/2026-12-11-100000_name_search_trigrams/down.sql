DROP INDEX search_names_trigrams;
