-- Builds one zoom band of a level's Web Mercator copies (see ZoomBands.cs): the finest band is projected from
-- the Lambert-93 outline, every coarser one simplified from the band just finer than it.
-- Parameters: @level, @band, @tolerance, @from_band (null for the finest band), @only (int[]: those territories only;
-- null: every territory of the level).
delete from territory_tile_geometry
where level = @level and zoom_band = @band and (@only::int[] is null or territory_id = any(@only::int[]));
insert into territory_tile_geometry (territory_id, level, zoom_band, code, geom)
select t.id, t.level, @band, t.code,
       -- No validity pass: simplification breaks a handful of communes at coarse bands, and ST_AsMVTGeom repairs
       -- what it encodes anyway; checking 200,000 shapes here would double the import.
       ST_Multi(case when @tolerance > 0 then ST_SimplifyPreserveTopology(source.geom, @tolerance) else source.geom end)
           ::geometry(MultiPolygon, 3857)
from territory t
cross join lateral (
    select case when @from_band::smallint is null then ST_Transform(t.geom, 3857)
                else (select f.geom from territory_tile_geometry f where f.territory_id = t.id and f.zoom_band = @from_band)
           end as geom
) source
where t.level = @level and t.geom is not null and source.geom is not null and (@only::int[] is null or t.id = any(@only::int[]));
