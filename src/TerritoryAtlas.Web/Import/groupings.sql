-- A grouping territory (France, France métropolitaine, DROM): the union of its member territories, which become
-- its children. Parameters: @level, @code, @name, @from_level, @members (text[]; empty = every territory of
-- @from_level), @source.
with members as (
    select id, geom from territory
    where level = @from_level and (cardinality(@members) = 0 or code = any(@members))
), outline as (
    select ST_Multi(ST_CollectionExtract(ST_MakeValid(ST_Union(geom)), 3))::geometry(MultiPolygon, 4326) as geom from members
), upserted as (
    insert into territory (level, code, name, search_name, vintage, source, geom, label_point)
    select @level, @code, @name, lower(unaccent(@name)), 'COG 2018', @source, o.geom, ST_PointOnSurface(o.geom)
    from outline o
    on conflict (level, code) do update
        set name = excluded.name, search_name = excluded.search_name, geom = excluded.geom, label_point = excluded.label_point
    returning id
), links as (
    insert into territory_parent (territory_id, parent_level, parent_id, method)
    select m.id, @level, u.id, 'source' from members m cross join upserted u
    on conflict (territory_id, parent_level) do update set parent_id = excluded.parent_id, method = excluded.method
    returning 1
)
select count(*) from links;
