using System.Text.Json;
using System.Text.RegularExpressions;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.Converters;

namespace TerritoryAtlas.Web.Workshops;

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
        if (input is null) throw new WorkshopException("No annotation was sent.", "Aucune annotation n'a été envoyée.");
        var kind = input.Kind?.Trim().ToLowerInvariant();
        var expected = kind switch
        {
            "point" or "label" => "Point",
            "line" => "LineString",
            "polygon" => "Polygon",
            _ => throw new WorkshopException($"Unknown annotation kind '{input.Kind}': use point, line, polygon or label.", $"Type d'annotation inconnu « {input.Kind} » : point, line, polygon ou label."),
        };

        var geometry = ParseGeometry(input.Geometry);
        if (geometry.GeometryType != expected)
        {
            throw new WorkshopException($"A {kind} needs a GeoJSON {expected}, not a {geometry.GeometryType}.", $"Un {kind} demande une géométrie GeoJSON {expected}, pas {geometry.GeometryType}.");
        }

        if (geometry.NumPoints > MaxVertices)
        {
            throw new WorkshopException($"Too many vertices: {geometry.NumPoints}, at most {MaxVertices}.", $"Trop de sommets : {geometry.NumPoints}, au plus {MaxVertices}.");
        }

        foreach (var c in geometry.Coordinates)
        {
            if (!double.IsFinite(c.X) || !double.IsFinite(c.Y) || c.X is < -180 or > 180 || c.Y is < -90 or > 90)
            {
                throw new WorkshopException("Coordinates must be longitude, latitude in degrees (WGS84).", "Les coordonnées sont longitude, latitude en degrés (WGS84).");
            }
        }

        switch (geometry)
        {
            case LineString line when line.Length == 0:
                throw new WorkshopException("A line needs at least two distinct points.", "Une ligne demande au moins deux points distincts.");
            case Polygon polygon when !polygon.IsValid:
                throw new WorkshopException("The polygon's edges cross each other (or it has fewer than three distinct points): draw it again.", "Les côtés de la zone se croisent (ou elle a moins de trois points distincts) : dessinez-la à nouveau.");
        }

        var note = input.Note ?? "";
        if (note.Length > MaxNoteLength)
        {
            throw new WorkshopException($"The note is {note.Length} characters long, at most {MaxNoteLength}.", $"La note fait {note.Length} caractères, au plus {MaxNoteLength}.");
        }

        if (kind == "label" && string.IsNullOrWhiteSpace(note))
        {
            throw new WorkshopException("A label needs its text in the note.", "Une étiquette demande son texte dans la note.");
        }

        string? colour = null;
        if (!string.IsNullOrEmpty(input.Colour))
        {
            colour = ColourPattern().IsMatch(input.Colour)
                ? input.Colour.ToLowerInvariant()
                : throw new WorkshopException("The colour must be written #rrggbb.", "La couleur s'écrit #rrggbb.");
        }

        geometry.SRID = 4326;
        return new Checked(kind, geometry, note, colour);
    }

    private static Geometry ParseGeometry(JsonElement json)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            throw new WorkshopException("The geometry must be a GeoJSON geometry object (Point, LineString or Polygon).", "La géométrie doit être un objet géométrie GeoJSON (Point, LineString ou Polygon).");
        }

        Geometry? geometry;
        try
        {
            geometry = json.Deserialize<Geometry>(Json);
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or NotSupportedException or FormatException or IndexOutOfRangeException)
        {
            throw new WorkshopException($"The geometry is not valid GeoJSON: {e.Message}", $"La géométrie n'est pas du GeoJSON valide : {e.Message}");
        }

        if (geometry is null || geometry.IsEmpty)
        {
            throw new WorkshopException("The geometry is empty.", "La géométrie est vide.");
        }

        if (geometry is not (Point or LineString or Polygon))
        {
            throw new WorkshopException($"Geometry type {geometry.GeometryType} is not allowed: use Point, LineString or Polygon.", $"Le type de géométrie {geometry.GeometryType} n'est pas admis : Point, LineString ou Polygon.");
        }

        return geometry;
    }

    public static string CheckDisplayName(string? name)
    {
        var trimmed = name?.Trim() ?? "";
        return trimmed.Length is 0 or > MaxDisplayNameLength
            ? throw new WorkshopException($"Give a display name of 1 to {MaxDisplayNameLength} characters.", $"Donnez un nom affiché de 1 à {MaxDisplayNameLength} caractères.")
            : trimmed;
    }

    public static WorkshopView CheckView(WorkshopView? view)
    {
        if (view is null) throw new WorkshopException("No view was sent.", "Aucune vue n'a été envoyée.");
        if (!double.IsFinite(view.Lon) || !double.IsFinite(view.Lat) || view.Lon is < -180 or > 180 || view.Lat is < -85 or > 85)
        {
            throw new WorkshopException("The view's centre must be longitude, latitude in degrees.", "Le centre de la vue est longitude, latitude en degrés.");
        }

        if (!double.IsFinite(view.Zoom) || view.Zoom is < 0 or > 22) throw new WorkshopException("The view's zoom must be between 0 and 22.", "Le zoom de la vue est entre 0 et 22.");
        if (view.Level is { Length: > 30 } || view.Indicator is { Length: > 100 }) throw new WorkshopException("The view's level or indicator is too long.", "Le niveau ou l'indicateur de la vue est trop long.");
        if (view.Year is < 1900 or > 2100) throw new WorkshopException("The view's year must be between 1900 and 2100.", "L'année de la vue est entre 1900 et 2100.");
        return view;
    }

    [GeneratedRegex("^#[0-9a-fA-F]{6}$")]
    private static partial Regex ColourPattern();
}
