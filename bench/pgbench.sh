#!/usr/bin/env bash
# The baseline for BenchmarkSubmitAndNext: pgbench running a one-row insert
# transaction at 1, 16 and 64 clients on the same PostgreSQL server, with
# throughput and p50/p99 latency from pgbench's per-transaction log.
#
#   bench/pgbench.sh [DATABASE_URL]   (default: the test server)
set -euo pipefail

url=${1:-${PREFER_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable}}
seconds=${SECONDS_PER_RUN:-10}
db=prefer_pgbench_$$
work=$(mktemp -d)
trap 'psql "$url" -qc "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1; rm -rf "$work"' EXIT

psql "$url" -qc "CREATE DATABASE $db"
dburl=$(python3 -c 'import sys,urllib.parse as u; p=u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/"+sys.argv[2])))' "$url" "$db")
psql "$dburl" -qc "CREATE TABLE t (id bigserial PRIMARY KEY, pair_id bigint, choice text,
  created_at timestamptz DEFAULT now())"
cat >"$work/insert.sql" <<'SQL'
INSERT INTO t (pair_id, choice) VALUES (:client_id, 'a');
SQL

printf '%-8s %12s %10s %10s\n' clients tps p50_ms p99_ms
for clients in 1 16 64; do
  (cd "$work" && rm -f pgbench_log.* &&
    pgbench -n -c "$clients" -j 2 -T "$seconds" -f insert.sql -l "$dburl" >"$work/out" 2>&1)
  tps=$(grep -oP 'tps = \K[0-9.]+' "$work/out" | head -1)
  # Column 3 of pgbench's log is the transaction's latency in microseconds.
  cat "$work"/pgbench_log.* | awk '{print $3}' | sort -n >"$work/lat"
  n=$(wc -l <"$work/lat")
  p50=$(awk -v n="$n" 'NR==int(n*0.50)+1 {printf "%.2f", $1/1000}' "$work/lat")
  p99=$(awk -v n="$n" 'NR==int(n*0.99)+1 {printf "%.2f", $1/1000}' "$work/lat")
  printf '%-8s %12s %10s %10s\n' "$clients" "$tps" "$p50" "$p99"
done
