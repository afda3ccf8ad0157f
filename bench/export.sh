#!/usr/bin/env bash
# Export load check, side by side in one run, on loopback:
#   1. all communes with one indicator over HTTP from the running app (first byte, total, size; plain and gzip);
#   2. ogr2ogr -f GeoJSON from PostGIS with the same join;
#   3. PostGIS alone (ST_AsGeoJSON + json_agg through psql);
#   4. the app's peak memory (VmHWM) after exporting département 93 vs all of France, each in a fresh process.
# Usage: ATLAS_DB="Host=127.0.0.1;Port=55432;Database=atlas;Username=postgres" bench/export.sh
# Needs a Release build (dotnet build src/TerritoryAtlas.Web -c Release), curl, psql, ogr2ogr.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
web="$here/../src/TerritoryAtlas.Web"
: "${ATLAS_DB:?set ATLAS_DB to the database holding the import}"
port=${BENCH_PORT:-5105}
base="http://127.0.0.1:$port"
indicator=${BENCH_INDICATOR:-taux_pauvrete_60}
year=${BENCH_YEAR:-2019}
runs=${BENCH_RUNS:-3}
out=$(mktemp -d)
trap 'kill "$app" 2>/dev/null || true; rm -rf "$out"' EXIT

# libpq parameters from the Npgsql connection string.
get() { tr ';' '\n' <<<"$ATLAS_DB" | awk -F= -v k="$1" 'tolower($1)==tolower(k){print $2}'; }
export PGHOST=$(get Host) PGPORT=$(get Port) PGDATABASE=$(get Database) PGUSER=$(get Username)
pg="host=$PGHOST port=$PGPORT dbname=$PGDATABASE user=$PGUSER"
join="select t.code, t.name, o.value, o.status, t.geom from territory t
      left join published_observation o on o.territory_id = t.id and o.indicator_code = '$indicator' and o.year = $year
      where t.level = 'commune'"

start_app() {
  (cd "$web" && ATLAS_DB="$ATLAS_DB" ASPNETCORE_URLS="$base" exec dotnet bin/Release/net10.0/TerritoryAtlas.Web.dll >"$out/app.log" 2>&1) &
  app=$!
  for _ in $(seq 100); do curl -fs "$base/health" >/dev/null 2>&1 && return; sleep 0.2; done
  echo "the app did not start: $(cat "$out/app.log")" >&2; exit 1
}
hwm() { awk '/VmHWM/{print int($2/1024)}' "/proc/$app/status"; }
best() { sort -n | head -1; }

echo "== peak memory of the app (MB, VmHWM, fresh process each, after a warm-up of one département)"
for within in "&within=departement:93" ""; do
  start_app
  curl -fs -o /dev/null "$base/api/export/departement.geojson?indicator=$indicator&year=$year"
  before=$(hwm)
  curl -fs -o "$out/mem.geojson" "$base/api/export/commune.geojson?indicator=$indicator&year=$year$within"
  after=$(hwm)
  n=$(grep -o '"type":"Feature"' "$out/mem.geojson" | wc -l)
  printf '  communes%-24s features=%-6s warm=%s MB  peak=%s MB  size=%s bytes\n' "${within:-(all of France)}" "$n" "$before" "$after" "$(stat -c %s "$out/mem.geojson")"
  kill "$app"; wait "$app" 2>/dev/null || true
done

start_app
url="$base/api/export/commune.geojson?indicator=$indicator&year=$year"
curl -fs -o /dev/null "$url"   # warm-up: JIT and catalogue
echo "== HTTP, all communes, $runs runs (first byte s, total s, bytes)"
for enc in identity gzip; do
  for _ in $(seq "$runs"); do
    curl -fs -H "Accept-Encoding: $enc" -o "$out/http.$enc" -w '%{time_starttransfer} %{time_total} %{size_download}\n' "$url"
  done > "$out/http.$enc.txt"
  sed "s/^/  $enc: /" "$out/http.$enc.txt"
done
http_total=$(awk '{print $2}' "$out/http.identity.txt" | best)
http_first=$(awk '{print $1}' "$out/http.identity.txt" | best)
http_size=$(awk '{print $3}' "$out/http.identity.txt" | head -1)
kill "$app"; wait "$app" 2>/dev/null || true

echo "== ogr2ogr -f GeoJSON from PostGIS, same join, $runs runs (s, peak KB)"
for _ in $(seq "$runs"); do
  rm -f "$out/ogr.geojson"
  /usr/bin/time -f '%e %M' ogr2ogr -f GeoJSON "$out/ogr.geojson" PG:"$pg" -sql "$join" 2>&1 | tail -1
done > "$out/ogr.txt"
sed 's/^/  /' "$out/ogr.txt"
ogr_total=$(awk '{print $1}' "$out/ogr.txt" | best)
ogr_size=$(stat -c %s "$out/ogr.geojson")

echo "== PostGIS alone: ST_AsGeoJSON + json_agg through psql, $runs runs (s)"
for _ in $(seq "$runs"); do
  /usr/bin/time -f '%e' psql -XAtq -o "$out/pg.geojson" -c "select json_build_object('type', 'FeatureCollection', 'features', json_agg(ST_AsGeoJSON(q.*, 'geom', 6)::json)) from ($join) q" 2>&1 | tail -1
done > "$out/pg.txt"
sed 's/^/  /' "$out/pg.txt"
pg_total=$(best < "$out/pg.txt")
pg_size=$(stat -c %s "$out/pg.geojson")

echo "== summary (best of $runs)"
printf '  %-28s %8s s  %10s bytes\n' "app over HTTP" "$http_total" "$http_size" "ogr2ogr" "$ogr_total" "$ogr_size" "PostGIS alone (psql)" "$pg_total" "$pg_size"
printf '  first byte over HTTP: %s s\n' "$http_first"
awk -v h="$http_total" -v o="$ogr_total" -v p="$pg_total" 'BEGIN { printf "  ogr2ogr / app = %.2f×   app / PostGIS alone = %.2f×\n", o / h, h / p }'
