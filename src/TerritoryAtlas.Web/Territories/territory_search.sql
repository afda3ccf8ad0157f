-- Territories whose INSEE code starts with the query or whose name contains it, ignoring accents, case, hyphens
-- and apostrophes ("saint denis" finds Saint-Denis, "ile de france" Île-de-France).
-- Exact codes first, then names that start with the query, then wider levels, then the most populous.
-- Parameters: @query, @levels (text[]; empty = all), @limit.
with q as (
    select translate(lower(unaccent(@query)), '-''’', '   ') as folded
)
select t.level, t.code, t.name,
       ST_XMin(t.geom) as min_x, ST_YMin(t.geom) as min_y, ST_XMax(t.geom) as max_x, ST_YMax(t.geom) as max_y
from territory t
join level l on l.code = t.level
cross join q
left join lateral (
    select o.value from observation o
    where o.territory_id = t.id and o.indicator_code in ('population_municipale', 'population_totale')
    order by o.year desc limit 1
) population on true
where (cardinality(@levels) = 0 or t.level = any(@levels))
  -- Territories without a boundary yet (IRIS) cannot be shown on a map: search leaves them out.
  and t.geom is not null
  and (t.code ilike @query || '%' or translate(t.search_name, '-''’', '   ') like '%' || q.folded || '%')
order by (upper(t.code) = upper(@query)) desc,
         (translate(t.search_name, '-''’', '   ') like q.folded || '%') desc,
         l.rank, population.value desc nulls last, t.name
limit @limit;
