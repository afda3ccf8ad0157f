#!/usr/bin/env bash
# What publishing (or rolling back) a commune correspondence costs beyond the version's bookkeeping: perimeter_change
# rebuilt from its sources, then the derived steps that read it, for every indicator (DerivedFigures.PerimeterSteps:
# zones and arrondissements, their rates, figures on current perimeters), in one transaction with the publication's settings
# (no JIT, 64 MB sorts), rolled back: the database is left as it was.
# Usage: bench/geography.sh [runs]  (ATLAS_DB: an imported database).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
RUNS="${1:-3}"
export ATLAS_DB="${ATLAS_DB:-Host=127.0.0.1;Port=${ATLAS_PG_PORT:-55432};Database=atlas;Username=postgres}"
CONNINFO="$(tr ';' '\n' <<<"$ATLAS_DB" | sed -E 's/^Host=/host=/I; s/^Port=/port=/I; s/^Database=/dbname=/I; s/^Username=/user=/I; s/^Password=/password=/I' | tr '\n' ' ')"
WEB="$REPO/src/TerritoryAtlas.Web"
SCRIPT="$(mktemp --suffix=.sql)"
trap 'rm -f "$SCRIPT"' EXIT
{
  # atlas.rates: the rates of the zones and arrondissements only, as DerivedFigures.RecomputePerimetersAsync sets it
  # (ATLAS_RATES=all: every level's, as before it).
  echo "begin; select set_config('jit', 'off', true), set_config('work_mem', '64MB', true), set_config('atlas.rates', '${ATLAS_RATES:-summed}', true);"
  echo '\timing on'
  for step in Import/perimeter_changes.sql Zonings/zone_observations.sql Import/computed_rates.sql Import/perimeter_observations.sql; do
    echo "select '== $step' as step;"
    # The derived steps run after derived_scope.sql, as DerivedFigures.StepSql runs them.
    [[ $step == Import/perimeter_changes.sql ]] || cat "$WEB/Import/derived_scope.sql"
    cat "$WEB/$step"
  done
  echo "rollback;"
} >"$SCRIPT"
echo "== machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
for run in $(seq "$RUNS"); do
  PGOPTIONS="-c client_min_messages=warning" psql "$CONNINFO" -X -q -v ON_ERROR_STOP=1 -At -f "$SCRIPT" | awk -v run="$run" '
    /^== / { if (name) printf "run %s: %s %.2f s\n", run, name, t / 1000; name = $2; t = 0; next }
    /^Time:/ { t += $2; total += $2 }
    END { printf "run %s: %s %.2f s\nrun %s: total %.2f s\n", run, name, t / 1000, run, total / 1000 }'
done
