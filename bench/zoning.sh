#!/usr/bin/env bash
# A zoning of ~1,700 zones over every commune of France (about the bassins de vie), built by the app's `zoning add`
# verb (boundaries, tile geometry and prebuilt tiles, figures for every additive indicator and the rates made from
# them, in one transaction), side by side with PostGIS's own ST_Union of the same groups: the floor.
# The groups are deterministic: within each département, communes ordered along a Z-order curve (the geohash of their
# point on surface, then their code) and cut every 21, so neighbours mostly share a zone.
# Usage: bench/zoning.sh [runs]  (ATLAS_DB: an imported database; the bench zoning is removed afterwards).
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
RUNS="${1:-2}"
export ATLAS_DB="${ATLAS_DB:-Host=127.0.0.1;Port=${ATLAS_PG_PORT:-55432};Database=atlas;Username=postgres}"
# The Npgsql connection string as libpq key=value pairs for psql.
CONNINFO="$(tr ';' '\n' <<<"$ATLAS_DB" | sed -E 's/^Host=/host=/I; s/^Port=/port=/I; s/^Database=/dbname=/I; s/^Username=/user=/I; s/^Password=/password=/I' | tr '\n' ' ')"
PSQL=(psql "$CONNINFO" -X -q -v ON_ERROR_STOP=1)
WEB="$REPO/src/TerritoryAtlas.Web"
TABLE="$(mktemp --suffix=.csv)"
trap 'rm -f "$TABLE"; (cd "$WEB" && dotnet bin/Release/net10.0/TerritoryAtlas.Web.dll zoning remove bench_zones >/dev/null 2>&1) || true' EXIT
dotnet build "$WEB" -c Release -nologo -v q >/dev/null

GROUPS_SQL="select c.code as commune, d.code || 'Z' || lpad(((row_number() over (partition by d.code
    order by ST_GeoHash(c.label_point, 12), c.code) - 1) / 21)::text, 3, '0') as zone
  from territory c
  join territory_parent p on p.territory_id = c.id and p.parent_level = 'departement'
  join territory d on d.id = p.parent_id
  where c.level = 'commune'"
"${PSQL[@]}" -c "\\copy (select commune as codgeo, zone, 'Zone ' || zone as libzone from ($GROUPS_SQL) g order by commune) to '$TABLE' csv header"
echo "== table: $(($(wc -l <"$TABLE") - 1)) communes, $(cut -d, -f2 "$TABLE" | tail -n +2 | sort -u | wc -l) zones; machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"

for run in $(seq "$RUNS"); do
  echo "== run $run: floor, PostGIS alone: ST_Union of the same groups (no validity pass, no tiles, no figures)"
  "${PSQL[@]}" <<SQL | grep -E "^Time" | tail -1 | sed 's/^/   ST_Union: /'
create temporary table bench_group as $GROUPS_SQL;
\\timing on
create temporary table bench_union as
  select g.zone, ST_Union(c.geom) as geom from bench_group g join territory c on c.level = 'commune' and c.code = g.commune group by g.zone;
SQL
  echo "== run $run: the app, zoning add (one transaction: boundaries, tiles, figures)"
  start=$(date +%s.%N)
  (cd "$WEB" && ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Error dotnet bin/Release/net10.0/TerritoryAtlas.Web.dll \
      zoning add --name "Zones de banc d'essai" --code bench_zones --vintage 2024 "$TABLE") | grep -v "\[INF\]" | sed "s/^/   /"
  end=$(date +%s.%N)
  echo "   wall clock, process start to exit: $(echo "$end - $start" | bc) s"
  (cd "$WEB" && dotnet bin/Release/net10.0/TerritoryAtlas.Web.dll zoning remove bench_zones >/dev/null 2>&1)
done
