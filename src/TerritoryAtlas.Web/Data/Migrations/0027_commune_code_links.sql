-- Later commune codes that name one commune of the boundary layer (a change of code or département, its perimeter
-- unchanged), from each uploaded commune correspondence (Datasets/GeographyChanges.cs, CommuneRecode): while the
-- version is published, a partner's figure under such a code is carried to the layer's commune, as the data
-- directory's correspondence carries the import's (Import/ObservationPipeline.cs, PipelineContext).
create table commune_code_link (
    dataset_version_id bigint not null references dataset_version (id) on delete cascade,
    code text not null,
    boundary_code text not null,
    primary key (dataset_version_id, code)
);
