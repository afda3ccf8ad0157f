-- A commune layer of a later COG than the import's (an admin's ADMIN EXPRESS upload, Datasets/) draws a commune nouvelle
-- that kept its code on its new outline, the union of the communes it absorbed, which lose theirs. Its figures then
-- describe that perimeter on every surface that draws it (map values, exports): the one perimeter_observation holds
-- (as published when it already was, the sum of its former communes for a count of an earlier vintage, a rate from
-- those sums), or none where the series breaks, never the figure of its former perimeter on the new outline.
-- Whether a territory is drawn so: its polygon's vintage (territory.vintage, 'COG 2024') is at or after the vintage that
-- certainly holds the merger (perimeter_change.known_by, else from_year). Stable; the readers call it only for the few
-- territories that have a figure in perimeter_observation. Parallel safe: declared so, the map's values keep their
-- parallel plan (100–150 ms for the communes where a parallel-unsafe call made them 170–190 ms).
create function drawn_on_current_perimeter(p_level text, p_code text, p_vintage text) returns boolean
language sql stable parallel safe as $$
    select exists (select 1 from perimeter_change pc
                   where pc.level = p_level and pc.code = p_code and pc.kind = 'merged'
                     and coalesce(substring(p_vintage from '[0-9]{4}')::int, 0) >= coalesce(pc.known_by, pc.from_year))
$$;
