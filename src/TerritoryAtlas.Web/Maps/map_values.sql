-- The figures of one indicator for every territory of a level in one year, secrecy applied (published_observation),
-- with each territory's parent at @parent_level (for tooltips and comparison). @within_id, when not null, keeps
-- only the territory itself or the territories below it (the communes of one département).
-- Parameters: @level, @indicator, @year, @parent_level, @within_id.
select t.code, t.name, o.value, o.status, o.numerator, o.denominator, parent.code as parent_code
from published_observation o
join territory t on t.id = o.territory_id
left join territory_parent p on p.territory_id = t.id and p.parent_level = @parent_level
left join territory parent on parent.id = p.parent_id
where t.level = @level and o.indicator_code = @indicator and o.year = @year
  and (@within_id::integer is null or t.id = @within_id
       or exists (select 1 from territory_parent w where w.territory_id = t.id and w.parent_id = @within_id))
order by t.code collate "C"; -- byte order, as the tiles and MapValues.IndexOf (ordinal binary search) expect
