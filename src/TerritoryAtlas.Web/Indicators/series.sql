-- One indicator's series for a territory and for its parents (EPCI, département, région, France), secrecy applied
-- (published_observation). The territory comes first, then its parents from the finest to the widest; a member
-- without any figure still comes back once, with a null year, so the response can say it has no data.
-- Parameters: @indicator, @level, @code, @parentLevels (text[]).
with members as (
    select t.id, t.level, t.code, t.name, true as is_target
    from territory t
    where t.level = @level and t.code = @code
    union all
    select p.id, p.level, p.code, p.name, false
    from territory t
    join territory_parent tp on tp.territory_id = t.id and tp.parent_level = any(@parentLevels)
    join territory p on p.id = tp.parent_id
    where t.level = @level and t.code = @code
)
select m.level, m.code, m.name, m.is_target, o.year, o.value, o.status, o.flag, o.origin, o.computed_value,
       o.numerator, o.denominator
from members m
join level l on l.code = m.level
left join published_observation o on o.territory_id = m.id and o.indicator_code = @indicator
order by m.is_target desc, l.rank desc, o.year;
