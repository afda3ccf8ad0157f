-- The workshop's minutes: every live annotation with its note, author, time and the commune and département
-- holding it (the point itself, or a point on the surface of a line or polygon). Parameter: @workshopId.
with a as (
    select a.id, a.kind, a.note, p.display_name as author, a.created_at, a.updated_at, a.hidden,
           case when geometrytype(a.geom) = 'POINT' then a.geom else st_pointonsurface(a.geom) end as anchor
    from annotation a join participant p on p.id = a.author_id
    where a.workshop_id = @workshopId and not a.deleted
)
select a.id, a.kind, a.note, a.author, a.created_at as "CreatedAt", a.updated_at as "UpdatedAt", a.hidden,
       st_x(a.anchor) as longitude, st_y(a.anchor) as latitude,
       c.code as "CommuneCode", c.name as commune, d.code as "DepartementCode", d.name as departement
from a
left join lateral (
    select t.id, t.code, t.name from territory t where t.level = 'commune' and st_intersects(t.geom, a.anchor) limit 1
) c on true
left join lateral (
    select t.code, t.name from territory t where t.level = 'departement' and st_intersects(t.geom, a.anchor) limit 1
) d on true
order by a.id;
