-- One vector tile of a boundary version's staged outlines (boundary_row), for the preview map of the contributions
-- page: each feature's code, name and what publishing it would do to the level in force — 'new' (a code the level
-- lacks), 'reshaped' (its area differs from the outline in force by more than 1 %: a redrawn or moved perimeter)
-- or 'unchanged'. Simplified to half a pixel of the tile's zoom before clipping, and below @all_from_zoom only what
-- would change (the unchanged outlines are the level's own tiles, drawn beneath): a commune layer's zoom-5 tile of
-- every outline weighed 1.2 MB and took 2.4 s.
-- Parameters: @version_id, @level, @z, @x, @y, @tolerance (degrees), @extent, @all_from_zoom.
with bounds as (
    select ST_TileEnvelope(@z, @x, @y) as envelope, ST_Transform(ST_TileEnvelope(@z, @x, @y), 4326) as envelope_4326
)
select ST_AsMVT(tile, 'draft', @extent, 'geom')
from (
    select code, name, status, ST_AsMVTGeom(ST_Transform(ST_Simplify(geom, @tolerance, true), 3857), envelope, @extent, @extent / 64, true) as geom
    from (
        select b.code, b.name, b.geom, s.envelope,
               case when t.id is null then 'new'
                    when abs(ST_Area(b.geom) - ST_Area(t.geom)) > 0.01 * ST_Area(t.geom) then 'reshaped'
                    else 'unchanged' end as status
        from boundary_row b
        cross join bounds s
        left join territory t on t.level = @level and t.code = b.code
        where b.version_id = @version_id and b.geom && s.envelope_4326
    ) staged
    where status <> 'unchanged' or @z >= @all_from_zoom
    order by code collate "C"
) tile
where tile.geom is not null;
