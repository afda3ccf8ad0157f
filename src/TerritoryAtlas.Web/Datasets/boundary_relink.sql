-- The territories below level @level whose parent there may change now that boundary version @version_id is published
-- (after boundary_publish.sql, in its transaction): those linked by place (method 'spatial', or 'derived' from such a
-- link) to a territory of the level whose polygon the version changed or took away, and those with no parent at the
-- level whose point lies in a territory the version added (communes of a new arrondissement, EPCI of a new département).
-- Links from source files and codes (a commune's département, an IRIS's commune) say what a producer published and stay.
-- Their links as they are (all but those) are kept in boundary_displaced_parent, with those of the IRIS of such
-- communes (method 'code': they follow their commune), for a roll back to put back; the caller links them again
-- (Import/hierarchy.sql, then boundary_relink_iris.sql). One linked to such a parent only through a derived link (a
-- commune's région, from its département's) is only derived again (Import/hierarchy_derived.sql): placing the 35,000
-- communes by their point again for a région layer took 23 s.
-- Parameters: @version_id, @level. Returns the territories to link again, and whether each is placed by its point
-- again (placed) or only derived again.
delete from boundary_displaced_parent where version_id = @version_id;

with changed as materialized (
    select d.territory_id
    from boundary_displaced d
    join territory t on t.id = d.territory_id and t.level = @level
    where d.version_id = @version_id and d.existed
      and ST_AsEWKB(t.geom) is distinct from ST_AsEWKB(d.geom)
), linked as (
    select p.territory_id, p.method = 'spatial' as placed
    from territory_parent p
    join changed c on c.territory_id = p.parent_id
    where p.method in ('spatial', 'derived')
    union all
    select o.id, true
    from boundary_displaced a
    join territory n on n.id = a.territory_id
    -- By the outlines' boxes first (the geometry index), then the point: not every territory's point against the polygon.
    join territory o on o.level <> @level and o.geom && n.geom and ST_Contains(n.geom, o.label_point)
    where a.version_id = @version_id and not a.existed
      and not exists (select 1 from territory_parent x where x.territory_id = o.id and x.parent_level = @level)
      and exists (select 1 from territory_parent s where s.territory_id = o.id and s.method in ('spatial', 'derived'))
), below as materialized (
    select territory_id, bool_or(placed) as placed from linked group by territory_id
), kept as (
    insert into boundary_displaced_parent (version_id, territory_id, parent_level, parent_id, method)
    select @version_id, p.territory_id, p.parent_level, p.parent_id, p.method
    from territory_parent p
    where (p.territory_id in (select territory_id from below) and p.method in ('spatial', 'derived'))
       or (p.method = 'code' and p.parent_level <> 'commune'
           and p.territory_id in (select i.territory_id from territory_parent i
                                  where i.parent_level = 'commune' and i.method = 'code' and i.parent_id in (select territory_id from below)))
)
select territory_id, placed from below;
