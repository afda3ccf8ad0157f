-- A zoning's zones from its staged correspondence table (zoning_row: line, commune, zone, zone_name; every commune
-- known and listed once): each zone's outline is the ST_Union of its communes' outlines (which share their borders:
-- one IGN set), repaired by ST_MakeValid only where GEOS leaves it invalid; its label point; each commune's link to
-- its zone; the départements and régions it covers; and as its parents the département, région, zone and France
-- holding most of its communes. Links are 'source' (the table gave them) so the import's hierarchy pass keeps them.
-- Parameters: @level, @vintage, @source. Returns the number of zones.
with outline as (
    select r.zone, coalesce(min(r.zone_name), r.zone) as name, ST_Union(c.geom) as geom
    from zoning_row r
    join territory c on c.level = 'commune' and c.code = r.commune
    group by r.zone
), valid as (
    select zone, name,
           ST_Multi(ST_CollectionExtract(case when ST_IsValid(geom) then geom else ST_MakeValid(geom) end, 3))::geometry(MultiPolygon, 4326) as geom
    from outline
)
insert into territory (level, code, name, search_name, vintage, source, geom, label_point)
select @level, v.zone, v.name, lower(unaccent(v.name)), @vintage, @source, v.geom, ST_PointOnSurface(v.geom)
from valid v;

insert into territory_parent (territory_id, parent_level, parent_id, method)
select c.id, @level, z.id, 'source'
from zoning_row r
join territory c on c.level = 'commune' and c.code = r.commune
join territory z on z.level = @level and z.code = r.zone;

insert into zone (territory_id, level, communes, departements, regions)
select m.parent_id, @level, count(*),
       array_remove(array_agg(distinct d.code order by d.code), null),
       array_remove(array_agg(distinct g.code order by g.code), null)
from territory_parent m
left join territory_parent md on md.territory_id = m.territory_id and md.parent_level = 'departement'
left join territory d on d.id = md.parent_id
left join territory_parent mg on mg.territory_id = m.territory_id and mg.parent_level = 'region'
left join territory g on g.id = mg.parent_id
where m.parent_level = @level
group by m.parent_id;

insert into territory_parent (territory_id, parent_level, parent_id, method)
select distinct on (m.parent_id, cp.parent_level) m.parent_id, cp.parent_level, cp.parent_id, 'source'
from territory_parent m
join territory_parent cp on cp.territory_id = m.territory_id and cp.parent_level in ('departement', 'region', 'zone', 'france')
where m.parent_level = @level
group by m.parent_id, cp.parent_level, cp.parent_id
order by m.parent_id, cp.parent_level, count(*) desc, cp.parent_id;

select count(*) from zone where level = @level;
