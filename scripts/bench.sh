#!/usr/bin/env bash
# Runs every benchmark of BENCHMARKS.md in one go and writes the raw figures to
# target/bench/: import at 10k, 100k and 1M rows (1M rows make about 2.1M ledger
# entries) on SQLite and PostgreSQL against sqlite3 .import and psql \copy of the same
# CSV and against their load of the rows the import stored (the floor), peak memory,
# and every read of issue #18 (totals by every grouping and scope, findings, filtered
# and as-of lists, the change feed, a single asset, reconciliations) as a ratio to the
# health query in the same run (one `read backend=… what=… ms=… ratio=…` line each,
# gathered in target/bench/reads-ROWS.txt); ledger verification at 1M against raw
# SHA-256, 100,000 stock-take results in one upload against the CSV import of as many
# rows, and GET /api/v1/assets/{code} against the pooled health route with wrk.
# Then it draws target/bench/scaling.svg. Takes about 40 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/bench
mkdir -p "$out"
export BENCH_POSTGRES_URL="${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
cargo build --release --bins --benches

for rows in ${PROVINCE_SIZES:-10000 100000 1000000}; do
  echo "== province import and reads, $rows rows"
  PROVINCE_ROWS=$rows cargo bench --bench province 2>/dev/null | tee "$out/province-$rows.txt"
  grep '^read ' "$out/province-$rows.txt" > "$out/reads-$rows.txt" || true
done

echo "== stock-take results, 100,000 in one upload, against the CSV import of as many rows"
cargo bench --bench stocktake 2>/dev/null | tee "$out/stocktake.txt"

echo "== ledger verification, 1,000,000 entries"
cargo bench --bench verify 2>/dev/null | tee "$out/verify.txt"

echo "== GET /api/v1/assets/{code} with a bearer token vs the pooled health route"
work=$(mktemp -d)
bin=target/release/asset-registry
db="$work/registry.sqlite3"
"$bin" --database "$db" import imports/xingping_2020.gbk.csv >/dev/null 2>&1
token=$("$bin" --database "$db" token create --role reader --name bench)
ROCKET_LOG_LEVEL=off "$bin" --database "$db" serve --port 8765 >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 50); do curl -sf http://127.0.0.1:8765/api/v1/health >/dev/null && break; sleep 0.2; done
wrk -t2 -c16 -d15s http://127.0.0.1:8765/api/v1/health | tee "$out/wrk-health.txt"
wrk -t2 -c16 -d15s -H "Authorization: Bearer $token" http://127.0.0.1:8765/api/v1/assets/XP2016-0001-01 | tee "$out/wrk-asset.txt"

python3 scripts/plot_scaling.py "$out" > "$out/scaling.svg"
echo "figures in $out/"
