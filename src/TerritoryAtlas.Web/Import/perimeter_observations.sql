-- Every figure of a commune whose perimeter changed (perimeter_change), read on its current perimeter, into
-- perimeter_observation. After the computed figures, so rates and secrecy are final. No parameters.
-- The figure's vintage (observation.cog) says which perimeter it describes: a COG before the change's from_year the
-- former one, a COG at or after known_by (else from_year) the current one. Where the vintage is unknown or falls
-- in between (the 2018→2024 correspondence does not date a merger), it is inferred: the former perimeter when every
-- absorbed commune still has its own figure that year and indicator (the producer published them apart), the current
-- one when none has; anything in between is a break.
-- Every indicator, or only those `atlas.indicators` lists and their rates (see computed_observations.sql): a rate of
-- the former perimeter reads its numerator's and denominator's rows, which are either recomputed here or unchanged.
-- derived_scope: the indicators this pass recomputes (derived_scope.sql, which DerivedFigures.StepSql puts first).

delete from perimeter_observation where indicator_code in (select code from derived_scope);

drop table if exists change_part;
create temporary table change_part on commit drop as
select t.id as territory_id, pc.kind, pc.reason_fr, pc.reason_en, p.id as part_id, part.code = pc.code as is_self,
       pc.from_year, coalesce(pc.known_by, pc.from_year) as known_by
from perimeter_change pc
join territory t on t.level = pc.level and t.code = pc.code
cross join lateral unnest(pc.parts) as part (code)
left join territory p on p.level = pc.level and p.code = part.code;

-- A split (or a change whose parts are unknown) cannot be carried over: every figure breaks, with the reason.
insert into perimeter_observation (indicator_code, territory_id, year, on_perimeter, status, reason_fr, reason_en)
select distinct o.indicator_code, o.territory_id, o.year, 'former', 'break', x.reason_fr, x.reason_en
from change_part x
join observation o on o.territory_id = x.territory_id and o.status <> 'missing'
join derived_scope s on s.code = o.indicator_code
where x.kind <> 'merged';

drop table if exists merged_figure;
create temporary table merged_figure on commit drop as
select f.*,
       coalesce(f.by_vintage, case when f.absorbed_with_figure = 0 then 'current'
                                   when f.absorbed_with_figure = f.absorbed then 'former' end) as perimeter
from (
select o.indicator_code, o.year, o.territory_id, min(x.reason_fr) as reason_fr, min(x.reason_en) as reason_en,
       case when min(o.cog) >= min(x.known_by) then 'current' when min(o.cog) < min(x.from_year) then 'former' end as by_vintage,
       count(*) filter (where not x.is_self) as absorbed,
       count(p.year) filter (where not x.is_self) as absorbed_with_figure,
       count(*) filter (where x.part_id is null) as unknown_parts,
       bool_and(p.status = 'ok') as all_ok,
       bool_or(p.status = 'suppressed') as any_secret,
       count(p.year) as parts_with_figure,
       count(*) as parts,
       sum(p.value) as total
from change_part x
join observation o on o.territory_id = x.territory_id and o.status <> 'missing'
join derived_scope s on s.code = o.indicator_code
left join observation p on p.territory_id = x.part_id and p.indicator_code = o.indicator_code and p.year = o.year
    and p.status <> 'missing'
where x.kind = 'merged'
group by o.indicator_code, o.year, o.territory_id
) f;

-- Figures already on the current perimeter: as they are.
insert into perimeter_observation (indicator_code, territory_id, year, on_perimeter, value, numerator, denominator, status)
select o.indicator_code, o.territory_id, o.year, 'current',
       case when o.status = 'ok' then o.value end, case when o.status = 'ok' then o.numerator end,
       case when o.status = 'ok' then o.denominator end, o.status
from merged_figure m
join observation o on o.indicator_code = m.indicator_code and o.territory_id = m.territory_id and o.year = m.year
where m.perimeter = 'current';

-- Counts of the former perimeter: the sum of the parts, when every part has its figure.
insert into perimeter_observation (indicator_code, territory_id, year, on_perimeter, value, status, reason_fr, reason_en)
select m.indicator_code, m.territory_id, m.year, 'former',
       case when m.all_ok and m.parts_with_figure = m.parts then m.total end,
       case
           when m.unknown_parts > 0 or m.parts_with_figure < m.parts then 'break'
           when m.any_secret then 'suppressed'
           else 'ok'
       end,
       case when m.unknown_parts > 0 or m.parts_with_figure < m.parts
            then 'Périmètre modifié (' || m.reason_fr || ') : une des communes regroupées n''a pas de chiffre cette année-là.' end,
       case when m.unknown_parts > 0 or m.parts_with_figure < m.parts
            then 'Perimeter changed (' || m.reason_en || '): one of the merged communes has no figure that year.' end
from merged_figure m
join indicator i on i.code = m.indicator_code and i.additive
where m.perimeter = 'former';

-- Rates of the former perimeter: recomputed from the carried numerator and denominator, never averaged.
insert into perimeter_observation (indicator_code, territory_id, year, on_perimeter, value, numerator, denominator, status, reason_fr, reason_en)
select m.indicator_code, m.territory_id, m.year, 'former',
       case when n.status = 'ok' and d.status = 'ok' and d.value > 0 then i.multiplier * n.value / d.value end,
       case when n.status = 'ok' and d.status = 'ok' then n.value end,
       case when n.status = 'ok' and d.status = 'ok' then d.value end,
       case
           when n.status = 'ok' and d.status = 'ok' and d.value > 0 then 'ok'
           when n.status = 'suppressed' or d.status = 'suppressed' then 'suppressed'
           else 'break'
       end,
       case when coalesce(n.status, 'break') = 'break' or coalesce(d.status, 'break') = 'break'
            then 'Périmètre modifié (' || m.reason_fr || ') : le numérateur ou le dénominateur ne peut pas être porté sur le nouveau périmètre.' end,
       case when coalesce(n.status, 'break') = 'break' or coalesce(d.status, 'break') = 'break'
            then 'Perimeter changed (' || m.reason_en || '): the numerator or denominator cannot be carried to the new perimeter.' end
from merged_figure m
join indicator i on i.code = m.indicator_code and i.kind = 'rate'
left join perimeter_observation n on n.indicator_code = i.numerator and n.territory_id = m.territory_id and n.year = m.year
left join perimeter_observation d on d.indicator_code = i.denominator and d.territory_id = m.territory_id and d.year = m.year
where m.perimeter = 'former';

-- Everything else breaks: a non-additive figure (a median, a rate without its parts) of the former perimeter, or a
-- year where only some of the absorbed communes still have a figure.
insert into perimeter_observation (indicator_code, territory_id, year, on_perimeter, status, reason_fr, reason_en)
select m.indicator_code, m.territory_id, m.year, 'former', 'break',
       case when m.perimeter = 'former'
            then 'Périmètre modifié (' || m.reason_fr || ') : ce chiffre n''est pas additif, il ne peut pas être porté sur le nouveau périmètre.'
            else 'Périmètre modifié (' || m.reason_fr || ') : seules certaines des communes regroupées ont un chiffre cette année-là.' end,
       case when m.perimeter = 'former'
            then 'Perimeter changed (' || m.reason_en || '): this figure is not additive and cannot be carried to the new perimeter.'
            else 'Perimeter changed (' || m.reason_en || '): only some of the merged communes have a figure that year.' end
from merged_figure m
where not exists (select 1 from perimeter_observation p
                  where p.indicator_code = m.indicator_code and p.territory_id = m.territory_id and p.year = m.year);
