-- The figures of one indicator for every territory of a level in one year, secrecy applied (published_observation),
-- with each territory's parent at @parent_level (for tooltips and comparison). @within_id, when not null, keeps
-- only the territory itself or the territories below it (the communes of one département).
-- A commune nouvelle drawn on its new outline (a later COG's commune layer: drawn_on_current_perimeter, migration
-- 0030) shows its figure on that perimeter (perimeter_observation: its former communes summed, or none where the
-- series breaks), not the one published for its former perimeter.
-- Parameters: @level, @indicator, @year, @parent_level, @within_id.
with redrawn as materialized (
    -- A few hundred rows at most, usually none: found first, so the territories of the level only probe them.
    select po.territory_id,
           case when po.status = 'ok' then po.value end as value,
           case when po.status = 'break' then 'missing' else po.status end as status,
           case when po.status = 'ok' then po.numerator end as numerator,
           case when po.status = 'ok' then po.denominator end as denominator
    from perimeter_observation po
    join territory t on t.id = po.territory_id and t.level = @level
    where po.indicator_code = @indicator and po.year = @year and drawn_on_current_perimeter(t.level, t.code, t.vintage)
)
select t.code, t.name,
       case when r.territory_id is null then o.value else r.value end as value,
       case when r.territory_id is null then o.status else r.status end as status,
       case when r.territory_id is null then o.numerator else r.numerator end as numerator,
       case when r.territory_id is null then o.denominator else r.denominator end as denominator,
       parent.code as parent_code
from published_observation o
join territory t on t.id = o.territory_id
left join redrawn r on r.territory_id = t.id
left join territory_parent p on p.territory_id = t.id and p.parent_level = @parent_level
left join territory parent on parent.id = p.parent_id
where t.level = @level and o.indicator_code = @indicator and o.year = @year
  -- Not a territory whose polygon an uploaded layer took away (a commune it absorbed): the map cannot draw it, and its
  -- figure is inside the one of the territory that covers it now. Series, portraits and exports keep it.
  and not (t.geom is null and t.boundary_version_id is not null)
  and (@within_id::integer is null or t.id = @within_id
       or exists (select 1 from territory_parent w where w.territory_id = t.id and w.parent_id = @within_id))
order by t.code collate "C"; -- byte order, as the tiles and MapValues.IndexOf (ordinal binary search) expect
