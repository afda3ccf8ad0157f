-- The tiles of zoom @z that a level's territories touch (by bounding box): the ones worth building in advance.
-- 20037508.34 m is half the Web Mercator world; tile row 0 is at the top.
-- Parameters: @level, @band, @z.
with grid as (
    select 2 * 20037508.342789244 / (1 << @z) as size, (1 << @z) - 1 as last
)
select distinct x, y
from territory_tile_geometry g
cross join grid
cross join lateral generate_series(
    greatest(0, floor((ST_XMin(g.geom) + 20037508.342789244) / grid.size))::int,
    least(grid.last, floor((ST_XMax(g.geom) + 20037508.342789244) / grid.size))::int) x
cross join lateral generate_series(
    greatest(0, floor((20037508.342789244 - ST_YMax(g.geom)) / grid.size))::int,
    least(grid.last, floor((20037508.342789244 - ST_YMin(g.geom)) / grid.size))::int) y
where g.level = @level and g.zoom_band = @band
order by x, y;
