using Microsoft.Data.Sqlite;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;

namespace TerritoryAtlas.Testing;

/// <summary>
/// GeoPackage files as QGIS and IGN write them, made by the tests that upload or import one: the GeoPackage tables
/// (spatial reference system, contents, geometry columns), then one feature table per layer.
/// </summary>
public static class GeoPackageFile
{
    /// <summary>
    /// One feature table: its geometry type (MULTIPOLYGON, POLYGON…), its text columns, and its rows (a geometry, then
    /// a value per column).
    /// </summary>
    public sealed record Layer(string Table, string GeometryType, IReadOnlyList<string> Columns, IEnumerable<(Geometry Geometry, string?[] Values)> Rows);

    /// <summary>The layers in one coordinate system, <paramref name="organisation"/>'s code <paramref name="srid"/>.</summary>
    public static async Task<byte[]> WriteAsync(int srid, IReadOnlyList<Layer> layers, string srsName = "layer crs", string organisation = "EPSG")
    {
        var path = Path.Combine(Path.GetTempPath(), $"layers-{Guid.NewGuid():N}.gpkg");
        await using (var sqlite = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await sqlite.OpenAsync();
            await using (var command = sqlite.CreateCommand())
            {
#pragma warning disable CA2100 // The test's own constants.
                command.CommandText = $"""
                    pragma application_id = 1196444487;
                    create table gpkg_spatial_ref_sys (srs_name text not null, srs_id integer primary key, organization text not null,
                        organization_coordsys_id integer not null, definition text not null, description text);
                    insert into gpkg_spatial_ref_sys values ('{srsName}', {srid}, '{organisation}', {srid}, 'undefined', null);
                    create table gpkg_contents (table_name text primary key, data_type text not null, identifier text, description text default '',
                        last_change datetime, min_x double, min_y double, max_x double, max_y double, srs_id integer);
                    create table gpkg_geometry_columns (table_name text not null, column_name text not null, geometry_type_name text not null,
                        srs_id integer not null, z tinyint not null, m tinyint not null);
                    """ + string.Concat(layers.Select(l => $"""
                    insert into gpkg_contents (table_name, data_type, identifier, srs_id) values ('{l.Table}', 'features', '{l.Table}', {srid});
                    insert into gpkg_geometry_columns values ('{l.Table}', 'geom', '{l.GeometryType}', {srid}, 0, 0);
                    create table {l.Table} (fid integer primary key autoincrement, geom blob{string.Concat(l.Columns.Select(c => $", {c} text"))});

                    """));
                await command.ExecuteNonQueryAsync();
            }

            var writer = new GeoPackageGeoWriter();
            foreach (var layer in layers)
            {
                foreach (var (geometry, values) in layer.Rows)
                {
                    await using var insert = sqlite.CreateCommand();
                    insert.CommandText = $"insert into {layer.Table} (geom{string.Concat(layer.Columns.Select(c => $", {c}"))}) "
                        + $"values ($geom{string.Concat(layer.Columns.Select((_, i) => $", $v{i}"))})";
#pragma warning restore CA2100
                    var copy = geometry.Copy();
                    copy.SRID = srid;
                    insert.Parameters.AddWithValue("$geom", writer.Write(copy));
                    for (var i = 0; i < layer.Columns.Count; i++)
                    {
                        insert.Parameters.AddWithValue($"$v{i}", (object?)values[i] ?? DBNull.Value);
                    }

                    await insert.ExecuteNonQueryAsync();
                }
            }
        }

        var bytes = await File.ReadAllBytesAsync(path);
        File.Delete(path);
        return bytes;
    }

    /// <summary>A GeoPackage as QGIS writes one: one polygon layer, in the coordinate system <paramref name="srid"/>.</summary>
    public static Task<byte[]> PolygonAsync(Geometry polygon, int srid, string organisation = "EPSG") =>
        WriteAsync(srid, [new Layer("perimetre", "POLYGON", ["nom"], [(polygon, ["contrat de ville"])])], "RGF93 / Lambert-93", organisation);
}
