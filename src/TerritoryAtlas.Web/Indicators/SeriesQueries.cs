using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Dapper;
using Npgsql;
using TerritoryAtlas.Web.Accounts;
using TerritoryAtlas.Web.Data;
using TerritoryAtlas.Web.Territories;

namespace TerritoryAtlas.Web.Indicators;

/// <summary>A territory's series for one indicator with those of its parents: what GET /api/series answers.</summary>
/// <remarks>
/// Sources: the full provenance of the series' figures, once each (a file, a version, a method), which every point's
/// short <see cref="SeriesPoint.Provenance"/> refers to: a long series repeats a few sources, and public readers
/// should not download them eighty times.
/// </remarks>
public sealed record SeriesResponse(SeriesIndicator Indicator, IReadOnlyList<SeriesBreakInfo> SeriesBreaks, IReadOnlyList<TerritorySeries> Series,
    IReadOnlyList<FigureProvenance>? Sources = null);

public sealed record SeriesIndicator(string Code, string Label, string Unit, string Kind, int Decimals, string Source, string Producer, string? SecrecyRule,
    string? LabelEn = null, string? UnitEn = null);

/// <summary>One territory's line: Role is "territory" for the one asked for, "parent" for the others.</summary>
public sealed record TerritorySeries(string Level, string Code, string Name, string Role, IReadOnlyList<SeriesPoint> Points, Evolution? Evolution);

/// <summary>
/// One year. Published is true for a figure as its producer published it, false for one the importer computed (a sum
/// of départements, a rate from summed numerator and denominator); ComputedValue is the sum of parts kept beside a
/// published figure. A suppressed figure has no value, numerator or denominator, and the note "secret statistique".
/// For a commune whose perimeter changed, Perimeter says which perimeter the published figure describes ("former":
/// carried to the current one by summing the merged communes' figures; "current"), PublishedValue keeps the figure
/// as published, and Status "break" (no value, Note = the reason) marks a year that cannot be carried over.
/// Cog: the geographic vintage (COG year) the figure was published in, null when its source does not say.
/// </summary>
/// Provenance: where the figure comes from, in short (<see cref="FigureRef"/>: its full description is in the
/// response's Sources); Detail: the same in full, for the CSV and the pages.
public sealed record SeriesPoint(int Year, double? Value, string Status, string? Note, string? Flag, bool Published, double? ComputedValue,
    double? Numerator, double? Denominator, string? Perimeter = null, double? PublishedValue = null, int? Cog = null,
    FigureRef? Provenance = null, [property: System.Text.Json.Serialization.JsonIgnore] FigureProvenance? Detail = null);

public sealed partial class SeriesQueries(NpgsqlDataSource db, IndicatorQueries indicators, FigureSources sources)
{
    public const string SecretLabel = "secret statistique";

    /// <summary>The parents a series is compared with: the EPCI of a commune, then the wider administrative levels.</summary>
    public static string[] ParentLevels => Levels.SeriesParents;

    public async Task<SeriesResponse> SeriesAsync(string indicatorCode, string level, string code, Viewer viewer, CancellationToken ct)
    {
        var indicator = await indicators.FindAsync(indicatorCode, viewer, ct)
                        ?? throw new ParameterException("indicator", $"unknown indicator '{indicatorCode}'; see /api/indicators", 404);
        if (!Levels.IsKnown(level))
        {
            throw new ParameterException("level", $"unknown level '{level}'; levels are {string.Join(", ", Levels.Ordered)}", 404);
        }

        if (!CodePattern().IsMatch(code))
        {
            throw new ParameterException("code", $"'{code}' is not an INSEE or SIREN code (letters and digits, at most 12)");
        }

        await using var connection = await db.OpenConnectionAsync(ct);
        var rows = (await connection.QueryAsync<SeriesRow>(new CommandDefinition(AtlasDatabase.Sql("Indicators.series.sql"),
            new { indicator = indicatorCode, level, code, parentLevels = ParentLevels }, cancellationToken: ct))).ToList();
        if (rows.Count == 0)
        {
            throw new ParameterException("code", $"no {level} has the code '{code}'", 404);
        }

        // Only the contributions' versions are read (one query, none when every figure is the import's or derived).
        var known = await sources.ReadAsync(connection, rows.Select(r => r.dataset_version_id), viewer, ct);
        var series = rows
            .GroupBy(r => (r.level, r.code))
            .Select(g =>
            {
                var first = g.First();
                var points = g.Where(r => r.year is not null).Select(r => ToPoint(r, indicator, known)).ToList();
                return new TerritorySeries(first.level, first.code, first.name, first.is_target ? "territory" : "parent", points,
                    Growth.Of(SinceLastBreak(points).Select(p => (p.Year, p.Value))));
            })
            .ToList();
        var figureSources = series.SelectMany(t => t.Points).Select(p => p.Detail!).SelectMany(FigureRef.Entries)
            .DistinctBy(e => FigureRef.Key(e.Origin, e.Method, e.Dataset, e.DatasetVersionId)).ToList();
        return new SeriesResponse(
            new SeriesIndicator(indicator.Code, indicator.Label, indicator.Unit, indicator.Kind, indicator.Decimals, indicator.Source,
                indicator.Producer, indicator.SecrecyRule, indicator.LabelEn, indicator.UnitEn),
            indicator.SeriesBreaks, series, figureSources);
    }

