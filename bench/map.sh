#!/usr/bin/env bash
# First coloured paint, year-change re-colouring and memory per map page, in headless Chromium on loopback.
# Usage: bench/map.sh [pages] [--memory-only]  (ATLAS_DB as for ./atlas run; Debian's chromium installed)
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
PORT="${BENCH_PORT:-5192}"
export ATLAS_DB="${ATLAS_DB:-Host=127.0.0.1;Port=${ATLAS_PG_PORT:-55432};Database=atlas;Username=postgres}"
dotnet build "$REPO/src/TerritoryAtlas.Web" -c Release -nologo -v q >/dev/null
dotnet build "$REPO/bench/TerritoryAtlas.MapBench" -c Release -nologo -v q >/dev/null
WEB="$REPO/src/TerritoryAtlas.Web"
# MALLOC_ARENA_MAX as the Dockerfile and ./atlas run set it.
(cd "$WEB" && exec env MALLOC_ARENA_MAX=2 ASPNETCORE_URLS="http://127.0.0.1:$PORT" ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Error RateLimits__PublicReadsPerMinute=0 \
  dotnet bin/Release/net10.0/TerritoryAtlas.Web.dll) & APP=$!
trap 'kill $APP 2>/dev/null' EXIT
for _ in $(seq 60); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.5; done
dotnet "$REPO/bench/TerritoryAtlas.MapBench/bin/Release/net10.0/TerritoryAtlas.MapBench.dll" "http://127.0.0.1:$PORT" "$APP" "${1:-100}" ${2:-}
