-- Levels in one home: everything the services and the browser need to know about a level lives in its row, so a
-- zoning made from a correspondence table becomes a level by inserting one row. The built-in levels' values come
-- from Territories/levels.json, written here by every `migrate` (see LevelCatalogue.SyncBuiltInAsync).
alter table level
    -- Singular title ("Département"), map menu labels ("Départements"), French nouns for ranks ("12e sur 101 départements").
    add column name_fr text,
    add column menu_fr text,
    add column menu_en text,
    add column one_fr text,
    add column many_fr text,
    -- The level a territory is compared with on the map and named beside it in tooltips.
    add column map_parent text references level (code),
    -- The parent levels written beside each territory in exports, widest first.
    add column export_parents text[] not null default '{}',
    -- Whether series and portraits compare a territory with its parent of this level.
    add column series_parent boolean not null default false,
    -- Whether the map offers it to limit the view ("Dans").
    add column within boolean not null default false,
    -- Whether the map offers it as a level (france and zone are one-territory levels).
    add column mapped boolean not null default true,
    -- Tiles built in advance at import up to this zoom; deeper ones on first request.
    add column prebuilt_max_zoom smallint not null default 5,
    -- The geography vintage of a zoning ("2022" for bassins de vie 2022); null for the built-in levels.
    add column vintage text,
    -- Made from a correspondence table commune → zone (see Zonings/).
    add column zoning boolean not null default false;

