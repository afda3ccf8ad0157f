-- A study area's figures in every year, computed from its communes when read (so they follow every update).
-- Parameters: @codes (its communes' INSEE codes), @isMember, @isAdmin, @organisations (the reader, for
-- indicator_visible), @indicators (null: every indicator the reader may see).
-- For each additive count: in each year where every commune has a figure (or lies in a merged commune of the area
-- that has one: perimeter_change), their sum; none where a commune's figure also covers communes outside the area
-- (a commune nouvelle's figure, the area holding only some of its former communes); secret when one of them is
-- (the total less the others would give it away) or, for a 'value' secrecy rule, under its threshold. The same
-- rules as a zoning's zones (zone_observations.sql).
-- For each rate with a numerator and a denominator: in each year where both sums are complete, multiplier ×
-- Σ numerators / Σ denominators — never an average of the communes' rates.
-- `whole`: every part was published (no secret commune): the portrait prefers the latest such year.
-- Returns indicator, year, value, numerator, denominator, status, whole; years without a complete sum are absent.
with member as (
    select id from territory where level = 'commune' and code = any(@codes)
), size as (
    select count(*) as communes from member
), visible as (
    select i.* from indicator i
    where indicator_visible(i.visibility, i.code, @isMember, @isAdmin, @organisations)
      and (@indicators::text[] is null or i.code = any(@indicators) or i.code in (
           select unnest(array[r.numerator, r.denominator]) from indicator r where r.code = any(@indicators)))
), figure as (
    select o.indicator_code, o.year, o.value, o.status, o.territory_id
    from member m
    join observation o on o.territory_id = m.id and o.status <> 'missing'
    join visible i on i.code = o.indicator_code and i.additive
), absorbed as (
    -- The communes a merged commune of the area absorbed (they have no figure of their own once merged).
    select x.id as merged_id, part.id as part_id
    from perimeter_change pc
    join territory x on x.level = 'commune' and x.code = pc.code and x.id in (select id from member)
    cross join lateral unnest(pc.parts) as p (code)
    join territory part on part.level = 'commune' and part.code = p.code and part.id <> x.id
    where pc.level = 'commune' and pc.kind = 'merged'
), covered as (
    select f.indicator_code, f.year,
           count(*) filter (where a.part_id in (select id from member)) as inside,
           count(*) filter (where a.part_id not in (select id from member)) as outside
    from figure f
    join absorbed a on a.merged_id = f.territory_id
    where not exists (select 1 from observation own
                      where own.territory_id = a.part_id and own.indicator_code = f.indicator_code and own.year = f.year
                        and own.status <> 'missing')
    group by f.indicator_code, f.year
), complete as (
    select f.indicator_code, f.year, bool_or(f.status = 'suppressed') as secret, sum(f.value) as total,
           count(f.value) = count(*) as all_values
    from figure f
    left join covered c on c.indicator_code = f.indicator_code and c.year = f.year
    group by f.indicator_code, f.year
    having count(*) + coalesce(max(c.inside), 0) = (select communes from size) and coalesce(max(c.outside), 0) = 0
)
select c.indicator_code as indicator, c.year::int as year,
       case when c.all_values then c.total end as value, null::double precision as numerator, null::double precision as denominator,
       case when c.secret or not c.all_values
                 or (i.secrecy_applies_to = 'value' and c.total < i.secrecy_threshold) then 'suppressed' else 'ok' end as status,
       not (c.secret or not c.all_values) as whole
from complete c join visible i on i.code = c.indicator_code
union all
select i.code, n.year::int,
       i.multiplier * n.total / d.total, n.total, d.total,
       case when n.secret or d.secret or not (n.all_values and d.all_values)
                 or (i.secrecy_applies_to = 'numerator' and n.total < i.secrecy_threshold) then 'suppressed' else 'ok' end,
       not (n.secret or d.secret or not (n.all_values and d.all_values))
from visible i
join complete n on n.indicator_code = i.numerator
join complete d on d.indicator_code = i.denominator and d.year = n.year
where i.kind = 'rate' and d.total > 0;
