-- Rates recomputed from numerator and denominator at every level, after the sums and their secrecy
-- (computed_observations.sql, secondary_secrecy.sql). No parameters; when a zoning is added alone
-- (`set local atlas.zoning = 'code'`, Zonings/), only that zoning's zones, instead of a pass over every observation.
-- Rates: where a parent's parts were summed, the summed numerator and denominator are used (coalesce), so a
-- région's rate is exactly Σ numerators / Σ denominators of its départements.
-- Every rate, or only those whose numerator or denominator `atlas.indicators` lists (see computed_observations.sql).
-- derived_scope: the indicators this pass recomputes (derived_scope.sql, which DerivedFigures.StepSql puts first).
-- A rate is on its numerator's and denominator's vintage when they share one.
insert into observation (indicator_code, territory_id, year, value, numerator, denominator, status, flag, origin, dataset, cog)
select i.code, n.territory_id, n.year,
       i.multiplier * coalesce(n.computed_value, n.value) / coalesce(d.computed_value, d.value),
       coalesce(n.computed_value, n.value), coalesce(d.computed_value, d.value),
       case
           when n.status = 'suppressed' or d.status = 'suppressed' then 'suppressed'
           when i.secrecy_applies_to = 'numerator' and coalesce(n.computed_value, n.value) < i.secrecy_threshold then 'suppressed'
           else 'ok'
       end,
       nullif(concat_ws(' ', n.flag, d.flag), ''), 'computed', 'computed', case when n.cog = d.cog then n.cog end
from indicator i
join observation n on n.indicator_code = i.numerator
join observation d on d.indicator_code = i.denominator and d.territory_id = n.territory_id and d.year = n.year
where i.kind = 'rate'
  and i.code in (select code from derived_scope)
  and (nullif(current_setting('atlas.zoning', true), '') is null
       or n.territory_id in (select id from territory where level = current_setting('atlas.zoning', true)))
  -- A commune correspondence's pass (`set local atlas.rates = 'summed'`, DerivedFigures.RecomputePerimetersAsync)
  -- rewrote only the zones' and arrondissements' figures (zone_observations.sql): theirs are the only rates missing,
  -- every other rate stands (its numerator and denominator did not change), so the other levels are not read again.
  and (current_setting('atlas.rates', true) is distinct from 'summed'
       or n.territory_id in (select t.id from territory t join level l on l.code = t.level where l.zoning or l.code = 'arrondissement'))
  and coalesce(n.computed_value, n.value) is not null
  and coalesce(d.computed_value, d.value) > 0
on conflict (indicator_code, territory_id, year) do nothing;
