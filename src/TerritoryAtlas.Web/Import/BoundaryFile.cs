using System.Text.Json;
using Microsoft.Data.Sqlite;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using NetTopologySuite.IO.Converters;
using NetTopologySuite.IO.Esri;
using TerritoryAtlas.Web.Territories;

namespace TerritoryAtlas.Web.Import;

public sealed record BoundaryFeature(string Code, string Name, string? ParentCode, Geometry Geometry);

/// <summary>
/// Reads a boundary layer feature by feature — GeoJSON, or IGN's ADMIN EXPRESS as shapefile or GeoPackage — so that a
/// broken feature is named (index and code) instead of failing the whole file with a parser offset. Lambert-93
/// sources are reprojected to WGS84 with ProjNET.
/// </summary>
public static class BoundaryFile
{
    private static readonly JsonSerializerOptions GeoJson = new() { Converters = { new GeoJsonConverterFactory() } };

    /// <summary>The layer's features, whatever its format (manifest `format`: geojson, the default; shapefile; geopackage).</summary>
    /// <param name="problems">
    /// null (the import): the first feature without a code, duplicated or without a polygon fails the file. Given (an
    /// upload): each such feature is listed there (line = its number in the file, from 1) and left out, so the report
    /// names them all; a wrong coordinate system still fails the whole file.
    /// </param>
    /// <param name="crs">told the coordinate system the file declares (EPSG code) and where it said so.</param>
    public static List<BoundaryFeature> Read(string path, string displayName, BoundaryLayer layer, List<RowProblem>? problems = null,
        Action<int, string>? crs = null) => (layer.Format ?? "geojson") switch
        {
            "geojson" => ReadGeoJson(path, displayName, layer, problems, crs),
            "shapefile" => ReadShapefile(path, displayName, layer, problems, crs),
            "geopackage" => ReadGeoPackage(path, displayName, layer, problems, crs),
            var other => throw new ImportException(displayName, "manifest", $"boundary format '{other}' is not one of geojson, shapefile, geopackage"),
        };

    /// <summary>The attribute names of a shapefile's .dbf, or of a GeoPackage's feature table, to recognise a layer by its columns.</summary>
    public static IReadOnlyList<string> Columns(string path, string displayName, BoundaryLayer layer)
    {
        try
        {
            if (layer.Format == "shapefile")
            {
                using var reader = Shapefile.OpenRead(path);
                return Enumerable.Range(0, reader.Fields.Count).Select(i => reader.Fields[i].Name).ToList();
            }

            using var connection = OpenGeoPackage(path);
            using var command = connection.CreateCommand();
            command.CommandText = "select name from pragma_table_info($table)";
            command.Parameters.AddWithValue("$table", layer.Table ?? "");
            using var rows = command.ExecuteReader();
            var names = new List<string>();
            while (rows.Read())
            {
                names.Add(rows.GetString(0));
            }

            return names;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or NotSupportedException or SqliteException)
        {
            throw new ImportException(displayName, "file", $"not a readable {layer.Format} ({e.Message})");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
        }
    }

    /// <summary>A GeoPackage's feature tables (ADMIN EXPRESS holds one per level), in name order.</summary>
    public static IReadOnlyList<string> GeoPackageTables(string path, string displayName)
    {
        try
        {
            using var connection = OpenGeoPackage(path);
            return FeatureTables(connection).Select(t => t.Table).ToList();
        }
        catch (SqliteException e)
        {
            throw new ImportException(displayName, "file", $"not a readable GeoPackage ({e.Message})");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
        }
    }

    private static SqliteConnection OpenGeoPackage(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        return connection;
    }

    private static List<(string Table, string Column, string Organisation, int Srid)> FeatureTables(SqliteConnection connection)
    {
        var layers = new List<(string Table, string Column, string Organisation, int Srid)>();
        using var command = connection.CreateCommand();
        command.CommandText = """
            select g.table_name, g.column_name, s.organization, s.organization_coordsys_id
            from gpkg_geometry_columns g join gpkg_spatial_ref_sys s on s.srs_id = g.srs_id order by g.table_name
            """;
        using var rows = command.ExecuteReader();
        while (rows.Read())
        {
            layers.Add((rows.GetString(0), rows.GetString(1), rows.IsDBNull(2) ? "" : rows.GetString(2), rows.IsDBNull(3) ? 0 : rows.GetInt32(3)));
        }

        return layers;
    }

