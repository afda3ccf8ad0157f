-- Moves the boundary layer staged in staging_territory into territory for one level: geometry made valid and
-- normalised to MultiPolygon, a label point inside the shape, stale territories of that level removed.
-- Parameters: @level, @vintage, @source. Returns the number of repaired geometries.
with repaired as (
    select s.code, s.name, s.parent_code,
           case when ST_IsValid(s.geom) then s.geom else ST_MakeValid(s.geom) end as geom,
           not ST_IsValid(s.geom) as was_invalid
    from staging_territory s
), normalised as (
    select code, name, parent_code, was_invalid, ST_Multi(ST_CollectionExtract(geom, 3))::geometry(MultiPolygon, 4326) as geom
    from repaired
), upserted as (
    insert into territory (level, code, name, search_name, vintage, source, geom, label_point)
    select @level, n.code, n.name, lower(unaccent(n.name)), @vintage, @source, n.geom, ST_PointOnSurface(n.geom)
    from normalised n
    on conflict (level, code) do update
        set name = excluded.name, search_name = excluded.search_name, vintage = excluded.vintage,
            source = excluded.source, geom = excluded.geom, label_point = excluded.label_point
    returning 1
)
select count(*) filter (where was_invalid) as repaired, (select count(*) from upserted) as written
from normalised;
