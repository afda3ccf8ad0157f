-- Study areas: groups of communes people define (a contrat de ville, a CCAS's area). The communes are kept as INSEE
-- codes, not territory ids, and every figure is computed from them when read, so an area survives a yearly update.
create table study_area (
    id bigint generated always as identity primary key,
    owner_id uuid not null references account (id) on delete cascade,
    -- The owner's organisation when the area was shared with it.
    organisation_id integer references organisation (id) on delete set null,
    -- private: its owner (and admins); organisation: the members of organisation_id; public: everyone.
    visibility text not null check (visibility in ('private', 'organisation', 'public')),
    name text not null check (btrim(name) <> ''),
    communes text[] not null check (cardinality(communes) > 0),
    -- How the communes were chosen: pasted codes, or the points on surface inside a GeoJSON perimeter.
    method text not null check (method in ('codes', 'perimeter')),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check (visibility <> 'organisation' or organisation_id is not null)
);
create index study_area_owner_idx on study_area (owner_id);
create index study_area_organisation_idx on study_area (organisation_id) where visibility = 'organisation';
