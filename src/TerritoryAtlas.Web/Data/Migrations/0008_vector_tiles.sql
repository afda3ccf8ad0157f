-- Tiles built at import for the shallow zooms (see TileGrid.PrebuiltMaxZoom): the raw MVT and its two compressed
-- forms, so that even the first request for a tile of 22,000 communes is a primary-key read.
create table vector_tile (
    level text not null,
    z smallint not null,
    x integer not null,
    y integer not null,
    mvt bytea not null,
    gzip bytea not null,
    br bytea not null,
    primary key (level, z, x, y)
);
