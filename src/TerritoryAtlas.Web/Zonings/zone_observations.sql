-- Figures of zonings' zones, from their communes (dataset and origin 'computed', flag somme_communes). Runs among the
-- import's computed steps, after the sums and secrecy of communes and before computed_rates.sql, which then makes
-- every zone's rates from these summed numerators and denominators (never an average of the communes' rates). Also
-- run alone when a zoning is added, for that zoning only: `set local atlas.zoning = 'code'`; unset, every zoning.
-- An additive count is summed where every commune of the zone has a figure that year (otherwise the zone has none);
-- a zone with a secret commune is secret ('suppressed', flag secret_commune): published, its total less its other
-- communes would give the secret figure away. No parameters.
delete from observation o
using territory t
where t.id = o.territory_id
  and t.level in (select code from level
                  where zoning and code = coalesce(nullif(current_setting('atlas.zoning', true), ''), code));

with member as (
    select m.parent_id as zone_id, m.territory_id as commune_id
    from territory_parent m
    join level l on l.code = m.parent_level and l.zoning
    where l.code = coalesce(nullif(current_setting('atlas.zoning', true), ''), l.code)
), size as (
    select zone_id, count(*) as communes from member group by zone_id
)
insert into observation (indicator_code, territory_id, year, value, status, flag, origin, dataset)
select o.indicator_code, m.zone_id, o.year,
       -- The raw sum is kept even when secret (as for départements), so wider sums stay possible; readers see
       -- published_observation, which hides it.
       case when count(o.value) = s.communes then sum(o.value) end,
       case when bool_or(o.status = 'suppressed') then 'suppressed' else 'ok' end,
       case when bool_or(o.status = 'suppressed') then 'somme_communes secret_commune' else 'somme_communes' end,
       'computed', 'computed'
from member m
join size s on s.zone_id = m.zone_id
join observation o on o.territory_id = m.commune_id and o.status <> 'missing'
join indicator i on i.code = o.indicator_code and i.additive
group by o.indicator_code, m.zone_id, o.year, s.communes
having count(*) = s.communes
on conflict (indicator_code, territory_id, year) do nothing;
