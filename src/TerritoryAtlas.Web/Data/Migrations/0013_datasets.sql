-- Partners' datasets: every contribution is a version of a dataset; a version is a draft until published, and every
-- publication can be rolled back to the previous one. Observations keep the version they came from (provenance).

-- A dataset: one producer's series of files of one shape (its indicators). Its name is what observation.dataset holds.
create table dataset (
    id bigint generated always as identity primary key,
    name text not null unique,
    organisation_id integer references organisation (id) on delete restrict,
    created_at timestamptz not null default now()
);

create table dataset_version (
    id bigint generated always as identity primary key,
    -- Set once validation knows which indicators the file feeds (null only inside the contributing transaction).
    dataset_id bigint references dataset (id) on delete cascade,
    file_name text not null,
    format text not null,
    -- The column mapping used (null for the tidy long format) and the indicator metadata given with the file.
    mapping jsonb,
    metadata jsonb,
    report jsonb not null,
    status text not null check (status in ('draft', 'published', 'superseded', 'rejected')),
    uploaded_by text not null,
    uploaded_at timestamptz not null default now(),
    published_by text,
    published_at timestamptz,
    -- Who rolled this version back (it is then 'rejected') and when.
    rolled_back_by text,
    rolled_back_at timestamptz
);
create index dataset_version_dataset_idx on dataset_version (dataset_id);
-- At most one current version per dataset.
create unique index dataset_version_one_published_idx on dataset_version (dataset_id) where status = 'published';

-- The validated figures of every version (drafts and history), so a publication or a roll back is one set-based move.
create table dataset_row (
    version_id bigint not null references dataset_version (id) on delete cascade,
    indicator_code text not null,
    territory_id integer not null,
    year smallint not null,
    value double precision,
    numerator double precision,
    denominator double precision,
    status text not null,
    flag text
);
create index dataset_row_version_idx on dataset_row (version_id);

-- Figures of other datasets a published version replaced (a revision of an imported figure), put back when that
-- version is rolled back or superseded.
create table dataset_displaced (
    version_id bigint not null references dataset_version (id) on delete cascade,
    indicator_code text not null,
    territory_id integer not null,
    year smallint not null,
    value double precision,
    numerator double precision,
    denominator double precision,
    status text not null,
    flag text,
    dataset text not null,
    dataset_version_id bigint
);
create index dataset_displaced_version_idx on dataset_displaced (version_id);

-- Mappings remembered per producer and file shape (header signature), so next year's file needs no mapping.
create table dataset_mapping (
    organisation_id integer not null references organisation (id) on delete cascade,
    header_signature text not null,
    mapping jsonb not null,
    metadata jsonb,
    updated_at timestamptz not null default now(),
    primary key (organisation_id, header_signature)
);

-- Provenance of every source figure: null for the data directory's import, else the published version.
alter table observation add column dataset_version_id bigint references dataset_version (id) on delete set null;

-- Whether an organisation's producers may publish their own drafts (otherwise an admin publishes).
alter table organisation add column producers_may_publish boolean not null default false;

-- Indicators defined by a contribution survive a re-import of the catalogue.
alter table indicator add column contributed boolean not null default false;
