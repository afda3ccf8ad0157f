#!/usr/bin/env bash
# An IGN ADMIN EXPRESS commune layer as a partner uploads it: the data directory's 35,357 communes (COG 2018) written by
# GDAL as ADMIN EXPRESS ships them (COMMUNE.shp in Lambert-93, INSEE_COM and NOM columns, zipped, the COG year in the
# names), side by side with the floor: GDAL's own load of the same shapefile into PostGIS (ogr2ogr, reprojected to
# WGS 84, multipolygons, no index). Then, over HTTP as an admin, each run: validation (POST /api/datasets until the
# draft is stored: unzip, read, reproject, check, stage, make valid, compare with the level in force), publication
# (outlines, the map's zoom-band copies, prebuilt tiles) and roll back (the outlines before it come back). Same vintage
# as the layer in force, so it publishes as a corrected edition and the database ends as it began.
# Usage: bench/boundaries.sh [runs]  (ATLAS_DB: an imported database; ATLAS_DATA: the data directory; GDAL:
# apt-get install gdal-bin). The files are written in /tmp, never in the repository.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
RUNS="${1:-3}"
PORT="${BENCH_PORT:-5194}"
export ATLAS_DB="${ATLAS_DB:-Host=127.0.0.1;Port=${ATLAS_PG_PORT:-55432};Database=atlas;Username=postgres}"
DATA="${ATLAS_DATA:-$REPO/../shared/data}"
command -v ogr2ogr >/dev/null || { echo "ogr2ogr is missing: apt-get install gdal-bin" >&2; exit 1; }
CONNINFO="$(tr ';' '\n' <<<"$ATLAS_DB" | sed -E 's/^Host=/host=/I; s/^Port=/port=/I; s/^Database=/dbname=/I; s/^Username=/user=/I; s/^Password=/password=/I' | tr '\n' ' ')"
PSQL=(psql "$CONNINFO" -X -q -v ON_ERROR_STOP=1)
WORK="$(mktemp -d)"
OUT="$WORK/response.json"
LOG="$WORK/app.log"
source "$REPO/bench/admin-api.sh"
dotnet build "$WEB" -c Release -nologo -v q >/dev/null
cleanup() {
  [[ -n "${APP:-}" ]] && kill "$APP" 2>/dev/null
  rm -rf "$WORK"
  "${PSQL[@]}" -c "drop table if exists bench_boundary_floor" >/dev/null || true
}
trap cleanup EXIT

SHP="$WORK/ADECOG_2-1_SHP_LAMB93_FR-ED2018/COMMUNE.shp"
mkdir -p "$(dirname "$SHP")"
ogr2ogr -f "ESRI Shapefile" "$SHP" "$DATA/geodata/communes-2018.geojson" -t_srs EPSG:2154 -nln COMMUNE -lco ENCODING=UTF-8 \
  -sql "select code as INSEE_COM, nom as NOM from \"communes-2018\""
ZIP="$WORK/ADMIN-EXPRESS-COG_2-1__SHP__FRA_2018-04-03.zip"
(cd "$WORK" && zip -qr "$ZIP" "$(basename "$(dirname "$SHP")")")
FEATURES="$(ogrinfo -ro -so -al "$SHP" | awk -F': ' '/Feature Count/ {print $2}')"
echo "== layer: $FEATURES communes, zip $(du -h "$ZIP" | cut -f1); machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

PG="PG:$CONNINFO"
TOKEN="$(admin_token boundaries)"
start_app

floor=() validate=() publish=() rollback=()
for run in $(seq "$RUNS"); do
  start=$(date +%s.%N)
  ogr2ogr -f PostgreSQL "$PG" "$SHP" -nln bench_boundary_floor -overwrite -t_srs EPSG:4326 -nlt PROMOTE_TO_MULTI \
    -lco GEOMETRY_NAME=geom -lco SPATIAL_INDEX=NONE --config PG_USE_COPY YES
  floor+=("$(echo "$(date +%s.%N) - $start" | bc)")

  validate+=("$(api /api/datasets -X POST -F "file=@$ZIP" -F 'metadata={"source":"bench/boundaries.sh"}')")
  id="$(grep -o '"id":[0-9]*' "$OUT" | head -1 | cut -d: -f2)"
  matched="$(grep -o '"matched":[0-9]*' "$OUT" | head -1 | cut -d: -f2)"
  publish+=("$(api "/api/datasets/$id/publish" -X POST)")
  rollback+=("$(api "/api/datasets/$id/rollback" -X POST)")
  phases_of "$id"
  echo "   run $run: floor ${floor[-1]} s, validation ${validate[-1]} s ($matched matched, version $id), publication ${publish[-1]} s, roll back ${rollback[-1]} s"
done

f=$(printf '%s\n' "${floor[@]}" | median)
v=$(printf '%s\n' "${validate[@]}" | median)
p=$(printf '%s\n' "${publish[@]}" | median)
r=$(printf '%s\n' "${rollback[@]}" | median)
echo "== medians of $RUNS runs ($FEATURES communes)"
printf '   floor, ogr2ogr into PostGIS:     %.2f s\n' "$f"
printf '   validation (POST /api/datasets): %.2f s  (%.1f × the floor)\n' "$v" "$(echo "$v / $f" | bc -l)"
printf '   publication (POST …/publish):    %.2f s  (%.1f × the floor)\n' "$p" "$(echo "$p / $f" | bc -l)"
printf '   roll back (POST …/rollback):     %.2f s  (%.1f × the floor)\n' "$r" "$(echo "$r / $f" | bc -l)"
