using System.Text.Json;
using System.Text.RegularExpressions;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.Converters;

namespace TerritoryAtlas.Web.Annotations;

/// <summary>The bounds a drawing must respect. They are documented in the README's workshop section.</summary>
public static partial class AnnotationRules
{
    public const int MaxVertices = 2_000;
    public const int MaxNoteLength = 2_000;
    public const int MaxDisplayNameLength = 60;
    public const int MaxTitleLength = 200;

    /// <summary>The JSON of the hub and of the event log: camelCase, NetTopologySuite geometries as GeoJSON.</summary>
    public static JsonSerializerOptions Json { get; } = CreateJson();

    private static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        options.Converters.Add(new GeoJsonConverterFactory());
        return options;
    }

    public sealed record Checked(string Kind, Geometry Geometry, string Note, string? Colour);

    /// <summary>Checks everything that does not need the database; the France check comes after (FranceArea).</summary>
    public static Checked Check(AnnotationInput? input)
    {
        if (input is null) throw new WorkshopException("No annotation was sent.");
        var kind = input.Kind?.Trim().ToLowerInvariant();
        var expected = kind switch
        {
            "point" or "label" => "Point",
            "line" => "LineString",
            "polygon" => "Polygon",
            _ => throw new WorkshopException($"Unknown annotation kind '{input.Kind}': use point, line, polygon or label."),
        };

        var geometry = ParseGeometry(input.Geometry);
        if (geometry.GeometryType != expected)
        {
            throw new WorkshopException($"A {kind} needs a GeoJSON {expected}, not a {geometry.GeometryType}.");
        }

        if (geometry.NumPoints > MaxVertices)
        {
            throw new WorkshopException($"Too many vertices: {geometry.NumPoints}, at most {MaxVertices}.");
        }

        foreach (var c in geometry.Coordinates)
        {
            if (!double.IsFinite(c.X) || !double.IsFinite(c.Y) || c.X is < -180 or > 180 || c.Y is < -90 or > 90)
            {
                throw new WorkshopException("Coordinates must be longitude, latitude in degrees (WGS84).");
            }
        }

        switch (geometry)
        {
            case LineString line when line.Length == 0:
                throw new WorkshopException("A line needs at least two distinct points.");
            case Polygon polygon when !polygon.IsValid:
                throw new WorkshopException("The polygon's edges cross each other (or it has fewer than three distinct points): draw it again.");
        }

        var note = input.Note ?? "";
        if (note.Length > MaxNoteLength)
        {
            throw new WorkshopException($"The note is {note.Length} characters long, at most {MaxNoteLength}.");
        }

        if (kind == "label" && string.IsNullOrWhiteSpace(note))
        {
            throw new WorkshopException("A label needs its text in the note.");
        }

        string? colour = null;
        if (!string.IsNullOrEmpty(input.Colour))
        {
            colour = ColourPattern().IsMatch(input.Colour)
                ? input.Colour.ToLowerInvariant()
                : throw new WorkshopException("The colour must be written #rrggbb.");
        }

        geometry.SRID = 4326;
        return new Checked(kind, geometry, note, colour);
    }

    private static Geometry ParseGeometry(JsonElement json)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw new WorkshopException("The geometry must be a GeoJSON geometry object (Point, LineString or Polygon).");
        }

        Geometry? geometry;
        try
        {
            geometry = json.Deserialize<Geometry>(Json);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or NotSupportedException or FormatException or IndexOutOfRangeException)
        {
            throw new WorkshopException($"The geometry is not valid GeoJSON: {e.Message}");
        }

        if (geometry is null || geometry.IsEmpty)
        {
            throw new WorkshopException("The geometry is empty.");
        }

        if (geometry is not (Point or LineString or Polygon))
        {
            throw new WorkshopException($"Geometry type {geometry.GeometryType} is not allowed: use Point, LineString or Polygon.");
        }

        return geometry;
    }

    public static string CheckDisplayName(string? name)
    {
        var trimmed = name?.Trim() ?? "";
        return trimmed.Length is 0 or > MaxDisplayNameLength
            ? throw new WorkshopException($"Give a display name of 1 to {MaxDisplayNameLength} characters.")
            : trimmed;
    }

    public static RoomView CheckView(RoomView? view)
    {
        if (view is null) throw new WorkshopException("No view was sent.");
        if (!double.IsFinite(view.Lon) || !double.IsFinite(view.Lat) || view.Lon is < -180 or > 180 || view.Lat is < -85 or > 85)
        {
            throw new WorkshopException("The view's centre must be longitude, latitude in degrees.");
        }

        if (!double.IsFinite(view.Zoom) || view.Zoom is < 0 or > 22) throw new WorkshopException("The view's zoom must be between 0 and 22.");
        if (view.Level is { Length: > 30 } || view.Indicator is { Length: > 100 }) throw new WorkshopException("The view's level or indicator is too long.");
        if (view.Year is < 1900 or > 2100) throw new WorkshopException("The view's year must be between 1900 and 2100.");
        return view;
    }

    [GeneratedRegex("^#[0-9a-fA-F]{6}$")]
    private static partial Regex ColourPattern();
}
