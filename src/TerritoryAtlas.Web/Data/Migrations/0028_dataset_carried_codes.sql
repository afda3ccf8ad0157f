-- A partner's figures placed on a commune of the boundary layer through the code links of an uploaded commune
-- correspondence (commune_code_link), not the data directory's correspondence: the codes each dataset version's
-- figures were given under, recorded when it is validated (Datasets/DatasetDrafts.cs). While such a version is
-- published, the correspondence is neither rolled back nor replaced by one without those links, and a version whose
-- links are no longer in force is not published (Datasets/DatasetPublication.cs, carried_out_of_force.sql): its
-- figures would rest, without saying so, on a correspondence no longer in force.
create table dataset_carried_code (
    version_id bigint not null references dataset_version (id) on delete cascade,
    code text not null,
    boundary_code text not null,
    primary key (version_id, code)
);