    private static SeriesPoint ToPoint(SeriesRow r, IndicatorInfo indicator, KnownSources known)
    {
        var provenance = known.Of(indicator, r.origin!, r.dataset, r.dataset_version_id, r.flag, r.on_perimeter, r.status);
        return new SeriesPoint(r.year!.Value, r.value, r.status!,
            r.status == "suppressed" ? SecretLabel : r.status == "break" ? r.reason_fr : null, r.flag,
            r.origin == "source", r.computed_value, r.numerator, r.denominator, r.on_perimeter, r.published_value, r.cog,
            FigureRef.Of(provenance), provenance);
    }

    /// <summary>
    /// The points an evolution may span: those after the last perimeter break, so no evolution or TCAM ever
    /// crosses a change of perimeter that could not be carried over.
    /// </summary>
    public static IEnumerable<SeriesPoint> SinceLastBreak(IReadOnlyList<SeriesPoint> points)
    {
        var lastBreak = points.Where(p => p.Status == "break").Select(p => (int?)p.Year).Max();
        return lastBreak is { } year ? points.Where(p => p.Year > year) : points;
    }

    /// <summary>The series as CSV (comma, decimal point, one line per territory and year): for spreadsheets and scripts.</summary>
    public static string ToCsv(SeriesResponse series) => CsvOutput.Build(csv =>
    {
        csv.Header("indicateur", "niveau", "code", "nom", "role", "annee", "valeur", "statut", "note", "origine", "valeur_calculee", "unite", "cog",
            "provenance", "methode", "fichier", "version", "organisation", "deposee_le", "deposee_par", "publiee_le", "publiee_par");
        foreach (var territory in series.Series)
        {
            foreach (var p in territory.Points)
            {
                csv.Text(series.Indicator.Code).Text(territory.Level).Text(territory.Code).Text(territory.Name).Text(territory.Role)
                    .Integer(p.Year).Number(p.Value).Text(p.Status).Text(p.Note).Text(p.Published ? "publiee" : "calculee")
                    .Number(p.ComputedValue).Text(series.Indicator.Unit).Integer(p.Cog);
                // The provenance (see FigureProvenance).
                var s = p.Detail;
                csv.Text(s?.Origin).Text(s?.Method).Text(s?.File).Integer(s?.DatasetVersionId).Text(s?.Organisation).Timestamp(s?.UploadedAt)
                    .Text(s?.UploadedBy).Timestamp(s?.PublishedAt).Text(s?.PublishedBy).EndLine();
            }
        }
    });

    [GeneratedRegex("^[0-9A-Za-z]{1,12}$")]
    private static partial Regex CodePattern();

#pragma warning disable IDE1006, CA1812 // Dapper maps the snake_case columns onto these names.
    private sealed record SeriesRow(string level, string code, string name, bool is_target, short? year, double? value, string? status, string? flag,
        string? origin, double? computed_value, double? numerator, double? denominator, string? on_perimeter, double? published_value,
        string? reason_fr, short? cog, string? dataset, long? dataset_version_id);
#pragma warning restore IDE1006, CA1812
}
