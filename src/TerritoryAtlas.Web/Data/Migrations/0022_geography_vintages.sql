-- The geographic vintage (COG year) each figure was published in, so that the perimeter a figure describes follows
-- from its vintage and perimeter_change instead of being guessed from which communes still have figures.

-- `cog`: the year of the Code officiel géographique (1 January) whose communes the producer's file uses. Null when
-- the source does not say (then perimeter_observations.sql falls back to inferring the perimeter). Set at import from
-- indicators/manifest.json (`cog` per dataset), for contributions from their metadata (`cog`, else the figure's year).
alter table observation add column cog smallint;
alter table dataset_row add column cog smallint;
alter table dataset_displaced add column cog smallint;

-- A change's `from_year` is now the first COG vintage that can hold it; `known_by` the first vintage certain to hold
-- it (null: from_year). The COG 2018→2024 correspondence says a commune merged somewhere between 2019 and 2024, so a
-- figure on COG 2018 describes the former perimeter, one on COG 2024 the current one, and one in between is inferred.
alter table perimeter_change add column known_by smallint;

-- Every reader reads figures through this view: the vintage goes with them (a column added at the end).
create or replace view published_observation as
select indicator_code, territory_id, year,
       case when status = 'ok' then value end as value,
       case when status = 'ok' then numerator end as numerator,
       case when status = 'ok' then denominator end as denominator,
       status, flag, origin,
       case when status = 'ok' then computed_value end as computed_value,
       dataset, cog
from observation;
