-- Builds the Web Mercator copies of one level's territories, one per zoom band (see ZoomBands.cs).
-- Parameters: @level, @bands (smallint[]), @tolerances (double precision[]).
delete from territory_tile_geometry where level = @level;
insert into territory_tile_geometry (territory_id, level, zoom_band, code, geom)
select t.id, t.level, b.band, t.code, g.geom
from territory t
-- Project once per territory, then simplify that copy for each band.
cross join lateral (select ST_Transform(t.geom, 3857) as geom) mercator
cross join unnest(@bands, @tolerances) as b(band, tolerance)
-- No validity pass: simplification breaks a handful of communes at coarse bands, and ST_AsMVTGeom repairs what it
-- encodes anyway; checking 175,000 shapes here would double the import.
cross join lateral (
    select ST_Multi(case when b.tolerance > 0 then ST_SimplifyPreserveTopology(mercator.geom, b.tolerance) else mercator.geom end)
           ::geometry(MultiPolygon, 3857) as geom
) g
-- (No emptiness filter: it would make PostgreSQL simplify every shape twice, and simplification never empties one.)
where t.level = @level and t.geom is not null;
