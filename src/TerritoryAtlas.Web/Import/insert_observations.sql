-- Moves one dataset's staged figures (staging_observation) into observation, applying each indicator's secrecy
-- rule. Parameters: @dataset. Returns the number of rows written; the rest collided with another dataset.
with inserted as (
    insert into observation (indicator_code, territory_id, year, value, numerator, denominator, status, flag, origin, dataset, cog)
    select s.indicator_code, s.territory_id, s.year, s.value, s.numerator, s.denominator,
           case
               when s.status = 'ok' and i.secrecy_applies_to = 'value' and s.value < i.secrecy_threshold then 'suppressed'
               else s.status
           end,
           s.flag, 'source', @dataset, s.cog
    from staging_observation s
    join indicator i on i.code = s.indicator_code
    on conflict (indicator_code, territory_id, year) do nothing
    returning 1
)
select count(*) from inserted;
