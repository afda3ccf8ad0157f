-- Zonings: levels built from a correspondence table commune → zone (Zonings/ZoningService). The level itself is a
-- row of `level` (zoning = true); its zones are territories of that level, each commune's zone a territory_parent
-- link (method 'source': the table gave it, so the import's hierarchy pass keeps it).
create table zoning (
    level text primary key references level (code) on delete cascade,
    name text not null,
    vintage text not null,
    -- The uploaded file's name and the column the zones were read from, for traceability.
    file text not null,
    zone_column text not null,
    created_by text,
    created_at timestamptz not null default now(),
    communes integer not null,
    zones integer not null
);

-- Which départements and régions each zone's communes lie in: a zone across a border is flagged, its parent is the
-- département (région) holding most of its communes.
create table zone (
    territory_id integer primary key references territory (id) on delete cascade,
    level text not null references zoning (level) on delete cascade,
    communes integer not null,
    departements text[] not null,
    regions text[] not null,
    straddles_departement boolean generated always as (cardinality(departements) > 1) stored,
    straddles_region boolean generated always as (cardinality(regions) > 1) stored
);
create index zone_level_idx on zone (level);
