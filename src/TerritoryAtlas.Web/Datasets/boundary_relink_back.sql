-- Rolls back boundary version @version_id's new links (after boundary_rollback.sql, in its transaction): the
-- territories it linked again get exactly the links they had before it (boundary_displaced_parent), those from
-- source files and an IRIS's commune untouched.
-- Parameters: @version_id.
delete from territory_parent p
where p.territory_id in (select territory_id from boundary_displaced_parent where version_id = @version_id)
  and (p.method in ('spatial', 'derived') or (p.method = 'code' and p.parent_level <> 'commune'));

insert into territory_parent (territory_id, parent_level, parent_id, method)
select k.territory_id, k.parent_level, k.parent_id, k.method
from boundary_displaced_parent k
where k.version_id = @version_id and exists (select 1 from territory t where t.id = k.parent_id);
