DROP TRIGGER assets_id_kept;
DROP TRIGGER projects_code_kept;
DROP TRIGGER projects_no_delete;
DROP TRIGGER import_batches_no_delete;
DROP TRIGGER import_batches_no_update;
