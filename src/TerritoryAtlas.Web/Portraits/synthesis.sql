-- The regional synthesis: each département of a région, the région and France, for a set of indicators. Each
-- indicator is read in one year for all rows: the latest year the région has a figure for, else the latest year of
-- its départements (secrecy applied: published_observation).
-- Parameters: @region (code), @indicators (text[]).
with members as (
    select t.id, t.level, t.code, t.name, 2 as row_order
    from territory r
    join territory_parent p on p.parent_id = r.id and p.parent_level = 'region'
    join territory t on t.id = p.territory_id and t.level = 'departement'
    where r.level = 'region' and r.code = @region
    union all
    select id, level, code, name, 1 from territory where level = 'region' and code = @region
    union all
    select id, level, code, name, 0 from territory where level = 'france'
), years as (
    select o.indicator_code, coalesce(max(o.year) filter (where m.level = 'region'), max(o.year)) as year
    from published_observation o
    join members m on m.id = o.territory_id and m.level <> 'france'
    where o.indicator_code = any(@indicators)
    group by o.indicator_code
)
select m.level, m.code, m.name, m.row_order, y.indicator_code, y.year, o.value, coalesce(o.status, 'missing') as status
from members m
cross join years y
left join published_observation o on o.territory_id = m.id and o.indicator_code = y.indicator_code and o.year = y.year
order by m.row_order desc, m.code;
