#!/usr/bin/env bash
# GDAL's OGC API Features driver at its defaults, side by side with the direct export, on loopback:
#   1. ogr2ogr -f GPKG out.gpkg OAPIF:http://…/ogc commune  (no -oo PAGE_SIZE: the driver sizes pages from the API
#      definition's limit, as QGIS does);
#   2. the same with -oo PAGE_SIZE=10000, the page size GDAL >= 3.8 reads from the API definition (limit's maximum);
#      GDAL 3.6 ignores the API definition and pages by 10 at its defaults;
#   3. curl of /api/export/commune.geojson (the same 35,357 communes in one response);
#   4. GDAL's own floor: that download, then ogr2ogr of the file to GPKG (what GDAL costs with no paging at all).
# Since next links grow tenfold (10, 100, 1,000, then 10,000 a page), GDAL at its defaults makes 8 requests.
# Goal (issue 16): 1. within 3 × 2. Prints the best of BENCH_RUNS runs of each, and the ratio.
# Usage: ATLAS_DB="Host=127.0.0.1;Port=55432;Database=atlas;Username=postgres" bench/ogc.sh
# Needs a Release build (dotnet build src/TerritoryAtlas.Web -c Release), curl, ogr2ogr, ogrinfo.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
web="$here/../src/TerritoryAtlas.Web"
: "${ATLAS_DB:?set ATLAS_DB to the database holding the import}"
port=${BENCH_PORT:-5106}
base="http://127.0.0.1:$port"
runs=${BENCH_RUNS:-3}
out=$(mktemp -d)
trap 'kill "$app" 2>/dev/null || true; rm -rf "$out"' EXIT

(cd "$web" && ATLAS_DB="$ATLAS_DB" ASPNETCORE_URLS="$base" exec dotnet bin/Release/net10.0/TerritoryAtlas.Web.dll >"$out/app.log" 2>&1) &
app=$!
for _ in $(seq 150); do curl -fs "$base/health" >/dev/null 2>&1 && break; sleep 0.2; done
curl -fs "$base/health" >/dev/null || { echo "the app did not start: $(cat "$out/app.log")" >&2; exit 1; }
# Warm-up: the first request of each kind pays for JIT and the count cache of a cold process.
curl -fs -o /dev/null "$base/api/export/commune.geojson"
curl -fs -o /dev/null "$base/ogc/collections/commune/items?limit=10"

best() { sort -n | head -1; }
echo "== direct export: /api/export/commune.geojson (s)"
export_s=$(for _ in $(seq "$runs"); do curl -fs -o "$out/communes.geojson" -w '%{time_total}\n' "$base/api/export/commune.geojson"; done | best)
echo "$export_s"

echo "== ogr2ogr -f GPKG out.gpkg OAPIF:$base/ogc commune, GDAL's defaults (s)"
ogr_s=$(for _ in $(seq "$runs"); do
  rm -f "$out/out.gpkg"
  start=$(date +%s.%N)
  ogr2ogr -f GPKG "$out/out.gpkg" "OAPIF:$base/ogc" commune
  echo "$(date +%s.%N) - $start" | bc
done | best)
echo "$ogr_s"
echo "== the same with -oo PAGE_SIZE=10000: what GDAL >= 3.8 (and QGIS on it) takes from the API definition's limit maximum (s)"
big_s=$(for _ in $(seq "$runs"); do
  rm -f "$out/out.gpkg"
  start=$(date +%s.%N)
  ogr2ogr -f GPKG "$out/out.gpkg" "OAPIF:$base/ogc" commune -oo PAGE_SIZE=10000
  echo "$(date +%s.%N) - $start" | bc
done | best)
echo "$big_s"
echo "== GDAL's own floor: the same communes downloaded from the export, then ogr2ogr of that file to GPKG (s)"
floor_s=$(for _ in $(seq "$runs"); do
  rm -f "$out/floor.gpkg"
  start=$(date +%s.%N)
  curl -fs -o "$out/communes.geojson" "$base/api/export/commune.geojson"
  ogr2ogr -f GPKG "$out/floor.gpkg" "$out/communes.geojson"
  echo "$(date +%s.%N) - $start" | bc
done | best)
echo "$floor_s"
echo "gdal: $(ogrinfo --version)"
echo "features copied: $(ogrinfo -so "$out/out.gpkg" commune | awk -F': ' '/Feature Count/{print $2}')"
echo "pages requested per copy at GDAL's defaults: 8 (limit=10 twice, then next links of 100, 1,000 and 10,000 a page)"
echo "ratio ogr2ogr (defaults) / export: $(echo "scale=2; $ogr_s / $export_s" | bc)"
echo "ratio ogr2ogr (PAGE_SIZE=10000) / export: $(echo "scale=2; $big_s / $export_s" | bc)"
echo "ratio ogr2ogr (defaults) / GDAL's floor (download + file to GPKG): $(echo "scale=2; $ogr_s / $floor_s" | bc)"
