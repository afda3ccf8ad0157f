-- Stages an uploaded boundary layer's features (in staged_boundary, made valid and normalised to MultiPolygon as the
-- import's are: Import/BoundaryStaging.cs) as draft version @version_id. A feature left with no polygon once made valid
-- is returned, not staged.
-- Parameters: @version_id. Returns the features that could not be made valid (feature, code).
with staged as (
    insert into boundary_row (version_id, feature, code, name, parent_code, geom, repaired)
    select @version_id, feature, code, name, parent_code, geom, repaired
    from staged_boundary
    where not ST_IsEmpty(geom)
    returning 1
)
select feature, code from staged_boundary where ST_IsEmpty(geom) order by feature;