    private static List<BoundaryFeature> ReadGeoJson(string path, string displayName, BoundaryLayer layer, List<RowProblem>? problems, Action<int, string>? crs)
    {
        JsonDocument document;
        try
        {
            using var stream = File.OpenRead(path);
            document = JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException e)
        {
            throw new ImportException(displayName, $"line {e.LineNumber + 1}, byte {e.BytePositionInLine}", $"not valid JSON: {e.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var type) || type.GetString() != "FeatureCollection"
                || !root.TryGetProperty("features", out var features) || features.ValueKind != JsonValueKind.Array)
            {
                throw new ImportException(displayName, "document", "not a GeoJSON FeatureCollection with a features array");
            }

            var srid = DeclaredSrid(root);
            crs?.Invoke(srid ?? layer.Srid, srid is null ? "default" : "crs member");
            var layerFeatures = new LayerFeatures(displayName, layer, srid ?? layer.Srid, features.GetArrayLength(), problems: problems);
            var index = 0;
            foreach (var element in features.EnumerateArray())
            {
                IFeature feature;
                try
                {
                    feature = element.Deserialize<IFeature>(GeoJson) ?? throw new JsonException("null feature");
                }
                catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException or FormatException or InvalidCastException)
                {
                    throw new ImportException(displayName, $"feature #{index}", $"not a valid GeoJSON feature: {e.Message}");
                }

                layerFeatures.Add(index++, name => Property(feature, name), feature.Geometry);
            }

            return layerFeatures.Result;
        }
    }

    /// <summary>
    /// An Esri shapefile as IGN ships ADMIN EXPRESS (COMMUNE.shp with its .dbf, .prj and .cpg beside it): the attributes
    /// the manifest names (INSEE_COM, NOM…), the coordinate system from the .prj (Lambert-93 or WGS84), else the
    /// manifest's srid.
    /// </summary>
    private static List<BoundaryFeature> ReadShapefile(string path, string displayName, BoundaryLayer layer, List<RowProblem>? problems, Action<int, string>? crs)
    {
        try
        {
            using var reader = Shapefile.OpenRead(path);
            var srid = SridOfProjection(reader.Projection, displayName);
            crs?.Invoke(srid ?? layer.Srid, srid is null ? "default" : ".prj");
            var layerFeatures = new LayerFeatures(displayName, layer, srid ?? layer.Srid, reader.RecordCount, flatten: true, problems: problems);
            var names = Enumerable.Range(0, reader.Fields.Count).Select(i => reader.Fields[i].Name).ToHashSet(StringComparer.Ordinal);
            var index = 0;
            while (reader.Read())
            {
                var geometry = reader.Geometry;
                layerFeatures.Add(index++, name => names.Contains(name) ? reader.Fields[name].Value?.ToString() : null, geometry);
            }

            return layerFeatures.Result;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or NotSupportedException or FileNotFoundException)
        {
            throw new ImportException(displayName, "file", $"not a readable shapefile ({e.Message})");
        }
    }

    /// <summary>
    /// A GeoPackage (ADMIN EXPRESS ships one holding every level as a table): the manifest's `table`, else its only
    /// feature table; its EPSG code says the coordinate system.
    /// </summary>
    private static List<BoundaryFeature> ReadGeoPackage(string path, string displayName, BoundaryLayer layer, List<RowProblem>? problems, Action<int, string>? crs)
    {
        try
        {
            using var connection = OpenGeoPackage(path);
            var layers = FeatureTables(connection);

            var (table, column, organisation, srid) = layer.Table is { } wanted
                ? layers.FirstOrDefault(l => string.Equals(l.Table, wanted, StringComparison.OrdinalIgnoreCase)) is { Table: not null } found
                    ? found
                    : throw new ImportException(displayName, "manifest", $"no feature table '{wanted}' in the GeoPackage (tables: {string.Join(", ", layers.Select(l => l.Table))})")
                : layers.Count == 1
                    ? layers[0]
                    : throw new ImportException(displayName, "manifest", $"the GeoPackage holds {layers.Count} feature tables ({string.Join(", ", layers.Select(l => l.Table))}): name one in the manifest's table");
            if (!organisation.Equals("EPSG", StringComparison.OrdinalIgnoreCase) || srid <= 0)
            {
                throw new ImportException(displayName, table, "its coordinate system has no EPSG code");
            }

            crs?.Invoke(srid, "gpkg_spatial_ref_sys");

            var reader = new GeoPackageGeoReader();
            using var select = connection.CreateCommand();
            // Names from the file's own catalogue, quoted as SQLite identifiers, on a read-only connection.
#pragma warning disable CA2100
            select.CommandText = $"select * from \"{table.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
#pragma warning restore CA2100
            using var features = select.ExecuteReader();
            var ordinals = Enumerable.Range(0, features.FieldCount).ToDictionary(features.GetName, i => i, StringComparer.OrdinalIgnoreCase);
            var geometryOrdinal = ordinals[column];
            var layerFeatures = new LayerFeatures(displayName, layer, srid, 0, flatten: true, problems: problems);
            var index = 0;
            while (features.Read())
            {
                var geometry = features.IsDBNull(geometryOrdinal) ? null : reader.Read((byte[])features.GetValue(geometryOrdinal));
                layerFeatures.Add(index++, name => ordinals.TryGetValue(name, out var i) && !features.IsDBNull(i)
                    ? Convert.ToString(features.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)
                    : null, geometry);
            }

            return layerFeatures.Result;
        }
        catch (SqliteException e)
        {
            throw new ImportException(displayName, "file", $"not a readable GeoPackage ({e.Message})");
        }
        catch (Exception e) when (e is ParseException or InvalidCastException or ArgumentException)
        {
            throw new ImportException(displayName, "file", $"a geometry of the GeoPackage cannot be read ({e.Message})");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
        }
    }

    /// <summary>The SRID a shapefile's .prj describes, when it is one the importer reprojects (Lambert-93, WGS84).</summary>
    private static int? SridOfProjection(string? wkt, string displayName)
    {
        if (string.IsNullOrWhiteSpace(wkt))
        {
            return null;
        }

        var compact = new string(wkt.Where(char.IsAsciiLetterOrDigit).ToArray());
        if (compact.Contains("Lambert93", StringComparison.OrdinalIgnoreCase))
        {
            return Lambert93.Srid;
        }

        if (wkt.TrimStart().StartsWith("GEOGCS", StringComparison.OrdinalIgnoreCase) && compact.Contains("WGS84", StringComparison.OrdinalIgnoreCase))
        {
            return 4326;
        }

        throw new ImportException(displayName, "prj",
            "the shapefile's coordinate system is neither Lambert-93 nor WGS84 (overseas ADMIN EXPRESS layers use local UTM systems): reproject it, e.g. ogr2ogr -t_srs EPSG:2154");
    }

    /// <summary>
    /// An arrondissement's code as the atlas writes it, the département's code and the arrondissement's number padded to
    /// five characters (93 and 1: 93001; 971 and 2: 97102), from ADMIN EXPRESS's INSEE_ARR (the number, 1) or the COG's
    /// ARR (931); a code already written so (the data directory's layer) is kept, as is one it cannot read.
    /// </summary>
    public static string ArrondissementCode(string? departement, string code)
    {
        var (d, a) = (departement?.Trim() ?? "", code.Trim());
        var number = a.Length == d.Length + 1 && d.Length > 0 && a.StartsWith(d, StringComparison.Ordinal) ? a[d.Length..]
            : a.Length <= 2 ? a : null;
        return number is { Length: > 0 } && d.Length is 2 or 3 && number.All(char.IsAsciiDigit)
            ? d + number.PadLeft(5 - d.Length, '0')
            : a;
    }

    /// <summary>What every format's features go through: a code, no duplicate, a polygon, WGS84 in range.</summary>
    private sealed class LayerFeatures
    {
        private readonly string _displayName;
        private readonly BoundaryLayer _layer;
        private readonly int _srid;
        private readonly bool _flatten;
        private readonly List<RowProblem>? _problems;
        private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

        public LayerFeatures(string displayName, BoundaryLayer layer, int srid, int capacity, bool flatten = false, List<RowProblem>? problems = null)
        {
            if (srid is not (4326 or Lambert93.Srid))
            {
                throw new ImportException(displayName, "crs", $"EPSG:{srid} is not supported: give WGS84 (4326) or Lambert-93 (2154)");
            }

            (_displayName, _layer, _srid, _flatten, _problems) = (displayName, layer, srid, flatten, problems);
            Result = new List<BoundaryFeature>(capacity);
        }

        public List<BoundaryFeature> Result { get; }

        public void Add(int index, Func<string, string?> property, Geometry? geometry)
        {
            var code = property(_layer.Code);
            if (_layer.Level == "arrondissement" && _layer.ParentDepartement is { } departement && code is not null)
            {
                code = ArrondissementCode(property(departement), code);
            }

            var place = $"feature #{index}";
            if (string.IsNullOrWhiteSpace(code))
            {
                Problem(index, _layer.Code, place, $"property '{_layer.Code}' (the territory code) is missing or empty");
                return;
            }

            place = $"feature #{index} ({_layer.Code} {code})";
            if (!_seen.Add(code.Trim()))
            {
                Problem(index, _layer.Code, place, $"duplicate code {code.Trim()}");
                return;
            }

            if (geometry is not (Polygon or MultiPolygon) || geometry.IsEmpty)
            {
                Problem(index, "geometry", place, $"{code.Trim()}: geometry must be a non-empty Polygon or MultiPolygon, found {(geometry is null ? "none" : geometry.IsEmpty ? "an empty " + geometry.GeometryType : geometry.GeometryType)}");
                return;
            }

            // Territories are plane outlines: a Z or M ordinate (GeoPackage and shapefile writers may add them, even empty) is dropped.
            if (_flatten)
            {
                geometry = new WKBReader().Read(new WKBWriter(ByteOrder.LittleEndian, handleSRID: false, emitZ: false, emitM: false).Write(geometry));
            }

            if (_srid == Lambert93.Srid)
            {
                geometry = Lambert93.ToWgs84(geometry);
            }

            var envelope = geometry.EnvelopeInternal;
            if (envelope.MinX < -180 || envelope.MaxX > 180 || envelope.MinY < -90 || envelope.MaxY > 90
                || double.IsNaN(envelope.MinX))
            {
                throw new ImportException(_displayName, place,
                    $"coordinates out of longitude/latitude range ({envelope}); is the file in another projection without a crs member?");
            }

            geometry.SRID = 4326;
            var name = property(_layer.Name) ?? code;
            var parent = _layer.ParentDepartement is null ? null : property(_layer.ParentDepartement);
            Result.Add(new BoundaryFeature(code.Trim(), name.Trim(), parent?.Trim(), geometry));
        }

        private void Problem(int index, string column, string place, string reason)
        {
            if (_problems is null)
            {
                throw new ImportException(_displayName, place, reason);
            }

            _problems.Add(new RowProblem(index + 1, column, reason));
        }
    }

    private static string? Property(IFeature feature, string name) =>
        feature.Attributes is { } attributes && attributes.Exists(name) ? attributes[name]?.ToString() : null;

    /// <summary>The legacy GeoJSON crs member (RFC 7946 dropped it, but ogr2ogr still writes it for Lambert-93).</summary>
    private static int? DeclaredSrid(JsonElement root)
    {
        if (!root.TryGetProperty("crs", out var crs) || !crs.TryGetProperty("properties", out var properties)
            || !properties.TryGetProperty("name", out var nameElement))
        {
            return null;
        }

        var name = nameElement.GetString() ?? "";
        if (name.Contains("CRS84", StringComparison.OrdinalIgnoreCase))
        {
            return 4326;
        }

        var digits = new string(name.Reverse().TakeWhile(char.IsDigit).Reverse().ToArray());
        return int.TryParse(digits, out var srid) ? srid : null;
    }
}
