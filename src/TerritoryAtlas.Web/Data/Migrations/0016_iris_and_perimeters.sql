-- IRIS (infra-communal statistical areas) as a level, and the perimeter changes of communes between COG vintages.

-- IRIS figures (CAF allocataires by IRIS) are kept under their IRIS codes, parented to their commune. No boundary
-- layer holds IRIS yet: the level is ready for one (its territories have no geometry until a platform adds them).
-- Not mapped (no geometry yet): no map, tile or search offers it.
insert into level (code, rank, label_fr, label_en, name_fr, menu_fr, menu_en, one_fr, many_fr, mapped)
values ('iris', 8, 'IRIS', 'IRIS (sub-municipal area)', 'IRIS', 'IRIS', 'IRIS', 'IRIS', 'IRIS', false)
on conflict (code) do nothing;

-- Perimeter changes of communes between the boundary vintage (COG 2018) and later COG vintages, from INSEE's
-- correspondence tables: `code` is the commune (boundary code) whose perimeter changed; `parts` the boundary codes
-- that make up its new perimeter (itself included for a merger that kept its code). A figure of a year at or after
-- `from_year` describes the new perimeter; earlier figures describe the old one. `kind` 'merged' can be harmonised
-- (counts summed over the parts); 'split' and 'unknown' cannot, so series break there with `reason_fr`.
create table perimeter_change (
    level text not null references level (code),
    code text not null,
    from_year smallint not null,
    kind text not null check (kind in ('merged', 'split', 'unknown')),
    parts text[] not null,
    reason_fr text not null,
    reason_en text not null,
    source text not null,
    primary key (level, code, from_year)
);

-- Each figure of a commune whose perimeter changed, read on its current perimeter (built at import):
-- `on_perimeter` 'current' when the figure already describes the new perimeter, 'former' when it describes the
-- boundary layer's (older) perimeter; `value`/`numerator`/`denominator` are the figure carried to the current
-- perimeter (counts summed over the parts, rates recomputed from summed numerators and denominators) or null with
-- status 'break' and the reason, when it cannot be (a part without a figure, a non-additive figure, a split).
-- Evolutions, TCAM and ranks read this, never a raw figure across the change.
create table perimeter_observation (
    indicator_code text not null references indicator (code) on delete cascade,
    territory_id integer not null references territory (id) on delete cascade,
    year smallint not null,
    on_perimeter text not null check (on_perimeter in ('current', 'former')),
    value double precision,
    numerator double precision,
    denominator double precision,
    status text not null check (status in ('ok', 'suppressed', 'break')),
    reason_fr text,
    reason_en text,
    primary key (indicator_code, territory_id, year)
);
