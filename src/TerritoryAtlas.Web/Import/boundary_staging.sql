-- Makes the boundary features just copied into staged_boundary usable as outlines, for the import of a data-directory
-- layer (upsert_territories.sql) and an uploaded layer's draft (Datasets/boundary_stage.sql) alike: each geometry made
-- valid where it is not (repaired says so) and normalised to MultiPolygon. A feature left with no polygon once made
-- valid is an empty MultiPolygon: the import keeps it as the file has it, an upload refuses it.
-- No parameters.
update staged_boundary
set geom = ST_Multi(ST_CollectionExtract(case when ST_IsValid(geom) then geom else ST_MakeValid(geom) end, 3))::geometry(MultiPolygon, 4326),
    repaired = not ST_IsValid(geom);
