#!/usr/bin/env bash
# A/B of the PostgreSQL import: A = the five per-row foreign keys put back (deferrable,
# initially deferred, since the batch row is now written last), B = this branch.
# usage: scripts/pg_references_ab.sh target/release/asset-registry CSV (from PROVINCE_CSV_ONLY)
set -euo pipefail
bin=$1; csv=$2
admin=postgres://postgres@127.0.0.1:5432
for round in 1 2; do
for variant in A B; do
  name=pgimport_ab_${variant,,}_$round
  psql -q "$admin/postgres" -c "DROP DATABASE IF EXISTS $name" -c "CREATE DATABASE $name"
  "$bin" --database "$admin/$name" verify >/dev/null 2>&1 || true
  if [ $variant = A ]; then
    psql -q -v ON_ERROR_STOP=1 "$admin/$name" <<'SQL'
DROP TRIGGER ledger_entries_asset_registered ON ledger_entries;
DROP TRIGGER assets_project_registered ON assets;
ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_asset_id_fkey FOREIGN KEY (asset_id) REFERENCES assets (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE ledger_entries ADD CONSTRAINT ledger_entries_batch_id_fkey FOREIGN KEY (batch_id) REFERENCES import_batches (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE assets ADD CONSTRAINT assets_project_code_fkey FOREIGN KEY (project_code) REFERENCES projects (code) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE assets ADD CONSTRAINT assets_batch_id_fkey FOREIGN KEY (batch_id) REFERENCES import_batches (id) DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE projects ADD CONSTRAINT projects_batch_id_fkey FOREIGN KEY (batch_id) REFERENCES import_batches (id) DEFERRABLE INITIALLY DEFERRED;
SQL
  fi
  start=$(date +%s.%N)
  "$bin" --database "$admin/$name" import "$csv" >/dev/null
  end=$(date +%s.%N)
  echo "ab variant=$variant round=$round seconds=$(echo "$end - $start" | bc)"
  psql -q "$admin/postgres" -c "DROP DATABASE $name WITH (FORCE)"
done
done
