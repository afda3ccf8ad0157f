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
STATIC="$WEB/wwwroot/bench-static.mvt"
trap 'kill $APP 2>/dev/null; rm -f "$STATIC"' EXIT
(cd "$WEB" && exec env ASPNETCORE_URLS="http://127.0.0.1:$PORT" ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Error RateLimits__PublicReadsPerMinute=0 \
  dotnet bin/Release/net10.0/TerritoryAtlas.Web.dll) & APP=$!
for _ in $(seq 60); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.5; done

echo "== cold tiles (first request after start: PostGIS ST_AsMVT + gzip), raw and gzip sizes"
for t in commune/5/16/11 commune/4/8/5 commune/6/32/22 commune/7/64/44 commune/8/129/88 commune/10/518/352 departement/5/16/11 epci/5/16/11; do
  curl -s -o /dev/null -H 'Accept-Encoding: gzip' -w "$t cold %{time_total}s gzip %{size_download} B" "http://127.0.0.1:$PORT/tiles/$t.mvt"
  curl -s -o /dev/null -w " raw %{size_download} B\n" "http://127.0.0.1:$PORT/tiles/$t.mvt"
done

TILE="${BENCH_TILE:-commune/7/64/44}"
curl -s -o "$STATIC" "http://127.0.0.1:$PORT/tiles/$TILE.mvt"
# Warm-up first: tiered JIT compiles the hot paths during the first seconds, which would favour whichever runs second.
wrk -t2 -c16 -d5s "http://127.0.0.1:$PORT/tiles/$TILE.mvt" >/dev/null
wrk -t2 -c16 -d5s "http://127.0.0.1:$PORT/bench-static.mvt" >/dev/null
echo "== warm $TILE ($(stat -c %s "$STATIC") B raw): app tile vs the same bytes as a static file (wrk -t2 -c16 -d10s)"
wrk -t2 -c16 -d10s "http://127.0.0.1:$PORT/tiles/$TILE.mvt" | grep -E "Requests/sec|Latency"
wrk -t2 -c16 -d10s "http://127.0.0.1:$PORT/bench-static.mvt" | grep -E "Requests/sec|Latency"

echo "== values payload, all communes (median income 2019)"
for enc in identity gzip br; do
  curl -s -o /dev/null -H "Accept-Encoding: $enc" -w "$enc %{size_download} B %{time_total}s\n" "http://127.0.0.1:$PORT/api/maps/commune/mediane_niveau_vie/2019"
done
