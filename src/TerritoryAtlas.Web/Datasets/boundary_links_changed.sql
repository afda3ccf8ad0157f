-- How many links of the territories boundary version @version_id linked again (boundary_relink.sql) differ from those
-- they had before it: after its publication, what changed; before its roll back, what the roll back changes back.
-- Parameters: @version_id.
with kept as (
    select territory_id, parent_level, parent_id from boundary_displaced_parent where version_id = @version_id
), now as (
    select p.territory_id, p.parent_level, p.parent_id
    from territory_parent p
    where p.territory_id in (select territory_id from kept)
      and (p.method in ('spatial', 'derived') or (p.method = 'code' and p.parent_level <> 'commune'))
)
select ((select count(*) from (select * from now except select * from kept) n)
      + (select count(*) from (select * from kept except select * from now) k))::int;
