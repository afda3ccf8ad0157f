-- One vector tile of a level's territories: geometry and the INSEE code only (values travel separately and are
-- applied as feature-state; names come from /api/territories/{level}/names). Features in code order: neighbouring
-- codes are neighbouring places, so the MVT cursor moves little between them and gzip/brotli find the codes'
-- common prefixes.
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
    order by g.code collate "C"
) tile
where tile.geom is not null;
