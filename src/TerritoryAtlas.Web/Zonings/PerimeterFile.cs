using Microsoft.Data.Sqlite;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;

namespace TerritoryAtlas.Web.Zonings;

/// <summary>
/// A perimeter uploaded as a GeoPackage (what QGIS saves by default, and IGN's ADMIN EXPRESS): the polygons of its first
/// feature table, merged, in the file's own coordinate system (its EPSG code becomes the SRID; PostGIS reprojects).
/// </summary>
public static class PerimeterFile
{
    public const long MaxBytes = 50L << 20;

    /// <exception cref="StudyAreaRefused">Not a GeoPackage, no polygon, or a coordinate system without an EPSG code.</exception>
    public static async Task<Geometry> ReadGeoPackageAsync(Stream upload, string fileName, CancellationToken ct)
    {
        // SQLite reads files, not streams: the upload goes to a temporary file first, deleted whatever happens.
        var path = Path.Combine(Path.GetTempPath(), $"atlas-perimeter-{Guid.NewGuid():N}.gpkg");
        try
        {
            await using (var file = File.Create(path))
            {
                await upload.CopyToAsync(file, ct);
            }

            await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            await connection.OpenAsync(ct);
            var (table, column, srid) = await FirstLayerAsync(connection, fileName, ct);
            var reader = new GeoPackageGeoReader();
            var polygons = new List<Geometry>();
            await using (var command = connection.CreateCommand())
            {
                // Names come from the file's own catalogue, quoted as SQLite identifiers; the connection is read-only
                // on a temporary copy, so nothing the file says can change anything but that copy's reading.
#pragma warning disable CA2100
                command.CommandText = $"select \"{column.Replace("\"", "\"\"", StringComparison.Ordinal)}\" from \"{table.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
#pragma warning restore CA2100
                await using var rows = await command.ExecuteReaderAsync(ct);
                while (await rows.ReadAsync(ct))
                {
                    if (!rows.IsDBNull(0) && reader.Read((byte[])rows.GetValue(0)) is { IsEmpty: false } g && g is Polygon or MultiPolygon)
                    {
                        polygons.Add(g);
                    }
                }
            }

            if (polygons.Count == 0)
            {
                throw new StudyAreaRefused(422, $"{fileName}: layer '{table}' holds no polygon", $"{fileName} : la couche « {table} » ne contient aucun polygone");
            }

            var merged = NetTopologySuite.Geometries.Utilities.GeometryFixer.Fix(polygons[0].Factory.BuildGeometry(polygons).Union());
            merged.SRID = srid;
            return merged;
        }
        catch (SqliteException e)
        {
            throw new StudyAreaRefused(422, $"{fileName}: not a readable GeoPackage ({e.Message})", $"{fileName} : GeoPackage illisible ({e.Message})");
        }
        catch (Exception e) when (e is ArgumentException or InvalidCastException or InvalidOperationException or IndexOutOfRangeException or EndOfStreamException or ParseException)
        {
            throw new StudyAreaRefused(422, $"{fileName}: a geometry cannot be read ({e.Message})", $"{fileName} : une géométrie est illisible ({e.Message})");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            File.Delete(path);
        }
    }

    private static async Task<(string Table, string Column, int Srid)> FirstLayerAsync(SqliteConnection connection, string fileName, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = """
            select g.table_name, g.column_name, s.organization, s.organization_coordsys_id
            from gpkg_geometry_columns g join gpkg_spatial_ref_sys s on s.srs_id = g.srs_id
            order by g.table_name limit 1
            """;
        await using var rows = await command.ExecuteReaderAsync(ct);
        if (!await rows.ReadAsync(ct))
        {
            throw new StudyAreaRefused(422, $"{fileName}: the GeoPackage has no feature layer", $"{fileName} : le GeoPackage n'a aucune couche d'objets");
        }

        var organisation = rows.IsDBNull(2) ? "" : rows.GetString(2);
        var srid = rows.IsDBNull(3) ? 0 : rows.GetInt32(3);
        return organisation.Equals("EPSG", StringComparison.OrdinalIgnoreCase) && srid > 0
            ? (rows.GetString(0), rows.GetString(1), srid)
            : throw new StudyAreaRefused(422, $"{fileName}: its coordinate system has no EPSG code; save it in EPSG:2154 or EPSG:4326",
                $"{fileName} : son système de coordonnées n'a pas de code EPSG ; enregistrez-le en EPSG:2154 ou EPSG:4326");
    }
}
