-- Foundation schema: territories with their hierarchy, the indicator catalogue, observations, import reports.
create extension if not exists postgis;
create extension if not exists btree_gist;
create extension if not exists unaccent;

-- Levels from the widest to the finest; rank orders parents before children.
create table level (
    code text primary key,
    rank smallint not null unique,
    label_fr text not null,
    label_en text not null
);
insert into level (code, rank, label_fr, label_en) values
    ('france', 0, 'France', 'France'),
    ('zone', 1, 'France métropolitaine / DROM', 'Metropolitan France / overseas'),
    ('region', 2, 'Région', 'Region'),
    ('departement', 3, 'Département', 'Département'),
    ('arrondissement', 4, 'Arrondissement', 'Arrondissement'),
    ('epci', 5, 'EPCI', 'EPCI (inter-municipality)'),
    ('commune', 6, 'Commune', 'Municipality'),
    ('qpv', 7, 'Quartier prioritaire (QPV)', 'Priority neighbourhood (QPV)');

create table territory (
    id integer generated always as identity primary key,
    level text not null references level (code),
    code text not null,
    name text not null,
    -- Searchable form of the name: lower case without accents.
    search_name text not null,
    vintage text not null,
    source text not null,
    geom geometry(MultiPolygon, 4326),
    label_point geometry(Point, 4326),
    unique (level, code)
);
-- Spatial lookups always name a level (the EPCI holding a commune), so the level is part of the index.
create index territory_geom_idx on territory using gist (level, geom);

-- A territory's parents, one per parent level (a commune has an arrondissement, a département, a région, an EPCI…).
create table territory_parent (
    territory_id integer not null references territory (id) on delete cascade,
    parent_level text not null references level (code),
    parent_id integer not null references territory (id) on delete cascade,
    -- How the link was established: 'source' (a code in the boundary file), 'spatial' (point on surface), 'code'.
    method text not null,
    primary key (territory_id, parent_level)
);
create index territory_parent_parent_idx on territory_parent (parent_id);

-- Web copies for vector tiles: Web Mercator, simplified once per zoom band at import.
create table territory_tile_geometry (
    territory_id integer not null references territory (id) on delete cascade,
    level text not null,
    zoom_band smallint not null,
    code text not null,
    geom geometry(MultiPolygon, 3857) not null,
    primary key (territory_id, zoom_band)
);
create index territory_tile_geometry_idx on territory_tile_geometry using gist (level, zoom_band, geom);

create table theme (
    code text primary key,
    label_fr text not null,
    label_en text not null,
    sort_order integer not null
);

create table indicator (
    code text primary key,
    theme text not null references theme (code),
    label_fr text not null,
    label_en text not null,
    short_label_fr text,
    short_label_en text,
    unit_fr text not null,
    unit_en text not null,
    kind text not null check (kind in ('count', 'rate', 'amount', 'index', 'ratio', 'share')),
    decimals smallint not null default 0,
    definition_fr text not null,
    definition_en text not null,
    source text not null,
    producer text not null,
    licence text not null,
    -- 1: higher is better; -1: higher is worse; 0: neutral.
    polarity smallint not null check (polarity in (-1, 0, 1)),
    additive boolean not null,
    numerator text references indicator (code) deferrable initially deferred,
    denominator text references indicator (code) deferrable initially deferred,
    multiplier double precision,
    secrecy_threshold double precision,
    secrecy_applies_to text check (secrecy_applies_to in ('value', 'numerator')),
    secrecy_rule_fr text,
    secrecy_rule_en text,
    series_breaks jsonb not null default '[]',
    derived boolean not null default false,
    sort_order integer not null,
    check ((kind = 'rate') = (numerator is not null and denominator is not null))
);

-- One figure per indicator, territory and year. `value` keeps the raw figure even when suppressed so that
-- parents can still be summed; nothing outside the database reads this table directly: read published_observation.
create table observation (
    indicator_code text not null references indicator (code) on delete cascade,
    territory_id integer not null references territory (id) on delete cascade,
    year smallint not null,
    value double precision,
    numerator double precision,
    denominator double precision,
    status text not null check (status in ('ok', 'suppressed', 'missing')),
    -- The producer's own note (provisoire, rupture de série…).
    flag text,
    -- 'source': as published; 'computed': derived rate or sum of parts made by the importer.
    origin text not null check (origin in ('source', 'computed')),
    -- When a source figure exists and the importer can also sum it from the parts, the sum is kept beside it.
    computed_value double precision,
    dataset text not null,
    primary key (indicator_code, territory_id, year)
);
create index observation_territory_idx on observation (territory_id);
create index observation_dataset_idx on observation (dataset);

-- What every reader uses: statistical secrecy is applied here once, so no query can leak a suppressed value.
create view published_observation as
select indicator_code, territory_id, year,
       case when status = 'ok' then value end as value,
       case when status = 'ok' then numerator end as numerator,
       case when status = 'ok' then denominator end as denominator,
       status, flag, origin,
       case when status = 'ok' then computed_value end as computed_value,
       dataset
from observation;

-- Codes a dataset could not place on the boundary vintage, mapped or not: the report lists them.
create table import_report (
    dataset text primary key,
    kind text not null,
    file text not null,
    file_fingerprint text not null,
    finished_at timestamptz not null,
    rows_read integer not null,
    rows_written integer not null,
    rows_rejected integer not null,
    codes_mapped integer not null default 0,
    unmatched_codes jsonb not null default '[]',
    notes text
);

-- Bumped by every import that changes geometry or values: tiles and value payloads are cached per version.
create table data_version (
    id boolean primary key default true check (id),
    version bigint not null,
    updated_at timestamptz not null,
    -- Hash of every input of the last complete import (manifests, catalogue, data files): `import --if-changed`
    -- skips the import when it is unchanged.
    inputs_fingerprint text
);
insert into data_version (id, version, updated_at) values (true, 1, now());
