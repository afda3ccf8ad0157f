-- The export's one query: the territories of one level with the figures of chosen (indicator, year) pairs, filtered.
-- Secrecy applies (published_observation): a suppressed figure comes out null with its status.
-- Parameters: @level; @indicators text[] and @years int[] (aligned pairs, possibly empty); @parent_levels text[]
-- (at most four); @within (territory id or null); @min, @max (null: none; on the first pair); @bbox_* (null: none, WGS84);
-- @simplify (tolerance in degrees, 0: none); @geometry ('postgis': ST_AsGeoJSON as UTF-8 bytes, 'nts': geometry, 'count':
-- number of points, anything else: none); @decimals; @code (null: all); @limit (null: all); @after (null: from the first; else codes after it:
-- keyset paging, an index range on (level, code) instead of OFFSET's scan of every skipped row).
-- Exterior rings come out counterclockwise (ST_ForcePolygonCCW), as RFC 7946 asks.
with pairs as (
    select p.indicator_code, p.year::smallint as year, p.ord
    from unnest(@indicators::text[], @years::int[]) with ordinality as p(indicator_code, year, ord)
)
select t.code, t.name,
       -- Up to four parent levels as plain joins (hash joins over the whole level), not a subquery per row.
       array[p1.code, p2.code, p3.code, p4.code] as parents,
       v.vals, v.statuses,
       -- bytea: the UTF-8 bytes go to the response as they came, with no string in between.
       case when @geometry = 'postgis' then convert_to(ST_AsGeoJSON(g.geom, @decimals), 'UTF8') end as geojson,
       case when @geometry = 'nts' then g.geom end as geom,
       case when @geometry = 'count' then ST_NPoints(t.geom) end as npoints,
       v.sources
from territory t
left join territory_parent tp1 on tp1.territory_id = t.id and tp1.parent_level = (@parent_levels::text[])[1]
left join territory p1 on p1.id = tp1.parent_id
left join territory_parent tp2 on tp2.territory_id = t.id and tp2.parent_level = (@parent_levels::text[])[2]
left join territory p2 on p2.id = tp2.parent_id
left join territory_parent tp3 on tp3.territory_id = t.id and tp3.parent_level = (@parent_levels::text[])[3]
left join territory p3 on p3.id = tp3.parent_id
left join territory_parent tp4 on tp4.territory_id = t.id and tp4.parent_level = (@parent_levels::text[])[4]
left join territory p4 on p4.id = tp4.parent_id
cross join lateral (
    select array_agg(case when po.current then case when po.status = 'ok' then po.value end else o.value end order by p.ord) as vals,
           array_agg(case when po.current then case when po.status = 'break' then 'missing' else po.status end
                          else coalesce(o.status, 'missing') end order by p.ord) as statuses,
           -- Each figure's provenance in one word: its published contribution version, the import's dataset, or derived
           -- (also a commune nouvelle's figure drawn on its new outline, summed from its former communes).
           array_agg(case when po.current and po.on_perimeter = 'former' then 'derived'
                          when o.dataset_version_id is not null then 'contribution:' || o.dataset_version_id
                          when o.origin = 'source' then 'import:' || o.dataset
                          when o.origin = 'computed' then 'derived' end order by p.ord) as sources
    from pairs p
    left join published_observation o on o.territory_id = t.id and o.indicator_code = p.indicator_code and o.year = p.year
    -- A commune nouvelle drawn on its new outline shows its figures on that perimeter, as the map does (map_values.sql).
    -- Only an uploaded outline can be one (the import's layer is the vintage perimeters are counted from): for the
    -- others the test on the outer row (a one-time filter) skips the lookup.
    left join lateral (
        select x.value, x.status, x.on_perimeter, drawn_on_current_perimeter(t.level, t.code, t.vintage) as current
        from perimeter_observation x
        where t.boundary_version_id is not null
          and x.indicator_code = p.indicator_code and x.territory_id = t.id and x.year = p.year
    ) po on true
) v
cross join lateral (
    select ST_ForcePolygonCCW(case when @simplify::float8 > 0 then ST_SimplifyPreserveTopology(t.geom, @simplify) else t.geom end) as geom
) g
where t.level = @level
  -- An id array (an init plan) rather than exists(): the filter then drives an index scan on the primary key, and
  -- the 40 communes of a département are read without visiting the other 35,000.
  and (@within::int is null
       or t.id = any(array(select w.territory_id from territory_parent w where w.parent_id = @within union all select @within)))
  and (@bbox_west::float8 is null
       or (t.geom && ST_MakeEnvelope(@bbox_west, @bbox_south, @bbox_east, @bbox_north, 4326)
           and ST_Intersects(t.geom, ST_MakeEnvelope(@bbox_west, @bbox_south, @bbox_east, @bbox_north, 4326))))
  and (@min::float8 is null or v.vals[1] >= @min)
  and (@max::float8 is null or v.vals[1] <= @max)
  and (@code::text is null or t.code = @code)
  and (@after::text is null or t.code > @after)
order by t.code
limit @limit
