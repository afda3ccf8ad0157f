-- Which territories a published boundary version actually redrew (a new outline, an outline taken away, a territory
-- added), as opposed to those it kept aside unchanged: its publication and its roll back rebuild the map geometry and
-- tiles of those only (Datasets/BoundaryLayers.cs), a few hundred communes for a département's layer instead of the
-- whole level. Rows of versions published before are taken as redrawn (a roll back of them rebuilds what it must).
alter table boundary_displaced add column redrawn boolean not null default true;
