-- Makes draft boundary version @version_id the outlines of level @level: the level's territories as they are now are
-- kept aside (boundary_displaced, put back by a roll back), then each territory of the layer takes its polygon, name
-- and vintage; a code new to the level becomes a territory; a territory the layer does not hold keeps its code and
-- every figure, and either loses its polygon (the layer covers where it was: it no longer exists in this vintage, as a
-- merged territory) or keeps its previous one (the layer does not reach it, e.g. metropolitan France only), with its
-- own older vintage saying so. The groupings made of the level's territories (France, métropole, DROM) take the
-- union of their new outlines. Run after unpublish.sql, in the same transaction; the tiles are rebuilt after.
-- Parameters: @version_id, @level, @vintage (text, e.g. 'COG 2024'), @source, @by.
delete from boundary_displaced where version_id = @version_id;

insert into boundary_displaced (version_id, territory_id, code, existed, name, search_name, vintage, source, geom, label_point,
                                boundary_version_id)
select @version_id, t.id, t.code, true, t.name, t.search_name, t.vintage, t.source, t.geom, t.label_point, t.boundary_version_id
from territory t
where t.level = @level
   -- The groupings made of this level's territories (France, métropole, DROM: unions of the régions), whose outline follows.
   or t.id in (select p.parent_id from territory_parent p join territory c on c.id = p.territory_id
               where c.level = @level and p.method = 'source' and p.parent_level in ('france', 'zone'));

-- The few missing territories first, then each one's point against the layer (by its spatial index): asked the other
-- way round, the planner tested every territory's point against every feature (198 s for the communes).
with missing as materialized (
    select t.id, t.label_point
    from territory t
    where t.level = @level and t.geom is not null
      and not exists (select 1 from boundary_row b where b.version_id = @version_id and b.code = t.code)
)
update territory t
set geom = null, label_point = null, boundary_version_id = @version_id
from missing m
where t.id = m.id
  and exists (select 1 from boundary_row b where b.version_id = @version_id and ST_Intersects(b.geom, m.label_point));

update territory t
set name = b.name, search_name = lower(unaccent(b.name)), vintage = @vintage, source = @source, geom = b.geom,
    label_point = ST_PointOnSurface(b.geom), boundary_version_id = @version_id
from boundary_row b
where b.version_id = @version_id and t.level = @level and t.code = b.code;

with added as (
    insert into territory (level, code, name, search_name, vintage, source, geom, label_point, boundary_version_id)
    select @level, b.code, b.name, lower(unaccent(b.name)), @vintage, @source, b.geom, ST_PointOnSurface(b.geom), @version_id
    from boundary_row b
    where b.version_id = @version_id and not exists (select 1 from territory t where t.level = @level and t.code = b.code)
    returning id, code
)
insert into boundary_displaced (version_id, territory_id, code, existed)
select @version_id, id, code, false from added;

-- A territory the layer adds under the département its feature names (an arrondissement's INSEE_DEP), as the import
-- links one of the data directory's layer; its other parents follow (BoundaryLayers.PublishAsync, hierarchy.sql).
insert into territory_parent (territory_id, parent_level, parent_id, method)
select d.territory_id, 'departement', p.id, 'source'
from boundary_displaced d
join boundary_row b on b.version_id = @version_id and b.code = d.code
join territory p on p.level = 'departement' and p.code = b.parent_code
where d.version_id = @version_id and not d.existed
on conflict do nothing;

update territory g
set geom = u.geom, label_point = ST_PointOnSurface(u.geom)
from (select p.parent_id, ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Union(c.geom)), 3))::geometry(MultiPolygon, 4326) as geom
      from territory_parent p
      join territory c on c.id = p.territory_id
      where c.level = @level and p.method = 'source' and p.parent_level in ('france', 'zone') and c.geom is not null
      group by p.parent_id) u
where g.id = u.parent_id;

-- What the version redrew (its roll back redraws the same): an outline changed, taken away or added.
update boundary_displaced d
set redrawn = ST_AsEWKB(t.geom) is distinct from ST_AsEWKB(d.geom)
from territory t
where d.version_id = @version_id and t.id = d.territory_id;

update dataset_version set status = 'published', published_by = @by, published_at = now(), rolled_back_by = null, rolled_back_at = null
where id = @version_id;
