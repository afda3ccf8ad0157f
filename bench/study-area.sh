#!/usr/bin/env bash
# A study area's portrait, warm: 500 communes (the first 500 codes of the Nord, 59) and 10,000 communes, each portrait
# asked 20 times over HTTP after one warm-up; median and max; then its GeoJSON download (the union of its communes) once. Usage: bench/study-area.sh  (ATLAS_DB: an imported
# database; it creates a throw-away member account and token there and deletes its areas afterwards).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
PORT="${BENCH_PORT:-5192}"
export ATLAS_DB="${ATLAS_DB:-Host=127.0.0.1;Port=${ATLAS_PG_PORT:-55432};Database=atlas;Username=postgres}"
CONNINFO="$(tr ';' '\n' <<<"$ATLAS_DB" | sed -E 's/^Host=/host=/I; s/^Port=/port=/I; s/^Database=/dbname=/I; s/^Username=/user=/I; s/^Password=/password=/I' | tr '\n' ' ')"
WEB="$REPO/src/TerritoryAtlas.Web"
dotnet build "$WEB" -c Release -nologo -v q >/dev/null
web() { (cd "$WEB" && ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Error dotnet bin/Release/net10.0/TerritoryAtlas.Web.dll "$@"); }

EMAIL="bench-$(date +%s)@example.org"
web user add "$EMAIL" --role member >/dev/null
TOKEN="$(web token create "$EMAIL" --days 1 | grep -o 'ata_[A-Za-z0-9_-]*' | head -1)"
(cd "$WEB" && exec env ASPNETCORE_URLS="http://127.0.0.1:$PORT" ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Error RateLimits__PublicReadsPerMinute=0 \
  dotnet bin/Release/net10.0/TerritoryAtlas.Web.dll) & APP=$!
trap 'kill $APP 2>/dev/null' EXIT
for _ in $(seq 120); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.5; done

measure() { # $1 label, $2 SQL giving the codes
  local codes id times
  codes="$(psql "$CONNINFO" -X -q -At -c "select string_agg(code, ' ') from ($2) c")"
  id="$(curl -sf -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
      -d "{\"name\":\"bench $1\",\"codes\":\"$codes\"}" "http://127.0.0.1:$PORT/api/study-areas" | grep -o '"id":[0-9]*' | cut -d: -f2)"
  curl -sf -o /dev/null -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/study-areas/$id/portrait"
  times="$(for _ in $(seq 20); do curl -sf -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/study-areas/$id/portrait"; done | sort -n)"
  echo "$1: portrait warm, 20 requests: median $(sed -n 10p <<<"$times") s, max $(tail -1 <<<"$times") s"
  echo "$1: outline and figures (GeoJSON, one request): $(curl -sf -o /dev/null -w '%{time_total} s, %{size_download} bytes' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/study-areas/$id.geojson")"
  curl -sf -o /dev/null -X DELETE -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/study-areas/$id"
}
echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
measure "500 communes" "select code from territory where level = 'commune' and code like '59%' order by code limit 500"
measure "10,000 communes" "select code from territory where level = 'commune' order by code limit 10000"
