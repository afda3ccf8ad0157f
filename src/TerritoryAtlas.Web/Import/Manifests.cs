using System.Text.Json;
using System.Text.Json.Serialization;

namespace TerritoryAtlas.Web.Import;

// What the repository's geodata/ and indicators/ folders declare. The importer trusts nothing else about the files.

public sealed record GeodataManifest(
    IReadOnlyList<BoundaryLayer> Layers,
    IReadOnlyList<Grouping> Groupings,
    IReadOnlyList<CodeCorrespondence> Correspondences,
    IReadOnlyList<DeclaredPerimeterChange>? PerimeterChanges = null);

/// <summary>
/// A perimeter change the correspondence tables of the data directory do not cover yet (a COG later than theirs):
/// from the COG of 1 January `FromYear` on, `Code` covers `Parts`. Kind 'merged' or 'split'. Source names INSEE's
/// publication. `KnownBy`: the first COG certain to hold the change when `FromYear` is only the earliest possible one.
/// </summary>
public sealed record DeclaredPerimeterChange(
    string Level, string Code, int FromYear, string Kind, IReadOnlyList<string> Parts, string ReasonFr, string ReasonEn, string Source,
    int? KnownBy = null);

/// <summary>
/// A boundary layer: `format` geojson (default), shapefile (the .shp; its .dbf, .prj, .cpg beside it) or geopackage
/// (`table` names the feature table when it holds several, as ADMIN EXPRESS's does); `vintage` its COG year, kept on
/// every territory it brings.
/// </summary>
public sealed record BoundaryLayer(
    string Level, string Path, string Code, string Name, int Srid, string Vintage, string Source, string Licence,
    int? ExpectedFeatures, string? ParentDepartement, string? Format = null, string? Table = null);

/// <summary>A territory made of others (France, France métropolitaine): its outline is the union of theirs.</summary>
public sealed record Grouping(string Level, string Code, string Name, string FromLevel, string Codes);

/// <summary>A COG code correspondence from the boundary vintage to <c>Vintage</c> (the COG year of its other codes).</summary>
public sealed record CodeCorrespondence(string Level, string Path, string BoundaryCode, string OtherCode, string? Link, int? Vintage = null);

public sealed record IndicatorManifest(IReadOnlyList<IndicatorDataset> Datasets);

public sealed record IndicatorDataset(
    string Name, string Format, string Path, IReadOnlyDictionary<string, string> Levels,
    IReadOnlyDictionary<string, string[]>? Produces, int? Year = null, JsonElement? Cog = null);

public sealed record Catalogue(IReadOnlyList<CatalogueTheme> Themes, IReadOnlyList<CatalogueIndicator> Indicators);

public sealed record CatalogueTheme(string Code, string LabelFr, string LabelEn, int Order);

public sealed record CatalogueIndicator(
    string Code, string Theme, string LabelFr, string LabelEn, string? ShortLabelFr, string? ShortLabelEn,
    string UnitFr, string UnitEn, string Kind, int Decimals, string DefinitionFr, string DefinitionEn,
    string Source, string Producer, string Licence, int Polarity, bool Additive,
    string? Numerator, string? Denominator, double? Multiplier, SecrecyRule? Secrecy,
    IReadOnlyList<SeriesBreak>? SeriesBreaks, bool Derived);

public sealed record SecrecyRule(double Threshold, string AppliesTo, string? RuleFr, string? RuleEn);

public sealed record SeriesBreak(int Year, string NoteFr, string NoteEn);

public static class ManifestFiles
{
    public static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    };

    public static T Load<T>(string path)
    {
        try
        {
            using var stream = File.OpenRead(path);
            return JsonSerializer.Deserialize<T>(stream, Options)
                   ?? throw new ImportException(path, "document", "empty manifest");
        }
        catch (JsonException e)
        {
            throw new ImportException(path, $"line {e.LineNumber + 1}", e.Message);
        }
    }
}
