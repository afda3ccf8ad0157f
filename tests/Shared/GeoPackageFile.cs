namespace TerritoryAtlas.Testing;

public static class GeoPackageFile
{
    /// <summary>A GeoPackage as QGIS writes one: the GeoPackage tables, one polygon layer, in Lambert-93.</summary>
    public static async Task<byte[]> PolygonAsync(NetTopologySuite.Geometries.Geometry polygon, int srid, string organisation = "EPSG")
    {
        var path = Path.Combine(Path.GetTempPath(), $"perimeter-{Guid.NewGuid():N}.gpkg");
        await using (var sqlite = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await sqlite.OpenAsync();
            await using var command = sqlite.CreateCommand();
#pragma warning disable CA2100 // The test's own constants.
            command.CommandText = $"""
                pragma application_id = 1196444487;
                create table gpkg_spatial_ref_sys (srs_name text not null, srs_id integer primary key, organization text not null,
                    organization_coordsys_id integer not null, definition text not null, description text);
                insert into gpkg_spatial_ref_sys values ('RGF93 / Lambert-93', {srid}, '{organisation}', {srid}, 'undefined', null);
                create table gpkg_contents (table_name text primary key, data_type text not null, identifier text, description text default '',
                    last_change datetime, min_x double, min_y double, max_x double, max_y double, srs_id integer);
                insert into gpkg_contents (table_name, data_type, identifier, srs_id) values ('perimetre', 'features', 'perimetre', {srid});
                create table gpkg_geometry_columns (table_name text not null, column_name text not null, geometry_type_name text not null,
                    srs_id integer not null, z tinyint not null, m tinyint not null);
                insert into gpkg_geometry_columns values ('perimetre', 'geom', 'POLYGON', {srid}, 0, 0);
                create table perimetre (fid integer primary key autoincrement, geom blob, nom text);
                """;
#pragma warning restore CA2100
            await command.ExecuteNonQueryAsync();
            command.CommandText = "insert into perimetre (geom, nom) values ($geom, 'contrat de ville')";
            polygon.SRID = srid;
            command.Parameters.AddWithValue("$geom", new NetTopologySuite.IO.GeoPackageGeoWriter().Write(polygon));
            await command.ExecuteNonQueryAsync();
        }

        var bytes = await File.ReadAllBytesAsync(path);
        File.Delete(path);
        return bytes;
    }
}
