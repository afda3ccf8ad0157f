#!/usr/bin/env bash
# What accounts cost public readers: the app before members and visibility existed (BEFORE, default the commit before
# d0f219e) and this checkout, side by side in one run on one database — warm tiles and map values, anonymous, with
# wrk on loopback, alternating the two apps over several rounds so a warm-up or a noisy neighbour favours neither.
# Then the bytes each request allocates (dotnet-counters, when installed), and, on this checkout, a member's map of a
# restricted indicator (bearer token) against the same map public.
# Usage: bench/members.sh [ROUNDS]  (needs ATLAS_DB pointing at an imported database; wrk: apt-get install wrk)
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
ROUNDS="${1:-3}"
BEFORE="${BEFORE:-d0f219e^}"
export ATLAS_DB="${ATLAS_DB:-Host=127.0.0.1;Port=${ATLAS_PG_PORT:-55432};Database=atlas;Username=postgres}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
OLD=/tmp/atlas-before-members
[ -d "$OLD" ] || git -C "$REPO" worktree add --detach "$OLD" "$BEFORE" >/dev/null
dotnet build "$OLD/src/TerritoryAtlas.Web" -c Release -nologo -v q >/dev/null
dotnet build "$REPO/src/TerritoryAtlas.Web" -c Release -nologo -v q >/dev/null
(cd "$REPO/src/TerritoryAtlas.Web" && dotnet bin/Release/net10.0/TerritoryAtlas.Web.dll migrate >/dev/null)

start() { # dir port
  (cd "$1/src/TerritoryAtlas.Web" && exec env ASPNETCORE_URLS="http://127.0.0.1:$2" ASPNETCORE_ENVIRONMENT=Production \
    Logging__LogLevel__Default=Error RateLimits__PublicReadsPerMinute=0 dotnet bin/Release/net10.0/TerritoryAtlas.Web.dll) >/dev/null 2>&1 &
  echo $!  # (the app's output goes elsewhere, or $(start …) would wait for it to close)
}
A=$(start "$OLD" 5191); B=$(start "$REPO" 5192)
trap 'kill $A $B 2>/dev/null' EXIT
for p in 5191 5192; do for _ in $(seq 120); do curl -sf "http://127.0.0.1:$p/health" >/dev/null && break; sleep 0.5; done; done

rps() { # url [headers…] → requests/s (fails on any non-2xx)
  local out; out="$(wrk -t2 -c16 -d"${DURATION:-8s}" "${@:2}" "$1")"
  if grep -q "Non-2xx" <<<"$out"; then echo "non-2xx answers from $1" >&2; exit 1; fi
  awk '/Requests\/sec/ {print $2}' <<<"$out"
}
# The app's own CPU time per request (user + system, from /proc): what a request costs the server, which a machine
# shared with other work disturbs far less than requests per second (wrk and the neighbours take their share of cores).
TICK=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rps_and_cpu() { # pid url [headers…] → "requests/s µs-of-CPU-per-request"
  local c0 out c1; c0=$(cpu_ticks "$1")
  out="$(wrk -t2 -c16 -d"${DURATION:-8s}" "${@:3}" "$2")"; c1=$(cpu_ticks "$1")
  if grep -q "Non-2xx" <<<"$out"; then echo "non-2xx answers from $2" >&2; exit 1; fi
  awk -v c0="$c0" -v c1="$c1" -v t="$TICK" '/requests in/ {n = $1} /Requests\/sec/ {r = $2} END {printf "%s %.1f", r, (c1 - c0) / t * 1e6 / n}' <<<"$out"
}
TILE="${TILE:-tiles/commune/7/64/44.mvt}"
MAP="${MAP:-api/maps/commune/mediane_niveau_vie/2019}"
for port in 5191 5192; do  # warm-up: JIT and caches (one request fills the values cache before 16 connections ask at once)
  curl -s -o /dev/null -H 'Accept-Encoding: br' "http://127.0.0.1:$port/$MAP"
  DURATION=4s rps "http://127.0.0.1:$port/$TILE" -H 'Accept-Encoding: br' >/dev/null
  DURATION=4s rps "http://127.0.0.1:$port/$MAP" -H 'Accept-Encoding: br' >/dev/null
