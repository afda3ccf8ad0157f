-- Computes every parent link that no source file gives, after all boundary layers are in (the import), or those of
-- the territories @only names (int[]; empty: every territory), which a published boundary layer adds
-- (Datasets/BoundaryLayers.cs): their parents found as the import finds an imported territory's.
-- Links from the files themselves (method 'source': commune → département) are kept.
-- Parameters: @only.
-- Fresh tables have no statistics: without them the planner loops over every commune for each QPV.
set local jit = off;
analyze territory;
delete from territory_parent where method <> 'source' and (cardinality(@only) = 0 or territory_id = any(@only));

-- Régions → France and their zone (métropole / DROM), from the groupings' member lists (method 'code').
-- (Inserted by the grouping step; nothing to do here.)

-- Départements → région: a département lies entirely in one région; its point on surface says which.
insert into territory_parent (territory_id, parent_level, parent_id, method)
select d.id, 'region', r.id, 'spatial'
from territory d
join territory r on r.level = 'region' and ST_Contains(r.geom, d.label_point)
where d.level = 'departement' and (cardinality(@only) = 0 or d.id = any(@only));

-- EPCI and QPV → département (an EPCI may straddle two: the one holding its point on surface is kept); so too a
-- commune an uploaded layer adds, which has no file to name its département.
insert into territory_parent (territory_id, parent_level, parent_id, method)
select t.id, 'departement', d.id, 'spatial'
from territory t
join territory d on d.level = 'departement' and ST_Contains(d.geom, t.label_point)
where (t.level in ('epci', 'qpv') or (t.level = 'commune' and t.id = any(@only)))
  and (cardinality(@only) = 0 or t.id = any(@only))
on conflict do nothing;

-- Communes → arrondissement, within their own département.
insert into territory_parent (territory_id, parent_level, parent_id, method)
select c.id, 'arrondissement', a.id, 'spatial'
from territory c
join territory_parent cd on cd.territory_id = c.id and cd.parent_level = 'departement'
join territory_parent ad on ad.parent_id = cd.parent_id and ad.parent_level = 'departement'
join territory a on a.id = ad.territory_id and a.level = 'arrondissement' and ST_Contains(a.geom, c.label_point)
where c.level = 'commune' and (cardinality(@only) = 0 or c.id = any(@only))
on conflict do nothing;

-- Communes → EPCI: no table gives it for the 2018 layer; the EPCI (2024) holding the commune's point on surface.
insert into territory_parent (territory_id, parent_level, parent_id, method)
select c.id, 'epci', e.id, 'spatial'
from territory c
join territory e on e.level = 'epci' and ST_Contains(e.geom, c.label_point)
where c.level = 'commune' and (cardinality(@only) = 0 or c.id = any(@only))
on conflict do nothing;

-- QPV → commune (the 2018 commune holding its point on surface).
insert into territory_parent (territory_id, parent_level, parent_id, method)
select q.id, 'commune', c.id, 'spatial'
from territory q
join territory c on c.level = 'commune' and ST_Contains(c.geom, q.label_point)
where q.level = 'qpv' and (cardinality(@only) = 0 or q.id = any(@only))
on conflict do nothing;

analyze territory_parent;

-- The links derived from these: hierarchy_derived.sql, run after this file (Groupings.LinkParentsAsync).
