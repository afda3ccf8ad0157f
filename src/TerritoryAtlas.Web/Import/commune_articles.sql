-- Gives communes INSEE's names with their article where the boundary file dropped it (about 2,200 communes of
-- communes-2018.geojson: `Havre` for `Le Havre`, `Abergement-Clémenciat` for `L'Abergement-Clémenciat`). Only a name
-- that is exactly an article plus the boundary's name is taken: other differences are renamings between vintages,
-- and the boundary's vintage keeps its own name. The search name keeps both forms reachable (it is matched as a
-- substring). Parameters: @codes, @names (the indicator file's geo_code and geo_name, one pair per commune).
update territory t
set name = n.name,
    search_name = lower(unaccent(n.name))
from unnest(@codes::text[], @names::text[]) as n (code, name)
where t.level = 'commune'
  and t.code = n.code
  and t.name <> n.name
  and regexp_replace(n.name, '^(Le |La |Les |L''|L’)', '') = t.name;
