-- An uploaded boundary layer re-links the territories below it: a commune whose arrondissement or EPCI was re-cut, an
-- EPCI or QPV whose département moved, a département whose région did (Datasets/boundary_relink.sql). The links they
-- had before are kept here per version, so that a roll back puts them back exactly.
create table boundary_displaced_parent (
    version_id bigint not null references dataset_version (id) on delete cascade,
    territory_id integer not null,
    parent_level text not null,
    parent_id integer not null,
    method text not null,
    primary key (version_id, territory_id, parent_level, parent_id)
);

-- The parent a feature names itself (ADMIN EXPRESS's INSEE_DEP on an arrondissement): a territory the layer adds is
-- linked to it as a territory of the data directory's layer is (method 'source').
alter table boundary_row add column parent_code text;
