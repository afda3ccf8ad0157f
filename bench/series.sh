#!/usr/bin/env bash
# What provenance costs public readers of /api/series: the app before series points carried their provenance (BEFORE,
# default 2dddaf9) and this checkout, side by side in one run on one database, anonymous, with wrk on loopback,
# alternating the two apps over several rounds so a warm-up or a noisy neighbour favours neither. The series asked
# for: a commune's imported count with its parents (EPCI, département, région, France: import and derived sums) and a
# département's rate (derived from numerator and denominator).
# Usage: bench/series.sh [ROUNDS]  (needs ATLAS_DB pointing at an imported database; wrk: apt-get install wrk)
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
ROUNDS="${1:-3}"
BEFORE="${BEFORE:-2dddaf9}"
export ATLAS_DB="${ATLAS_DB:-Host=127.0.0.1;Port=${ATLAS_PG_PORT:-55432};Database=atlas;Username=postgres}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
OLD=/tmp/atlas-before-series
[ -d "$OLD" ] || git -C "$REPO" worktree add --detach "$OLD" "$BEFORE" >/dev/null
dotnet build "$OLD/src/TerritoryAtlas.Web" -c Release -nologo -v q >/dev/null
[ -n "${SKIP_BUILD:-}" ] || dotnet build "$REPO/src/TerritoryAtlas.Web" -c Release -nologo -v q >/dev/null
(cd "$REPO/src/TerritoryAtlas.Web" && dotnet bin/Release/net10.0/TerritoryAtlas.Web.dll migrate >/dev/null)

start() { # dir port
  (cd "$1/src/TerritoryAtlas.Web" && exec env ASPNETCORE_URLS="http://127.0.0.1:$2" ASPNETCORE_ENVIRONMENT=Production \
    Logging__LogLevel__Default=Error RateLimits__PublicReadsPerMinute=0 dotnet bin/Release/net10.0/TerritoryAtlas.Web.dll) >/dev/null 2>&1 &
  echo $!
}
A=$(start "$OLD" 5193); B=$(start "$REPO" 5194)
trap 'kill $A $B 2>/dev/null' EXIT
for p in 5193 5194; do for _ in $(seq 120); do curl -sf "http://127.0.0.1:$p/health" >/dev/null && break; sleep 0.5; done; done

rps() { # url → requests/s (fails on any non-2xx)
  local out; out="$(wrk -t2 -c8 -d"${DURATION:-8s}" -H 'Accept-Encoding: br' "$1")"
  if grep -q "Non-2xx" <<<"$out"; then echo "non-2xx answers from $1" >&2; exit 1; fi
  awk '/Requests\/sec/ {print $2}' <<<"$out"
}
COUNT="api/series/population_municipale/commune/69123"
RATE="api/series/aah_pour_100_20_64/departement/69"
body="$(curl -sf "http://127.0.0.1:5194/$COUNT")"  # (not piped into grep -q: pipefail would fail on curl's broken pipe)
grep -q '"provenance":{"origin":"import"' <<<"$body" || { echo "this checkout gives no provenance" >&2; exit 1; }
for port in 5193 5194; do DURATION=3s rps "http://127.0.0.1:$port/$COUNT" >/dev/null; DURATION=3s rps "http://127.0.0.1:$port/$RATE" >/dev/null; done
echo "round endpoint before_rps after_rps after/before"
for r in $(seq "$ROUNDS"); do
  for path in "$COUNT" "$RATE"; do
    before=$(rps "http://127.0.0.1:5193/$path")
    after=$(rps "http://127.0.0.1:5194/$path")
    echo "$r $path $before $after $(awk -v a="$after" -v b="$before" 'BEGIN {printf "%.3f", a/b}')"
  done
done
for port in 5193 5194; do echo "bytes $port: $(curl -s -H 'Accept-Encoding: br' -o /dev/null -w '%{size_download}' "http://127.0.0.1:$port/$COUNT") br, $(curl -s -o /dev/null -w '%{size_download}' "http://127.0.0.1:$port/$COUNT") plain"; done
