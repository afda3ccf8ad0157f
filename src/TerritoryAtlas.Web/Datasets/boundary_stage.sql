-- Stages an uploaded boundary layer's features (copied into staging_boundary) as draft version @version_id of level
-- @level: each geometry made valid where it is not and normalised to MultiPolygon, as the import does
-- (Import/upsert_territories.sql). A feature left with no polygon once made valid is returned, not staged.
-- Parameters: @version_id, @level. Returns the features that could not be made valid (feature, code).
with repaired as (
    select s.feature, s.code, s.name,
           case when ST_IsValid(s.geom) then s.geom else ST_MakeValid(s.geom) end as geom,
           not ST_IsValid(s.geom) as was_invalid
    from staging_boundary s
), normalised as (
    select feature, code, name, was_invalid, ST_Multi(ST_CollectionExtract(geom, 3))::geometry(MultiPolygon, 4326) as geom
    from repaired
), staged as (
    insert into boundary_row (version_id, feature, code, name, geom, repaired)
    select @version_id, feature, code, name, geom, was_invalid
    from normalised
    where not ST_IsEmpty(geom)
    returning 1
)
select feature, code from normalised where ST_IsEmpty(geom) order by feature;
