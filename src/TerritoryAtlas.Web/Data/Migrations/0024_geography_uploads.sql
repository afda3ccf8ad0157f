-- INSEE's commune correspondence tables uploaded by an admin like any dataset (Datasets/GeographyChanges.cs): the
-- perimeter changes every source proposes, kept apart, and perimeter_change (which every reader reads) rebuilt from
-- them (Import/perimeter_changes.sql), so that an upload survives a later `import` and a roll back restores the rest.

-- Every source's perimeter changes: the import's (dataset_version_id null: the data directory's correspondence and
-- geodata/manifest.json's declared changes, rewritten by each import) and each uploaded correspondence version's
-- (drafts included; only published versions count). Same columns as perimeter_change.
create table perimeter_change_source (
    level text not null references level (code),
    code text not null,
    from_year smallint not null,
    kind text not null check (kind in ('merged', 'split', 'unknown')),
    parts text[] not null,
    reason_fr text not null,
    reason_en text not null,
    source text not null,
    known_by smallint,
    dataset_version_id bigint references dataset_version (id) on delete cascade
);
create unique index perimeter_change_source_key on perimeter_change_source (coalesce(dataset_version_id, 0), level, code, from_year);
create index perimeter_change_source_version_idx on perimeter_change_source (dataset_version_id);

-- What the last import wrote is the import's source from now on.
insert into perimeter_change_source (level, code, from_year, kind, parts, reason_fr, reason_en, source, known_by)
select level, code, from_year, kind, parts, reason_fr, reason_en, source, known_by from perimeter_change;

-- Provenance of each change in force: the published correspondence version it comes from (null: the import).
alter table perimeter_change add column dataset_version_id bigint references dataset_version (id) on delete set null;