done
echo "round endpoint before_rps after_rps after/before before_cpu_us after_cpu_us after/before load"
for r in $(seq "$ROUNDS"); do
  for path in "$TILE" "$MAP"; do
    read -r before before_cpu <<<"$(rps_and_cpu "$A" "http://127.0.0.1:5191/$path" -H 'Accept-Encoding: br')"
    read -r after after_cpu <<<"$(rps_and_cpu "$B" "http://127.0.0.1:5192/$path" -H 'Accept-Encoding: br')"
    echo "$r $path $before $after $(awk -v a="$after" -v b="$before" 'BEGIN {printf "%.3f", a/b}')" \
      "$before_cpu $after_cpu $(awk -v a="$after_cpu" -v b="$before_cpu" 'BEGIN {printf "%.3f", a/b}') $(cut -d' ' -f1 /proc/loadavg)"
  done
done

# Bytes allocated per request (the runtime's own counter, read by dotnet-counters during a wrk run): what a request
# costs the garbage collector, the same on a quiet or a busy machine, so a difference of a few percent shows.
if command -v dotnet-counters >/dev/null || [ -x "$HOME/.dotnet/tools/dotnet-counters" ]; then
  COUNTERS="$(command -v dotnet-counters || echo "$HOME/.dotnet/tools/dotnet-counters")"
  bytes_per_request() { # pid url → bytes allocated per request
    local csv; csv="$(mktemp --suffix=.csv)"  # (dotnet-counters adds .csv to a name without it)
    "$COUNTERS" collect -p "$1" --counters System.Runtime --refresh-interval 1 --format csv -o "$csv" --duration 00:00:00:09 >/dev/null 2>&1 &
    local collector=$! n; sleep 2
    n=$(wrk -t2 -c16 -d4s -H 'Accept-Encoding: br' "$2" | awk '/requests in/ {print $1}')
    wait $collector
    awk -F, -v n="$n" '/total_allocated/ {b += $5} END {printf "%.0f", b / n}' "$csv"; rm -f "$csv"
  }
  echo "endpoint before_bytes_per_request after_bytes_per_request after/before"
  for path in "$TILE" "$MAP"; do
    before=$(bytes_per_request "$A" "http://127.0.0.1:5191/$path"); after=$(bytes_per_request "$B" "http://127.0.0.1:5192/$path")
    echo "$path $before $after $(awk -v a="$after" -v b="$before" 'BEGIN {printf "%.3f", a/b}')"
  done
else
  echo "(bytes per request skipped: dotnet tool install -g dotnet-counters)"
fi

# A member's restricted map against the same map public, on this checkout.
PSQL=(psql "$(sed 's/Host=\([^;]*\);Port=\([^;]*\);Database=\([^;]*\);Username=\([^;]*\).*/host=\1 port=\2 dbname=\3 user=\4/' <<<"$ATLAS_DB")" -qAt)
EMAIL="bench-$(date +%s)@example.org"
WEB="$REPO/src/TerritoryAtlas.Web"
(cd "$WEB" && dotnet bin/Release/net10.0/TerritoryAtlas.Web.dll user add "$EMAIL" --role member --organisation "Bench organisation" >/dev/null)
TOKEN=$(cd "$WEB" && dotnet bin/Release/net10.0/TerritoryAtlas.Web.dll token create "$EMAIL" --days 1 | tail -1)
ORG=$("${PSQL[@]}" -c "select id from organisation where lower(name) = 'bench organisation'")
anonymous=$(rps "http://127.0.0.1:5192/$MAP" -H 'Accept-Encoding: br')
curl -s -o /dev/null -H 'Accept-Encoding: br' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:5192/$MAP"
member_public=$(rps "http://127.0.0.1:5192/$MAP" -H 'Accept-Encoding: br' -H "Authorization: Bearer $TOKEN")
"${PSQL[@]}" -c "update indicator set visibility = 'organisations' where code = 'mediane_niveau_vie'; insert into indicator_organisation values ('mediane_niveau_vie', $ORG) on conflict do nothing"
restore() { "${PSQL[@]}" -c "update indicator set visibility = 'public' where code = 'mediane_niveau_vie'; delete from indicator_organisation where indicator_code = 'mediane_niveau_vie'"; }
trap 'restore; kill $A $B 2>/dev/null' EXIT
sleep 3  # every instance re-reads the visibility version every two seconds
curl -sf -o /dev/null "http://127.0.0.1:5192/$MAP" && { echo "the restricted map answered an anonymous request" >&2; exit 1; } || true
curl -s -o /dev/null -H 'Accept-Encoding: br' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:5192/$MAP"
member_restricted=$(rps "http://127.0.0.1:5192/$MAP" -H 'Accept-Encoding: br' -H "Authorization: Bearer $TOKEN")
echo "map values rps: anonymous public $anonymous; member public $member_public; member restricted $member_restricted (restricted/anonymous public $(awk -v a="$member_restricted" -v b="$anonymous" 'BEGIN {printf "%.3f", a/b}'))"
