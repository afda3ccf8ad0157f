-- One vector tile of a level's territories: geometry, the INSEE code and the name (values travel separately and are
-- applied as feature-state). Parameters: @level, @band (zoom band, see ZoomBands.cs), @z, @x, @y.
with bounds as (
    select ST_TileEnvelope(@z, @x, @y) as envelope
)
select ST_AsMVT(tile, 'territories', 4096, 'geom')
from (
    select g.code, t.name, ST_AsMVTGeom(g.geom, b.envelope, 4096, 64, true) as geom
    from territory_tile_geometry g
    join territory t on t.id = g.territory_id
    cross join bounds b
    where g.level = @level and g.zoom_band = @band and g.geom && b.envelope
) tile
where tile.geom is not null;
