-- Registers the IRIS of a CAF file as territories of the level `iris` (no geometry until a boundary layer adds
-- one), each under its commune and, through it, the commune's own parents (département, région, EPCI…).
-- Parameters: @codes, @names, @communes (text[], the commune of each IRIS on the boundary vintage), @vintage, @source.
insert into territory (level, code, name, search_name, vintage, source)
select 'iris', i.code, i.name, lower(unaccent(i.name)), @vintage, @source
from unnest(@codes, @names) as i (code, name)
-- Later CAF files carry no IRIS names ('IRIS {code}'): an earlier file's name is kept.
on conflict (level, code) do update
    set name = case when excluded.name = 'IRIS ' || excluded.code then territory.name else excluded.name end,
        search_name = case when excluded.name = 'IRIS ' || excluded.code then territory.search_name else excluded.search_name end;

-- Method 'code': the IRIS code's first five characters are its commune.
insert into territory_parent (territory_id, parent_level, parent_id, method)
select t.id, 'commune', c.id, 'code'
from unnest(@codes, @communes) as i (code, commune)
join territory t on t.level = 'iris' and t.code = i.code
join territory c on c.level = 'commune' and c.code = i.commune
on conflict (territory_id, parent_level) do update set parent_id = excluded.parent_id, method = excluded.method;

insert into territory_parent (territory_id, parent_level, parent_id, method)
select t.id, cp.parent_level, cp.parent_id, 'code'
from unnest(@codes) as i (code)
join territory t on t.level = 'iris' and t.code = i.code
join territory_parent ic on ic.territory_id = t.id and ic.parent_level = 'commune'
join territory_parent cp on cp.territory_id = ic.parent_id
on conflict (territory_id, parent_level) do update set parent_id = excluded.parent_id, method = excluded.method;

select t.code, t.id from territory t where t.level = 'iris' and t.code = any(@codes);
