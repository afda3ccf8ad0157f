-- One vector tile of a level's territories: geometry and the INSEE code only (values travel separately and are
-- applied as feature-state; names come from /api/territories/{level}/names). Below zoom 8 a 1024 extent is
-- plenty for shapes a few pixels wide and makes every coordinate one byte shorter.
-- Parameters: @level, @band (zoom band, see ZoomBands.cs), @z, @x, @y, @extent.
with bounds as (
    select ST_TileEnvelope(@z, @x, @y) as envelope
)
select ST_AsMVT(tile, 'territories', @extent, 'geom')
from (
    select g.code, ST_AsMVTGeom(g.geom, b.envelope, @extent, @extent / 64, true) as geom
    from territory_tile_geometry g
    cross join bounds b
    where g.level = @level and g.zoom_band = @band and g.geom && b.envelope
) tile
where tile.geom is not null;
