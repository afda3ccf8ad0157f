#!/usr/bin/env bash
# Warm vector tiles against the same bytes served by Kestrel as a static file, side by side with wrk on loopback,
# plus cold tile times and sizes. Usage: bench/tiles.sh  (needs ATLAS_DB pointing at an imported database, or the
# private cluster of ./atlas run; wrk from Debian: apt-get install wrk).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
PORT="${BENCH_PORT:-5190}"
export ATLAS_DB="${ATLAS_DB:-Host=127.0.0.1;Port=${ATLAS_PG_PORT:-55432};Database=atlas;Username=postgres}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

dotnet build "$REPO/src/TerritoryAtlas.Web" -c Release -nologo -v q >/dev/null
WEB="$REPO/src/TerritoryAtlas.Web"
# .bin: a type the static file middleware knows (it answers 404 for unknown extensions such as .mvt).
STATIC="$WEB/wwwroot/bench-static.bin"
trap 'kill $APP 2>/dev/null; rm -f "$STATIC"' EXIT
(cd "$WEB" && exec env ASPNETCORE_URLS="http://127.0.0.1:$PORT" ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Error RateLimits__PublicReadsPerMinute=0 \
  dotnet bin/Release/net10.0/TerritoryAtlas.Web.dll) & APP=$!
for _ in $(seq 60); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.5; done

echo "== cold tiles (first request after start: the import-built pyramid below zoom 8 for communes, ST_AsMVT beyond), sizes as served"
for t in commune/5/16/11 commune/4/8/5 commune/6/32/22 commune/7/64/44 commune/8/129/88 commune/10/518/352 departement/5/16/11 departement/7/64/44 epci/5/16/11 epci/7/64/44; do
  curl -s -o /dev/null -H 'Accept-Encoding: br' -w "$t cold %{time_total}s br %{size_download} B" "http://127.0.0.1:$PORT/tiles/$t.mvt"
  curl -s -o /dev/null -H 'Accept-Encoding: gzip' -w " gzip %{size_download} B" "http://127.0.0.1:$PORT/tiles/$t.mvt"
  curl -s -o /dev/null -w " raw %{size_download} B\n" "http://127.0.0.1:$PORT/tiles/$t.mvt"
done

# Warm: the tile as a browser gets it (brotli) against the very same bytes served by Kestrel's static file middleware.
# Any non-2xx answer spoils a comparison (an earlier version of this script measured 404s): it stops the script.
run_wrk() {
  local out
  out="$(wrk -t2 -c16 -d"$2" "${@:3}" "$1")"
  if grep -q "Non-2xx" <<<"$out"; then echo "non-2xx answers from $1" >&2; exit 1; fi
  grep -E "Requests/sec|Latency" <<<"$out"
}
for TILE in ${BENCH_TILES:-commune/7/64/44 commune/5/16/11}; do
  curl -s -H 'Accept-Encoding: br' -o "$STATIC" "http://127.0.0.1:$PORT/tiles/$TILE.mvt"
  # Warm-up first: tiered JIT compiles the hot paths during the first seconds, which would favour whichever runs second.
  run_wrk "http://127.0.0.1:$PORT/tiles/$TILE.mvt" 5s -H 'Accept-Encoding: br' >/dev/null
  run_wrk "http://127.0.0.1:$PORT/bench-static.bin" 5s >/dev/null
  echo "== warm $TILE ($(stat -c %s "$STATIC") B, brotli): app tile vs the same bytes as a static file (wrk -t2 -c16 -d10s)"
  run_wrk "http://127.0.0.1:$PORT/tiles/$TILE.mvt" 10s -H 'Accept-Encoding: br'
  run_wrk "http://127.0.0.1:$PORT/bench-static.bin" 10s
done

echo "== values payload, all communes (median income 2019)"
for enc in identity gzip br; do
  curl -s -o /dev/null -H "Accept-Encoding: $enc" -w "$enc %{size_download} B %{time_total}s\n" "http://127.0.0.1:$PORT/api/maps/commune/mediane_niveau_vie/2019"
done
