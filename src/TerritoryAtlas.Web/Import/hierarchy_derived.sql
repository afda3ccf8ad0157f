-- The parent links derived from others (method 'derived'), after hierarchy.sql: of every territory, or of those
-- @only names (int[]; empty: every territory). Its own file so that a territory whose only change is its
-- département's région (a boundary layer of régions) is derived again without placing it by its point again
-- (Datasets/boundary_relink.sql).
-- Parameters: @only.
delete from territory_parent where method = 'derived' and cardinality(@only) > 0 and territory_id = any(@only);

-- Everything below the département inherits its département's région.
insert into territory_parent (territory_id, parent_level, parent_id, method)
select p.territory_id, 'region', dr.parent_id, 'derived'
from territory_parent p
join territory_parent dr on dr.territory_id = p.parent_id and dr.parent_level = 'region'
where p.parent_level = 'departement' and (cardinality(@only) = 0 or p.territory_id = any(@only))
on conflict do nothing;

-- And everything below the région inherits its région's zone and France.
insert into territory_parent (territory_id, parent_level, parent_id, method)
select p.territory_id, rz.parent_level, rz.parent_id, 'derived'
from territory_parent p
join territory_parent rz on rz.territory_id = p.parent_id and rz.parent_level in ('zone', 'france')
where p.parent_level = 'region' and (cardinality(@only) = 0 or p.territory_id = any(@only))
on conflict do nothing;
