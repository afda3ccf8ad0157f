-- Figures the importer computes itself, after every source dataset is in (dataset 'computed'):
-- 1. additive counts of départements summed to their région, zone and France — stored as the value where no source
--    publishes one, else beside the published value (computed_value) so both can be shown and compared;
-- 2. rates recomputed from numerator and denominator at every level. Rates are never averaged: averaging rates
--    weights a small département like a large one.
-- No parameters. Returns nothing. Every indicator, or with `set local atlas.indicators = 'a,b'` (a publication) only
-- those listed and the rates made from them: every figure below is computed from figures of its own indicator.
-- derived_scope: the indicators this pass recomputes (derived_scope.sql, which DerivedFigures.StepSql puts first).

delete from observation where origin = 'computed' and indicator_code in (select code from derived_scope);
update observation set computed_value = null
where computed_value is not null and indicator_code in (select code from derived_scope);

drop table if exists part_sums;
create temporary table part_sums on commit drop as
with part_values as (
    select o.indicator_code, p.parent_id, o.year, o.value, o.territory_id
    from observation o
    join indicator i on i.code = o.indicator_code and i.additive
    join derived_scope s on s.code = o.indicator_code
    join territory t on t.id = o.territory_id and t.level = 'departement'
    join territory_parent p on p.territory_id = t.id and p.parent_level in ('region', 'zone', 'france')
    where o.value is not null
), expected_parts as (
    -- A parent's parts are the départements that carry the indicator in at least one year (Mayotte has no AAH
    -- series, so France's AAH is complete without it; a year missing one of the others is not summed).
    select indicator_code, parent_id, count(distinct territory_id) as parts
    from part_values group by indicator_code, parent_id
)
select v.indicator_code, v.parent_id as territory_id, v.year, sum(v.value) as total
from part_values v
join expected_parts e using (indicator_code, parent_id)
group by v.indicator_code, v.parent_id, v.year, e.parts
having count(*) = e.parts;

update observation o set computed_value = s.total
from part_sums s
where o.indicator_code = s.indicator_code and o.territory_id = s.territory_id and o.year = s.year;

insert into observation (indicator_code, territory_id, year, value, status, flag, origin, dataset)
select s.indicator_code, s.territory_id, s.year, s.total, 'ok', 'somme_departements', 'computed', 'computed'
from part_sums s
on conflict (indicator_code, territory_id, year) do nothing;

-- Communes summed from their IRIS (CAF figures by IRIS): published only where every IRIS of the commune has a
-- figure that year; where CNAF kept an IRIS secret (an empty cell, no value) the commune is secret too.
-- The sum is on its IRIS's vintage when they share one.
insert into observation (indicator_code, territory_id, year, value, status, flag, origin, dataset, cog)
select o.indicator_code, p.parent_id, o.year,
       case when bool_and(o.value is not null) then sum(o.value) end,
       case when bool_and(o.value is not null) then 'ok' else 'suppressed' end,
       'somme_iris', 'computed', 'computed', case when min(o.cog) = max(o.cog) and count(o.cog) = count(*) then min(o.cog) end
from observation o
join indicator i on i.code = o.indicator_code and i.additive
join derived_scope s on s.code = o.indicator_code
join territory t on t.id = o.territory_id and t.level = 'iris'
join territory_parent p on p.territory_id = t.id and p.parent_level = 'commune'
group by o.indicator_code, p.parent_id, o.year
on conflict (indicator_code, territory_id, year) do nothing;
