-- A study area's figures, computed from its communes when read (so it follows every update). Parameters: @codes
-- (its communes' INSEE codes), @isMember, @isAdmin, @organisations (the reader, for indicator_visible).
-- For each additive count the reader may see: the latest year where every commune has a published figure (else the
-- latest where every commune has one at all), summed; secret when
-- one of them is (the total less the others would give it away) or, for a 'value' secrecy rule, under its threshold.
-- For each rate with a numerator and a denominator: the latest year where both sums are complete (published first), multiplier × Σ
-- numerators / Σ denominators — never an average of the communes' rates. One line per indicator, 'missing' when no
-- year is complete. Returns indicator, label, unit, kind, decimals, year, value, numerator, denominator, status.
with member as (
    select id from territory where level = 'commune' and code = any(@codes)
), size as (
    select count(*) as communes from member
), visible as (
    select i.* from indicator i where indicator_visible(i.visibility, i.code, @isMember, @isAdmin, @organisations)
), complete as (
    select o.indicator_code, o.year, bool_or(o.status = 'suppressed') as secret, sum(o.value) as total,
           count(o.value) = count(*) as all_values
    from member m
    join observation o on o.territory_id = m.id and o.status <> 'missing'
    join visible i on i.code = o.indicator_code and i.additive
    group by o.indicator_code, o.year
    having count(*) = (select communes from size)
), counts as (
    select distinct on (c.indicator_code) c.indicator_code, c.year,
           case when c.all_values then c.total end as value, null::double precision as numerator, null::double precision as denominator,
           case when c.secret or not c.all_values
                     or (i.secrecy_applies_to = 'value' and c.total < i.secrecy_threshold) then 'suppressed' else 'ok' end as status
    from complete c join visible i on i.code = c.indicator_code
    order by c.indicator_code, c.secret or not c.all_values, c.year desc
), rates as (
    select distinct on (i.code) i.code as indicator_code, n.year,
           i.multiplier * n.total / d.total as value, n.total as numerator, d.total as denominator,
           case when n.secret or d.secret or not (n.all_values and d.all_values)
                     or (i.secrecy_applies_to = 'numerator' and n.total < i.secrecy_threshold) then 'suppressed' else 'ok' end as status
    from visible i
    join complete n on n.indicator_code = i.numerator
    join complete d on d.indicator_code = i.denominator and d.year = n.year
    where i.kind = 'rate' and d.total > 0
    order by i.code, n.secret or d.secret or not (n.all_values and d.all_values), n.year desc
), figures as (
    select * from counts union all select * from rates
)
select i.code as indicator, i.label_fr as label, i.unit_fr as unit, i.kind, i.decimals, f.year, f.value, f.numerator, f.denominator,
       coalesce(f.status, 'missing') as status
from visible i
join theme t on t.code = i.theme
left join figures f on f.indicator_code = i.code
where i.additive or (i.kind = 'rate' and i.numerator is not null and i.denominator is not null)
order by t.sort_order, i.sort_order;
