-- Moves the boundary layer staged in staged_boundary (BoundaryStaging: geometry made valid and normalised to
-- MultiPolygon) into territory for one level, with a label point inside the shape.
-- Parameters: @level, @vintage, @source. Returns the number of repaired geometries and of territories written.
with upserted as (
    insert into territory (level, code, name, search_name, vintage, source, geom, label_point)
    select @level, s.code, s.name, lower(unaccent(s.name)), @vintage, @source, s.geom, ST_PointOnSurface(s.geom)
    from staged_boundary s
    on conflict (level, code) do update
        set name = excluded.name, search_name = excluded.search_name, vintage = excluded.vintage,
            source = excluded.source, geom = excluded.geom, label_point = excluded.label_point
    returning 1
)
select count(*) filter (where repaired) as repaired, (select count(*) from upserted) as written
from staged_boundary;
