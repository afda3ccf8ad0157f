-- Boundary layers (IGN ADMIN EXPRESS shapefile or GeoPackage) uploaded by an admin like any dataset
-- (Datasets/BoundaryUpload.cs): one dataset per level ("boundaries:departement"), each upload a draft version whose
-- features wait here until it is published; the territories a publication replaced are kept beside it, so that
-- rolling it back restores them exactly.

-- A draft's features, already reprojected to WGS84, made valid and normalised to MultiPolygon.
create table boundary_row (
    version_id bigint not null references dataset_version (id) on delete cascade,
    -- The feature's number in the file (from 1), as the report names it.
    feature integer not null,
    code text not null,
    name text not null,
    geom geometry(MultiPolygon, 4326) not null,
    -- Whether PostGIS had to make the file's geometry valid.
    repaired boolean not null,
    primary key (version_id, code)
);
-- Which territories missing from a layer it covers (boundary_publish.sql).
create index boundary_row_geom_idx on boundary_row using gist (geom);

-- The level's territories as they were before a version was published: put back when it is rolled back. `existed`
-- false: the version brought the territory (a code new to the level).
create table boundary_displaced (
    version_id bigint not null references dataset_version (id) on delete cascade,
    territory_id integer not null,
    code text not null,
    existed boolean not null,
    name text,
    search_name text,
    vintage text,
    source text,
    geom geometry(MultiPolygon, 4326),
    label_point geometry(Point, 4326),
    boundary_version_id bigint,
    primary key (version_id, territory_id)
);

-- Provenance of a territory's outline: the published boundary version it comes from (null: the data directory's
-- import, whose source text says which file).
alter table territory add column boundary_version_id bigint references dataset_version (id) on delete set null;
