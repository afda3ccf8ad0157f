-- Where a territory stands among the territories of its level, indicator by indicator, in the latest year it has a
-- figure for (secrecy applied: a suppressed figure has no value and takes no rank; rank 1 is the highest value).
-- Parameters: @id (the territory), @level (its level).
with latest as (
    select indicator_code, max(year) as year
    from published_observation
    where territory_id = @id
    group by indicator_code
), ranked as (
    select o.indicator_code, o.territory_id,
           rank() over (partition by o.indicator_code order by o.value desc)::int as rank,
           count(*) over (partition by o.indicator_code)::int as peers
    from published_observation o
    join latest l on l.indicator_code = o.indicator_code and l.year = o.year
    join territory t on t.id = o.territory_id and t.level = @level
    where o.value is not null
)
select indicator_code, rank, peers from ranked where territory_id = @id;
