-- What publishing draft boundary version @version_id would do to level @level: codes of the layer the level has
-- (matched) or not (new), territories of the level the layer does not hold (missing) and whether the layer covers
-- where they are (then they lose their polygon in this vintage) or not (they keep their previous one).
-- Parameters: @version_id, @level. One row per code: status matched, new, without_polygon or kept; name; repaired feature.
select * from (
select 'matched' as status, b.code, b.name, case when b.repaired then b.feature end as repaired
from boundary_row b
join territory t on t.level = @level and t.code = b.code
where b.version_id = @version_id
union all
select 'new', b.code, b.name, case when b.repaired then b.feature end
from boundary_row b
where b.version_id = @version_id and not exists (select 1 from territory t where t.level = @level and t.code = b.code)
union all
select case when exists (select 1 from boundary_row c where c.version_id = @version_id and ST_Intersects(c.geom, m.label_point))
            then 'without_polygon' else 'kept' end,
       m.code, m.name, null
from (select t.code, t.name, t.label_point
      from territory t
      where t.level = @level and t.geom is not null
        and not exists (select 1 from boundary_row b where b.version_id = @version_id and b.code = t.code)
      offset 0) m
) compared
-- Those losing their polygon before those kept: the report lists 2,000 at most, and a partial layer keeps thousands.
order by array_position(array['matched', 'new', 'without_polygon', 'kept'], status), code;
