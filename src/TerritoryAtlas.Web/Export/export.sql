-- The export's one query: the territories of one level with the figures of chosen (indicator, year) pairs, filtered.
-- Secrecy applies (published_observation): a suppressed figure comes out null with its status.
-- Parameters: @level; @indicators text[] and @years int[] (aligned pairs, possibly empty); @parent_levels text[];
-- @within (territory id or null); @min, @max (null: none; on the first pair); @bbox_* (null: none, WGS84);
-- @simplify (tolerance in degrees, 0: none); @geometry ('postgis': ST_AsGeoJSON text, 'nts': geometry, 'count':
-- number of points, anything else: none); @decimals; @code (null: all); @limit (null: all); @offset.
-- Exterior rings come out counterclockwise (ST_ForcePolygonCCW), as RFC 7946 asks.
with pairs as (
    select p.indicator_code, p.year::smallint as year, p.ord
    from unnest(@indicators::text[], @years::int[]) with ordinality as p(indicator_code, year, ord)
)
select t.code, t.name,
       array(select pt.code
             from unnest(@parent_levels::text[]) with ordinality as u(level, ord)
             left join territory_parent tp on tp.territory_id = t.id and tp.parent_level = u.level
             left join territory pt on pt.id = tp.parent_id
             order by u.ord) as parents,
       v.vals, v.statuses,
       case when @geometry = 'postgis' then ST_AsGeoJSON(g.geom, @decimals) end as geojson,
       case when @geometry = 'nts' then g.geom end as geom,
       case when @geometry = 'count' then ST_NPoints(t.geom) end as npoints
from territory t
cross join lateral (
    select array_agg(o.value order by p.ord) as vals, array_agg(coalesce(o.status, 'missing') order by p.ord) as statuses
    from pairs p
    left join published_observation o on o.territory_id = t.id and o.indicator_code = p.indicator_code and o.year = p.year
) v
cross join lateral (
    select ST_ForcePolygonCCW(case when @simplify::float8 > 0 then ST_SimplifyPreserveTopology(t.geom, @simplify) else t.geom end) as geom
) g
where t.level = @level
  and (@within::int is null or t.id = @within
       or exists (select 1 from territory_parent w where w.territory_id = t.id and w.parent_id = @within))
  and (@bbox_west::float8 is null
       or (t.geom && ST_MakeEnvelope(@bbox_west, @bbox_south, @bbox_east, @bbox_north, 4326)
           and ST_Intersects(t.geom, ST_MakeEnvelope(@bbox_west, @bbox_south, @bbox_east, @bbox_north, 4326))))
  and (@min::float8 is null or v.vals[1] >= @min)
  and (@max::float8 is null or v.vals[1] <= @max)
  and (@code::text is null or t.code = @code)
order by t.code
limit @limit offset @offset
