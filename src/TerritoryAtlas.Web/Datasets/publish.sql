-- Makes a version's figures the dataset's observations: figures of other datasets at the same indicator, territory
-- and year are kept aside (dataset_displaced) and replaced, then the version's rows go in with each indicator's
-- secrecy rule. Run after unpublish.sql in the same transaction. Parameters: @version_id, @indicators (the version's
-- indicator codes: the published figures it can meet are read through the primary key and hashed, instead of one
-- index probe per row of the version), @name, @by. Returns the number of figures written.
delete from dataset_displaced where version_id = @version_id;

-- With its secondary-secrecy mark, which the recompute lifts if it is no longer needed once the figure is back.
insert into dataset_displaced (version_id, indicator_code, territory_id, year, value, numerator, denominator, status, flag, dataset,
                               dataset_version_id, cog, secondary_secret)
select @version_id, o.indicator_code, o.territory_id, o.year, o.value, o.numerator, o.denominator, o.status, o.flag, o.dataset,
       o.dataset_version_id, o.cog, o.secondary_secret
from observation o
join dataset_row r on r.version_id = @version_id and r.indicator_code = o.indicator_code and r.territory_id = o.territory_id
                  and r.year = o.year
where o.origin = 'source' and o.indicator_code = any(@indicators);

delete from observation o
using dataset_row r
where r.version_id = @version_id and r.indicator_code = o.indicator_code and r.territory_id = o.territory_id and r.year = o.year
  and o.indicator_code = any(@indicators);

update dataset_version set status = 'published', published_by = @by, published_at = now(),
                           rolled_back_by = null, rolled_back_at = null
where id = @version_id;

with inserted as (
    insert into observation (indicator_code, territory_id, year, value, numerator, denominator, status, flag, origin, dataset,
                             dataset_version_id, cog)
    select r.indicator_code, r.territory_id, r.year, r.value, r.numerator, r.denominator,
           case
               when r.status = 'ok' and i.secrecy_applies_to = 'value' and r.value < i.secrecy_threshold then 'suppressed'
               when r.status = 'ok' and i.secrecy_applies_to = 'numerator' and r.numerator < i.secrecy_threshold then 'suppressed'
               else r.status
           end,
           r.flag, 'source', @name, @version_id, r.cog
    from dataset_row r
    join indicator i on i.code = r.indicator_code
    where r.version_id = @version_id
    returning 1
)
select count(*) from inserted;
