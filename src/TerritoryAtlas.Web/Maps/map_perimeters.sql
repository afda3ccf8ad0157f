-- The communes of a map whose figure that year describes a larger perimeter than the polygon drawn for them: a
-- commune nouvelle's figure (perimeter_observation 'current') on the boundary-vintage polygon of the commune that
-- kept its code, with the communes it absorbed (drawn on their own polygons, with no figure of their own).
-- Parameters: @level, @indicator, @year.
select t.code, t.name, pc.from_year, coalesce(pc.known_by, pc.from_year) as known_by,
       array_agg(p.code order by p.code) as absorbed, array_agg(p.name order by p.code) as absorbed_names
from perimeter_observation po
join territory t on t.id = po.territory_id and t.level = @level
join perimeter_change pc on pc.level = t.level and pc.code = t.code and pc.kind = 'merged'
cross join lateral unnest(pc.parts) as part (code)
join territory p on p.level = pc.level and p.code = part.code and p.code <> t.code
where po.indicator_code = @indicator and po.year = @year and po.on_perimeter = 'current'
  -- Drawn on its own new outline (a later COG's commune layer): nothing to say.
  and not drawn_on_current_perimeter(t.level, t.code, t.vintage)
group by t.code, t.name, pc.from_year, pc.known_by
order by coalesce(pc.known_by, pc.from_year) desc, t.code collate "C";
