-- The figures of one indicator for every territory of a level in one year, secrecy applied (published_observation).
-- Parameters: @level, @indicator, @year.
select t.code, o.value, o.status
from published_observation o
join territory t on t.id = o.territory_id
where t.level = @level and o.indicator_code = @indicator and o.year = @year
order by t.code;
