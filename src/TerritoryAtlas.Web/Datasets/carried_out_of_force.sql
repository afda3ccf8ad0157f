-- Figures carried to a commune of the boundary layer through an uploaded correspondence's code links
-- (dataset_carried_code) that the correspondence in force after a change would not carry the same way: those of the
-- dataset versions @versions, and of every published version when @published. @links_version is the correspondence
-- version in force after the change (null: none). One row per dataset version, with the codes concerned.
select d.name as dataset, v.id as version, array_agg(c.code order by c.code) as codes
from dataset_carried_code c
join dataset_version v on v.id = c.version_id
join dataset d on d.id = v.dataset_id
where (v.id = any(@versions) or (@published and v.status = 'published'))
  and not exists (select 1 from commune_code_link l
                  where l.dataset_version_id = @links_version and l.code = c.code and l.boundary_code = c.boundary_code)
group by d.name, v.id
order by v.id;
