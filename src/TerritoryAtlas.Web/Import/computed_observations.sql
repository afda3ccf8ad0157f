-- Figures the importer computes itself, after every source dataset is in (dataset 'computed'):
-- 1. additive counts of départements summed to their région, zone and France — stored as the value where no source
--    publishes one, else beside the published value (computed_value) so both can be shown and compared;
-- 2. rates recomputed from numerator and denominator at every level. Rates are never averaged: averaging rates
--    weights a small département like a large one.
-- No parameters. Returns nothing.
delete from observation where origin = 'computed';
update observation set computed_value = null where computed_value is not null;

create temporary table part_sums on commit drop as
with part_values as (
    select o.indicator_code, p.parent_id, o.year, o.value, o.territory_id
    from observation o
    join indicator i on i.code = o.indicator_code and i.additive
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
insert into observation (indicator_code, territory_id, year, value, status, flag, origin, dataset)
select o.indicator_code, p.parent_id, o.year,
       case when bool_and(o.value is not null) then sum(o.value) end,
       case when bool_and(o.value is not null) then 'ok' else 'suppressed' end,
       'somme_iris', 'computed', 'computed'
from observation o
join indicator i on i.code = o.indicator_code and i.additive
join territory t on t.id = o.territory_id and t.level = 'iris'
join territory_parent p on p.territory_id = t.id and p.parent_level = 'commune'
group by o.indicator_code, p.parent_id, o.year
on conflict (indicator_code, territory_id, year) do nothing;

-- Secondary secrecy (INSEE's practice): where a published total and all but one of its parts are known, the
-- suppressed part is the difference; so the next smallest part is suppressed too (and a total whose only part is
-- suppressed is suppressed itself). Repeated until nothing changes, since a département suppressed for its
-- région's sake is also a part of its zone and of France. Totals and parts: communes and their IRIS, régions,
-- zones and France and their départements. Rates read these statuses below, so they follow.
create temporary table secrecy_link on commit drop as
select tp.parent_id, tp.territory_id as part_id
from territory_parent tp
join territory c on c.id = tp.territory_id
where (c.level = 'iris' and tp.parent_level = 'commune')
   or (c.level = 'departement' and tp.parent_level in ('region', 'zone', 'france'));
create index on secrecy_link (parent_id);

do $$
declare
    changed integer;
begin
    loop
        create temporary table secrecy_group on commit drop as
        select t.indicator_code, t.year, t.territory_id as parent_id,
               count(*) filter (where o.status = 'ok') as open_parts
        from observation t
        join indicator i on i.code = t.indicator_code and i.additive
        join secrecy_link l on l.parent_id = t.territory_id
        join observation o on o.territory_id = l.part_id and o.indicator_code = t.indicator_code and o.year = t.year
        where t.status = 'ok'
        group by t.indicator_code, t.year, t.territory_id
        having count(*) filter (where o.status = 'suppressed') = 1;

        with victims as (
            select distinct on (g.indicator_code, g.year, g.parent_id) o.indicator_code, o.territory_id, o.year
            from secrecy_group g
            join secrecy_link l on l.parent_id = g.parent_id
            join observation o on o.territory_id = l.part_id and o.indicator_code = g.indicator_code and o.year = g.year
                and o.status = 'ok'
            order by g.indicator_code, g.year, g.parent_id, o.value, o.territory_id
        )
        update observation o set status = 'suppressed', flag = concat_ws(' ', o.flag, 'secret_secondaire')
        from victims v
        where o.indicator_code = v.indicator_code and o.territory_id = v.territory_id and o.year = v.year;
        get diagnostics changed = row_count;

        update observation o set status = 'suppressed', flag = concat_ws(' ', o.flag, 'secret_secondaire')
        from secrecy_group g
        where g.open_parts = 0 and o.indicator_code = g.indicator_code and o.territory_id = g.parent_id and o.year = g.year;

        drop table secrecy_group;
        exit when changed = 0;
    end loop;
end $$;

-- Rates: where a parent's parts were summed, the summed numerator and denominator are used (coalesce), so a
-- région's rate is exactly Σ numerators / Σ denominators of its départements.
insert into observation (indicator_code, territory_id, year, value, numerator, denominator, status, flag, origin, dataset)
select i.code, n.territory_id, n.year,
       i.multiplier * coalesce(n.computed_value, n.value) / coalesce(d.computed_value, d.value),
       coalesce(n.computed_value, n.value), coalesce(d.computed_value, d.value),
       case
           when n.status = 'suppressed' or d.status = 'suppressed' then 'suppressed'
           when i.secrecy_applies_to = 'numerator' and coalesce(n.computed_value, n.value) < i.secrecy_threshold then 'suppressed'
           else 'ok'
       end,
       nullif(concat_ws(' ', n.flag, d.flag), ''), 'computed', 'computed'
from indicator i
join observation n on n.indicator_code = i.numerator
join observation d on d.indicator_code = i.denominator and d.territory_id = n.territory_id and d.year = n.year
where i.kind = 'rate'
  and coalesce(n.computed_value, n.value) is not null
  and coalesce(d.computed_value, d.value) > 0
on conflict (indicator_code, territory_id, year) do nothing;
