-- Builds the Web Mercator copies of one level's territories, one per zoom band (see ZoomBands.cs).
-- Parameters: @level, @bands (smallint[]), @tolerances (double precision[]).
delete from territory_tile_geometry where level = @level;
insert into territory_tile_geometry (territory_id, level, zoom_band, code, geom)
select t.id, t.level, b.band, t.code, g.geom
from territory t
cross join unnest(@bands, @tolerances) as b(band, tolerance)
cross join lateral (
    select case when b.tolerance > 0
                then ST_SimplifyPreserveTopology(ST_Transform(t.geom, 3857), b.tolerance)
                else ST_Transform(t.geom, 3857) end as geom
) simplified
-- Simplification rarely breaks a polygon (a handful of communes at coarse bands): repair only those.
cross join lateral (
    select ST_Multi(ST_CollectionExtract(
               case when ST_IsValid(simplified.geom) then simplified.geom else ST_MakeValid(simplified.geom) end, 3)
           )::geometry(MultiPolygon, 3857) as geom
) g
where t.level = @level and t.geom is not null and not ST_IsEmpty(g.geom);
