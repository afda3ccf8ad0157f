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
-- A commune whose perimeter changed reads its figures on its current perimeter (perimeter_observation): former
-- figures carried over (summed parts) or a break with its reason; the figure as published stays beside it, with the
-- COG vintage it was published in.
select m.level, m.code, m.name, m.is_target, o.year,
       case when po.territory_id is null then o.value else po.value end as value,
       case when po.territory_id is null then o.status else po.status end as status,
       o.flag, o.origin, o.computed_value,
       case when po.territory_id is null then o.numerator else po.numerator end as numerator,
       case when po.territory_id is null then o.denominator else po.denominator end as denominator,
       po.on_perimeter, case when po.territory_id is not null then o.value end as published_value, po.reason_fr, o.cog,
       -- Provenance, looked up apart (FigureSources): the import's dataset, or the contribution's version.
       o.dataset, o.dataset_version_id
from members m
join level l on l.code = m.level
left join published_observation o on o.territory_id = m.id and o.indicator_code = @indicator
left join perimeter_observation po on po.territory_id = m.id and po.indicator_code = @indicator and po.year = o.year
order by m.is_target desc, l.rank desc, o.year;
