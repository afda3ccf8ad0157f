using System.Text.Json;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.Converters;
using TerritoryAtlas.Web.Territories;

namespace TerritoryAtlas.Web.Import;

public sealed record BoundaryFeature(string Code, string Name, string? ParentCode, Geometry Geometry);

/// <summary>
/// Reads a GeoJSON boundary layer feature by feature, so that a broken feature is named (index and code) instead
/// of failing the whole file with a parser offset. Lambert-93 sources are reprojected to WGS84 with ProjNET.
/// </summary>
public static class BoundaryFile
{
    private static readonly JsonSerializerOptions GeoJson = new() { Converters = { new GeoJsonConverterFactory() } };

    public static List<BoundaryFeature> Read(string path, string displayName, BoundaryLayer layer)
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

            var srid = DeclaredSrid(root) ?? layer.Srid;
            if (srid is not (4326 or Lambert93.Srid))
            {
                throw new ImportException(displayName, "crs", $"EPSG:{srid} is not supported: give WGS84 (4326) or Lambert-93 (2154)");
            }

            var result = new List<BoundaryFeature>(features.GetArrayLength());
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var index = 0;
            foreach (var element in features.EnumerateArray())
            {
                var place = $"feature #{index}";
                IFeature feature;
                try
                {
                    feature = element.Deserialize<IFeature>(GeoJson) ?? throw new JsonException("null feature");
                }
                catch (Exception e) when (e is JsonException or InvalidOperationException or ArgumentException or FormatException or InvalidCastException)
                {
                    throw new ImportException(displayName, place, $"not a valid GeoJSON feature: {e.Message}");
                }

                var code = Property(feature, layer.Code);
                if (string.IsNullOrWhiteSpace(code))
                {
                    throw new ImportException(displayName, place, $"property '{layer.Code}' (the territory code) is missing or empty");
                }

                place = $"feature #{index} ({layer.Code} {code})";
                if (!seen.Add(code))
                {
                    throw new ImportException(displayName, place, "duplicate code");
                }

                var geometry = feature.Geometry;
                if (geometry is not (Polygon or MultiPolygon) || geometry.IsEmpty)
                {
                    throw new ImportException(displayName, place,
                        $"geometry must be a non-empty Polygon or MultiPolygon, found {geometry?.GeometryType ?? "none"}");
                }

                if (srid == Lambert93.Srid)
                {
                    geometry = Lambert93.ToWgs84(geometry);
                }

                var envelope = geometry.EnvelopeInternal;
                if (envelope.MinX < -180 || envelope.MaxX > 180 || envelope.MinY < -90 || envelope.MaxY > 90
                    || double.IsNaN(envelope.MinX))
                {
                    throw new ImportException(displayName, place,
                        $"coordinates out of longitude/latitude range ({envelope}); is the file in another projection without a crs member?");
                }

                geometry.SRID = 4326;
                var name = Property(feature, layer.Name) ?? code;
                var parent = layer.ParentDepartement is null ? null : Property(feature, layer.ParentDepartement);
                result.Add(new BoundaryFeature(code.Trim(), name.Trim(), parent?.Trim(), geometry));
                index++;
            }

            return result;
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
