-- The draft's figures beside the published ones, for the preview table and map (first @limit, revisions first).
-- Parameters: @version_id, @indicators (the draft's indicator codes, see preview.sql), @limit.
select t.level, t.code, t.name, r.indicator_code as indicator, r.year, r.value as draft, r.status as draftstatus,
       o.value as published, o.dataset as publisheddataset
from dataset_row r
join territory t on t.id = r.territory_id
left join observation o on o.indicator_code = r.indicator_code and o.territory_id = r.territory_id and o.year = r.year
                       and o.origin = 'source' and o.indicator_code = any(@indicators)
where r.version_id = @version_id
order by (o.value is distinct from r.value) desc, t.level, t.code, r.year
limit @limit;
