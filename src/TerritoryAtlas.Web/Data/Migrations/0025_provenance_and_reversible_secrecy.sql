-- Secondary secrecy that a later pass can lift, and each figure's dataset version in the view every reader uses.

-- Which figures the atlas itself suppressed by secondary secrecy (Import/secondary_secrecy.sql), as opposed to those
-- their producer published secret. Every pass first lifts its own earlier marks for the indicators it recomputes and
-- then puts back those still needed, so a figure suppressed for the sake of a contribution that was later rolled
-- back (or revised) is published again exactly as it was. The flag `secret_secondaire` alone cannot say it: a
-- contributor's file may carry that word in its own flag column.
alter table observation add column secondary_secret boolean not null default false;
-- A figure a version displaced keeps its mark while aside (Datasets/publish.sql, unpublish.sql).
alter table dataset_displaced add column secondary_secret boolean not null default false;

-- Marks made before this column existed: suppressed with the flag the step appends, unless the contributed row
-- itself carried that flag (the data directory's files carry no such flag).
update observation o set secondary_secret = true
where o.status = 'suppressed' and o.flag like '%secret_secondaire'
  and not exists (select 1 from dataset_row r
                  where r.version_id = o.dataset_version_id and r.indicator_code = o.indicator_code
                    and r.territory_id = o.territory_id and r.year = o.year and r.flag like '%secret_secondaire');
update dataset_displaced d set secondary_secret = true
where d.status = 'suppressed' and d.flag like '%secret_secondaire'
  and not exists (select 1 from dataset_row r
                  where r.version_id = d.dataset_version_id and r.indicator_code = d.indicator_code
                    and r.territory_id = d.territory_id and r.year = d.year and r.flag like '%secret_secondaire');
-- The marks are few (a few thousand of a million figures): lifting them reads this, not the table.
create index observation_secondary_secret_idx on observation (indicator_code) where secondary_secret;

-- Every reader reads figures through this view: a figure's provenance (the dataset version it was published in,
-- null for the data directory's import and for what the atlas derives) goes with it, added at the end.
create or replace view published_observation as
select indicator_code, territory_id, year,
       case when status = 'ok' then value end as value,
       case when status = 'ok' then numerator end as numerator,
       case when status = 'ok' then denominator end as denominator,
       status, flag, origin,
       case when status = 'ok' then computed_value end as computed_value,
       dataset, cog, dataset_version_id
from observation;
