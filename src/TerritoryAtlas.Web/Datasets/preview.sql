-- A draft beside what is published: per indicator and year, figures that are new (no published figure), revised
-- (a different published value) or unchanged, and a sample of the revisions. Parameters: @version_id, @indicators
-- (the draft's indicator codes: the published figures it can meet are read through the primary key and hashed).
select r.indicator_code as indicator, r.year,
       count(*) filter (where o.indicator_code is null) as new,
       count(*) filter (where o.indicator_code is not null and o.value is distinct from r.value) as revised,
       count(*) filter (where o.indicator_code is not null and o.value is not distinct from r.value) as unchanged
from dataset_row r
left join observation o on o.indicator_code = r.indicator_code and o.territory_id = r.territory_id and o.year = r.year
                       and o.origin = 'source' and o.indicator_code = any(@indicators)
where r.version_id = @version_id
group by r.indicator_code, r.year
order by r.indicator_code, r.year;
