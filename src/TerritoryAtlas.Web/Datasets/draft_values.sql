-- One indicator and year of a draft on its map: every figure of the version beside the published one, with the
-- territories' extent to frame them. Parameters: @version_id, @indicator, @year.
select t.level, t.code, t.name, r.value as draft, r.status as draftstatus, o.value as published,
       st_xmin(t.geom) as xmin, st_ymin(t.geom) as ymin, st_xmax(t.geom) as xmax, st_ymax(t.geom) as ymax
from dataset_row r
join territory t on t.id = r.territory_id
left join observation o on o.indicator_code = r.indicator_code and o.territory_id = r.territory_id and o.year = r.year
                       and o.origin = 'source'
where r.version_id = @version_id and r.indicator_code = @indicator and r.year = @year;
