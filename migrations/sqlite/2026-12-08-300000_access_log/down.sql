DROP TRIGGER access_log_no_delete;
DROP TRIGGER access_log_no_update;
DROP TABLE access_log;
