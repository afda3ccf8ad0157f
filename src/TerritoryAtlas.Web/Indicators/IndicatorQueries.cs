using System.Text.Json;
using Dapper;
using Npgsql;
using TerritoryAtlas.Web.Data;
using TerritoryAtlas.Web.Territories;

namespace TerritoryAtlas.Web.Indicators;

/// <summary>An indicator as the catalogue describes it, with where and when the database holds figures for it.</summary>
public sealed record IndicatorInfo(
    string Code, string Theme, string ThemeLabel, string ThemeLabelEn, string Label, string LabelEn, string? ShortLabel,
    string Unit, string UnitEn, string Kind, int Decimals, string Definition, string DefinitionEn, string Source, string Producer,
    string Licence, int Polarity, string? Numerator, string? Denominator, double? Multiplier, string? SecrecyRule,
    IReadOnlyList<SeriesBreakInfo> SeriesBreaks, IReadOnlyList<string> Levels, IReadOnlyList<int> Years,
    IReadOnlyDictionary<string, int[]> YearsByLevel);

public sealed record SeriesBreakInfo(int Year, string NoteFr, string NoteEn);

/// <summary>The catalogue, read once per data version: it changes only when an import runs.</summary>
public sealed class IndicatorQueries(NpgsqlDataSource db, DataVersion dataVersion)
{
    /// <summary>What a map shows when nobody chose: the explorer, the embed and a new workshop start on it.</summary>
    public const string DefaultIndicator = "taux_pauvrete_60";

    private (long Version, IReadOnlyList<IndicatorInfo> Catalogue)? _cached;

    public async Task<IReadOnlyList<IndicatorInfo>> CatalogueAsync(CancellationToken ct)
    {
        var version = await dataVersion.CurrentAsync(ct);
        if (_cached is { } cached && cached.Version == version)
        {
            return cached.Catalogue;
        }

        await using var connection = await db.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<CatalogueRow>(new CommandDefinition("""
            with coverage as (
                select o.indicator_code, t.level, array_agg(distinct o.year order by o.year) as years
                from observation o join territory t on t.id = o.territory_id
                group by o.indicator_code, t.level
            )
            select i.code, i.theme, th.label_fr as theme_label, th.label_en as theme_label_en, i.label_fr as label, i.label_en,
                   i.short_label_fr as short_label, i.unit_fr as unit, i.unit_en, i.kind, i.decimals, i.definition_fr as definition,
                   i.definition_en, i.source, i.producer, i.licence, i.polarity, i.numerator, i.denominator, i.multiplier,
                   i.secrecy_rule_fr as secrecy_rule, i.series_breaks::text as series_breaks,
                   coalesce((select jsonb_object_agg(c.level, c.years) from coverage c where c.indicator_code = i.code), '{}')::text as coverage
            from indicator i join theme th on th.code = i.theme
            order by th.sort_order, i.sort_order
            """, cancellationToken: ct));
        var catalogue = rows.Select(r =>
        {
            var byLevel = JsonSerializer.Deserialize<Dictionary<string, int[]>>(r.coverage)!;
            var levels = Levels.Ordered.Where(byLevel.ContainsKey).ToList();
            return new IndicatorInfo(r.code, r.theme, r.theme_label, r.theme_label_en, r.label, r.label_en, r.short_label, r.unit,
                r.unit_en, r.kind, r.decimals, r.definition, r.definition_en, r.source, r.producer, r.licence, r.polarity, r.numerator,
                r.denominator, r.multiplier, r.secrecy_rule,
                JsonSerializer.Deserialize<List<SeriesBreakInfo>>(r.series_breaks, SnakeCase) ?? [],
                levels, byLevel.Values.SelectMany(y => y).Distinct().Order().ToList(), byLevel);
        }).ToList();
        _cached = (version, catalogue);
        return catalogue;
    }

    public async Task<IndicatorInfo?> FindAsync(string code, CancellationToken ct) =>
        (await CatalogueAsync(ct)).FirstOrDefault(i => i.Code == code);

    private static readonly JsonSerializerOptions SnakeCase = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

#pragma warning disable IDE1006, CA1812 // Dapper maps the snake_case columns onto these names.
    private sealed record CatalogueRow(
        string code, string theme, string theme_label, string theme_label_en, string label, string label_en, string? short_label,
        string unit, string unit_en, string kind, short decimals, string definition, string definition_en, string source, string producer,
        string licence, short polarity, string? numerator, string? denominator, double? multiplier, string? secrecy_rule,
        string series_breaks, string coverage);
#pragma warning restore IDE1006, CA1812
}
