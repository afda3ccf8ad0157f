-- Takes a dataset's current version (@current_id) off the observations: its figures go, the figures of other
-- datasets it had replaced come back, and the version becomes @new_status ('superseded' when another replaces it,
-- 'rejected' when it is rolled back). Parameters: @current_id, @name (observation.dataset), @new_status, @by.
delete from observation where dataset = @name;

insert into observation (indicator_code, territory_id, year, value, numerator, denominator, status, flag, origin, dataset,
                         dataset_version_id, cog, secondary_secret)
select d.indicator_code, d.territory_id, d.year, d.value, d.numerator, d.denominator, d.status, d.flag, 'source', d.dataset,
       d.dataset_version_id, d.cog, d.secondary_secret
from dataset_displaced d
where d.version_id = @current_id
on conflict (indicator_code, territory_id, year) do nothing;

update dataset_version
set status = @new_status,
    rolled_back_by = case when @new_status = 'rejected' then @by end,
    rolled_back_at = case when @new_status = 'rejected' then now() end
where id = @current_id;
