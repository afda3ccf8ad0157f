-- Figures of zonings' zones and of arrondissements, from their communes (dataset and origin 'computed', flag
-- somme_communes): no source here publishes arrondissement figures, and an arrondissement is a grouping of whole
-- communes within its département like a zone. Runs among the
-- import's computed steps, after the sums and secrecy of communes and before computed_rates.sql, which then makes
-- every zone's rates from these summed numerators and denominators (never an average of the communes' rates). Also
-- run alone when a zoning is added, for that zoning only: `set local atlas.zoning = 'code'`; unset, every zoning and
-- the arrondissements.
-- An additive count is summed where every commune of the zone has a figure that year, or lies in a merged commune of
-- the same zone that has one (otherwise the zone has none: the boundaries are an older COG than later figures);
-- a zone with a secret commune is secret ('suppressed', flag secret_commune): published, its total less its other
-- communes would give the secret figure away. No secondary secrecy is needed: a published zone sums published
-- communes only, so it tells nothing the communes do not. No parameters.
-- Every indicator, or only those `atlas.indicators` lists (see computed_observations.sql).
-- derived_scope: the indicators this pass recomputes (derived_scope.sql, which DerivedFigures.StepSql puts first).

drop table if exists summed_level;
create temporary table summed_level on commit drop as
select code from level
where (zoning or code = 'arrondissement')
  and code = coalesce(nullif(current_setting('atlas.zoning', true), ''), code);

delete from observation o
where o.territory_id in (select t.id from territory t join summed_level l on l.code = t.level)
  and o.indicator_code in (select code from derived_scope);

drop table if exists zone_member;
create temporary table zone_member on commit drop as
select m.parent_id as zone_id, m.territory_id as commune_id
from territory_parent m
join summed_level l on l.code = m.parent_level
join territory c on c.id = m.territory_id and c.level = 'commune';
create index on zone_member (commune_id);

-- The communes a merged commune absorbed (perimeter_change): once merged, they have no figure of their own, and the
-- merged commune's figure covers them — for their zone only when both lie in it.
drop table if exists absorbed_commune;
create temporary table absorbed_commune on commit drop as
select x.id as merged_id, part.id as part_id
from perimeter_change pc
join territory x on x.level = 'commune' and x.code = pc.code
cross join lateral unnest(pc.parts) as p (code)
join territory part on part.level = 'commune' and part.code = p.code and part.id <> x.id
where pc.level = 'commune' and pc.kind = 'merged';

with size as (
    select zone_id, count(*) as communes from zone_member group by zone_id
), figure as (
    select o.indicator_code, m.zone_id, o.year, o.value, o.status, o.territory_id
    from zone_member m
    join observation o on o.territory_id = m.commune_id and o.status <> 'missing'
    join indicator i on i.code = o.indicator_code and i.additive
    join derived_scope s on s.code = o.indicator_code
), covered as (
    -- A zone's communes without a figure of their own that year but inside a merged commune of the same zone that
    -- has one; and, counted apart, those outside the zone (then its merged commune's figure is not the zone's).
    select f.indicator_code, f.zone_id, f.year,
           count(*) filter (where pm.zone_id = f.zone_id) as inside,
           count(*) filter (where pm.zone_id is distinct from f.zone_id) as outside
    from figure f
    join absorbed_commune a on a.merged_id = f.territory_id
    left join zone_member pm on pm.commune_id = a.part_id
    -- One primary-key probe per absorbed commune's figure (a few thousand): as a NOT EXISTS the planner, misled by
    -- figures a publication has just written, sorted every figure of the indicators to merge-join them (1.2 s).
    left join lateral (select true as found from observation own
                       where own.indicator_code = f.indicator_code and own.territory_id = a.part_id and own.year = f.year
                         and own.status <> 'missing'
                       limit 1) own on true
    where own.found is null
    group by f.indicator_code, f.zone_id, f.year
), zone_figure as (
    -- Each zone's figures summed first (hashed), then set against its size and its covered communes: grouping the
    -- joined rows instead sorted all of them by indicator code (300,000 for a commune file: 1.7 s of a publication).
    select f.indicator_code, f.zone_id, f.year, count(*) as figures, count(f.value) as valued, sum(f.value) as total,
           bool_or(f.status = 'suppressed') as secret
    from figure f
    group by f.indicator_code, f.zone_id, f.year
)
insert into observation (indicator_code, territory_id, year, value, status, flag, origin, dataset)
select z.indicator_code, z.zone_id, z.year,
       -- The raw sum is kept even when secret (as for départements), so wider sums stay possible; readers see
       -- published_observation, which hides it.
       case when z.valued = z.figures then z.total end,
       case when z.secret then 'suppressed' else 'ok' end,
       case when z.secret then 'somme_communes secret_commune' else 'somme_communes' end,
       'computed', 'computed'
from zone_figure z
join size s on s.zone_id = z.zone_id
left join covered c on c.indicator_code = z.indicator_code and c.zone_id = z.zone_id and c.year = z.year
where z.figures + coalesce(c.inside, 0) = s.communes and coalesce(c.outside, 0) = 0
on conflict (indicator_code, territory_id, year) do nothing;
