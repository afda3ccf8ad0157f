#!/usr/bin/env bash
# A 300,000-row commune contribution (30,000 real commune codes × 10 years of a new count indicator, the import's
# tidy long format), side by side with the floor: PostgreSQL's own COPY of the same rows into a bare table. Then, over
# HTTP as an admin (bearer token), each run: validation (POST /api/datasets until the draft is stored), publication
# (POST /api/datasets/{id}/publish, one transaction with every derived figure recomputed) and roll back. Medians of
# the runs and the ratios to the floor. The file is written in /tmp, never in the repository.
# Usage: bench/datasets.sh [runs]  (ATLAS_DB: an imported database; it creates a throw-away admin account and token
# there, and removes the bench indicator, its dataset and its figures afterwards).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
RUNS="${1:-3}"
PORT="${BENCH_PORT:-5193}"
export ATLAS_DB="${ATLAS_DB:-Host=127.0.0.1;Port=${ATLAS_PG_PORT:-55432};Database=atlas;Username=postgres}"
# The Npgsql connection string as libpq key=value pairs for psql.
CONNINFO="$(tr ';' '\n' <<<"$ATLAS_DB" | sed -E 's/^Host=/host=/I; s/^Port=/port=/I; s/^Database=/dbname=/I; s/^Username=/user=/I; s/^Password=/password=/I' | tr '\n' ' ')"
PSQL=(psql "$CONNINFO" -X -q -v ON_ERROR_STOP=1)
INDICATOR="bench_allocataires"
FILE="$(mktemp --suffix=.csv)"
OUT="$(mktemp)"
LOG="$(mktemp)"
source "$REPO/bench/admin-api.sh"
dotnet build "$WEB" -c Release -nologo -v q >/dev/null

cleanup() {
  [[ -n "${APP:-}" ]] && kill "$APP" 2>/dev/null
  rm -f "$FILE" "$OUT" "$LOG"
  # Rolled back, the bench's figures are gone already; its versions, dataset and indicator go too.
  "${PSQL[@]}" -c "drop table if exists bench_floor" \
    -c "delete from observation where indicator_code = '$INDICATOR'" \
    -c "delete from perimeter_observation where indicator_code = '$INDICATOR'" \
    -c "delete from dataset where name like '%:$INDICATOR'" \
    -c "delete from indicator where code = '$INDICATOR'" >/dev/null || true
}
trap cleanup EXIT
cleanup

# 30,000 real communes (the first by code) × 2011–2020; a deterministic count per commune and year.
"${PSQL[@]}" -c "\\copy (select 'commune' as geo_level, c.code as geo_code, c.name as geo_name, '$INDICATOR' as indicator, y as year,
    (abs(hashtext(c.code || y)) % 5000)::text as value
  from (select code, name from territory where level = 'commune' order by code limit 30000) c
  cross join generate_series(2011, 2020) as y
  order by c.code, y) to '$FILE' csv header"
ROWS=$(($(wc -l <"$FILE") - 1))
echo "== file: $ROWS rows, $(du -h "$FILE" | cut -f1); machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

TOKEN="$(admin_token datasets)"
start_app

METADATA="{\"code\":\"$INDICATOR\",\"label_fr\":\"Allocataires (banc d'essai)\",\"unit_fr\":\"allocataires\",\"kind\":\"count\",
  \"additive\":true,\"source\":\"bench/datasets.sh\",\"producer\":\"banc d'essai\",\"licence\":\"Licence Ouverte\"}"
floor=() validate=() publish=() rollback=()
for run in $(seq "$RUNS"); do
  # The floor: the same rows, same columns, into a bare table with no index, no constraint, no validation.
  "${PSQL[@]}" -c "drop table if exists bench_floor" \
    -c "create table bench_floor (geo_level text, geo_code text, geo_name text, indicator text, year smallint, value double precision)"
  start=$(date +%s.%N)
  "${PSQL[@]}" -c "\\copy bench_floor from '$FILE' csv header"
  floor+=("$(echo "$(date +%s.%N) - $start" | bc)")

  validate+=("$(api /api/datasets -X POST -F "file=@$FILE;filename=bench-communes.csv" -F "metadata=$METADATA")")
  id="$(grep -o '"id":[0-9]*' "$OUT" | head -1 | cut -d: -f2)"
  accepted="$(grep -o '"accepted":[0-9]*' "$OUT" | head -1 | cut -d: -f2)"
  publish+=("$(api "/api/datasets/$id/publish" -X POST)")
  published="$("${PSQL[@]}" -At -c "select count(*) from observation where dataset_version_id = $id")"
  rollback+=("$(api "/api/datasets/$id/rollback" -X POST)")
  phases_of "$id"
  echo "   run $run: floor ${floor[-1]} s, validation ${validate[-1]} s ($accepted accepted, version $id), publication ${publish[-1]} s ($published figures), roll back ${rollback[-1]} s"
done

f=$(printf '%s\n' "${floor[@]}" | median)
v=$(printf '%s\n' "${validate[@]}" | median)
p=$(printf '%s\n' "${publish[@]}" | median)
r=$(printf '%s\n' "${rollback[@]}" | median)
echo "== medians of $RUNS runs ($ROWS rows)"
printf '   floor, psql \\copy into a bare table: %.2f s\n' "$f"
printf '   validation (POST /api/datasets):       %.2f s  (%.1f × the floor)\n' "$v" "$(echo "$v / $f" | bc -l)"
printf '   publication (POST …/publish):          %.2f s  (%.1f × the floor)\n' "$p" "$(echo "$p / $f" | bc -l)"
printf '   validation + publication:               %.2f s  (%.1f × the floor; goal ≤ 10 s)\n' "$(echo "$v + $p" | bc -l)" "$(echo "($v + $p) / $f" | bc -l)"
printf '   roll back (POST …/rollback):           %.2f s  (%.1f × the floor)\n' "$r" "$(echo "$r / $f" | bc -l)"
