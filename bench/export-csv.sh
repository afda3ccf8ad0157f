#!/usr/bin/env bash
# The CSV export's writer, before and after a change, side by side in one run on one database: every commune with
# six indicators of 2019 (six lines per commune, about 210,000 lines), comma and French dialects,
# alternating the two apps over the rounds. Prints each download's seconds and bytes and the after/before ratio.
# Usage: BEFORE=<commit> bench/export-csv.sh [ROUNDS]  (ATLAS_DB: an imported database)
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
ROUNDS="${1:-3}"
BEFORE="${BEFORE:?BEFORE=<commit> to compare with}"
export ATLAS_DB="${ATLAS_DB:-Host=127.0.0.1;Port=${ATLAS_PG_PORT:-55432};Database=atlas;Username=postgres}"
OLD="/tmp/atlas-before-$(git -C "$REPO" rev-parse --short "$BEFORE")"
[ -d "$OLD" ] || git -C "$REPO" worktree add --detach "$OLD" "$BEFORE" >/dev/null
dotnet build "$OLD/src/TerritoryAtlas.Web" -c Release -nologo -v q >/dev/null
dotnet build "$REPO/src/TerritoryAtlas.Web" -c Release -nologo -v q >/dev/null
(cd "$REPO/src/TerritoryAtlas.Web" && dotnet bin/Release/net10.0/TerritoryAtlas.Web.dll migrate >/dev/null)
start() { # dir port
  (cd "$1/src/TerritoryAtlas.Web" && exec env ASPNETCORE_URLS="http://127.0.0.1:$2" ASPNETCORE_ENVIRONMENT=Production \
    Logging__LogLevel__Default=Error RateLimits__ExportsPerMinute=0 RateLimits__PublicReadsPerMinute=0 dotnet bin/Release/net10.0/TerritoryAtlas.Web.dll) >/dev/null 2>&1 &
  echo $!
}
A=$(start "$OLD" 5291); B=$(start "$REPO" 5292)
trap 'kill $A $B 2>/dev/null' EXIT
for p in 5291 5292; do for _ in $(seq 120); do curl -sf "http://127.0.0.1:$p/health" >/dev/null && break; sleep 0.5; done; done
Q="indicator=taux_pauvrete_60,mediane_niveau_vie,population_municipale,caf_rsa_allocataires,caf_aah_allocataires,caf_allocataires&year=2019"
get() { curl -sf -o /dev/null -w '%{time_total} %{size_download}' "http://127.0.0.1:$1/api/export/commune.csv?$Q$2"; }
for p in 5291 5292; do get $p "" >/dev/null; done  # warm-up
echo "round dialect before_s after_s after/before before_bytes after_bytes"
for r in $(seq "$ROUNDS"); do
  for dialect in "" "&sep=;"; do
    read -r bt bb <<<"$(get 5291 "$dialect")"; read -r at ab <<<"$(get 5292 "$dialect")"
    echo "$r ${dialect:-comma} $bt $at $(awk -v a="$at" -v b="$bt" 'BEGIN {printf "%.3f", a/b}') $bb $ab"
  done
done
