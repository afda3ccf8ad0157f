-- Rolls boundary version @version_id (just made 'rejected' by unpublish.sql) back: the level's territories (and the
-- groupings made of them) are put back exactly as they were before it was published (name, vintage, source, polygon, label point); a territory it
-- added goes, unless a figure names it meanwhile (then it stays, without polygon: a figure is never lost); the
-- version published before it is current again. The tiles are rebuilt after, in the same transaction.
-- Parameters: @version_id, @dataset_id. Returns the version current again (null: the import's outlines).
update territory t
set name = d.name, search_name = d.search_name, vintage = d.vintage, source = d.source, geom = d.geom,
    label_point = d.label_point, boundary_version_id = d.boundary_version_id
from boundary_displaced d
where d.version_id = @version_id and d.existed and t.id = d.territory_id;

update territory t
set geom = null, label_point = null
from boundary_displaced d
where d.version_id = @version_id and not d.existed and t.id = d.territory_id;

delete from territory t
using boundary_displaced d
where d.version_id = @version_id and not d.existed and t.id = d.territory_id
  and not exists (select 1 from observation o where o.territory_id = t.id)
  and not exists (select 1 from dataset_row r where r.territory_id = t.id);

update dataset_version set status = 'published'
where id = (select id from dataset_version
            where dataset_id = @dataset_id and status = 'superseded' and id <> @version_id
            order by published_at desc nulls last, id desc limit 1)
returning id;
