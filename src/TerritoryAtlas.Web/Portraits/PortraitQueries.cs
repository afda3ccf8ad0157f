using System.Globalization;
using System.Text;
using Dapper;
using Npgsql;
using TerritoryAtlas.Web.Accounts;
using TerritoryAtlas.Web.Data;
using TerritoryAtlas.Web.Indicators;
using TerritoryAtlas.Web.Territories;

namespace TerritoryAtlas.Web.Portraits;

public sealed record TerritoryRef(string Level, string Code, string Name);

/// <summary>A territory's portrait: its parents, where it lies, and per theme its indicators.</summary>
public sealed record Portrait(TerritoryRef Territory, IReadOnlyList<TerritoryRef> Parents, IReadOnlyList<double>? Bounds, long DataVersion,
    IReadOnlyList<PortraitTheme> Themes, IReadOnlyList<string> Sources);

public sealed record PortraitTheme(string Code, string Label, IReadOnlyList<PortraitIndicator> Indicators);

/// <summary>
/// An indicator in the latest year the territory has a figure for; Rank among the territories of the same level that
/// year; Evolution over the territory's whole series; the parents' figures of the same year.
/// </summary>
/// PerimeterNote: the commune's perimeter changed (a merger): its figures are read on the current perimeter, it takes
/// no rank among communes drawn on the boundary vintage, and its evolution starts after any year that cannot be
/// carried over.
public sealed record PortraitIndicator(IndicatorInfo Indicator, int Year, double? Value, string Status, int? Rank, int? Peers, Evolution? Evolution,
    bool BreakInPeriod, IReadOnlyList<ParentFigure> Parents, string? PerimeterNote = null, string? PerimeterNoteEn = null)
{
    /// <summary>The geographic vintage (COG year) the shown figure was published in, null when its source does not say.</summary>
    public short? Cog { get; init; }

    /// <summary>Where the shown figure comes from (names of people only for whoever may see them, as in /api/series).</summary>
    public FigureProvenance? Provenance { get; init; }
}

/// <summary>A parent's figure of the territory's year, else of its latest earlier year (Year says which).</summary>
public sealed record ParentFigure(TerritoryRef Territory, int? Year, double? Value, string Status);

/// <summary>The regional synthesis: one row per territory (départements, région, France), one column per indicator.</summary>
public sealed record Synthesis(TerritoryRef Region, IReadOnlyList<SynthesisColumn> Columns, IReadOnlyList<SynthesisRow> Rows);

public sealed record SynthesisColumn(IndicatorInfo Indicator, int Year);

public sealed record SynthesisRow(TerritoryRef Territory, IReadOnlyList<SynthesisCell> Cells);

public sealed record SynthesisCell(double? Value, string Status);

public sealed class PortraitQueries(NpgsqlDataSource db, IndicatorQueries indicators, FigureSources figureSources)
{
    /// <summary>The parents a portrait compares with (the EPCI of a commune, then the wider levels).</summary>
    private static string[] ParentLevels => Levels.SeriesParents;

    /// <summary>The portrait as this viewer may see it: only the indicators it may read.</summary>
    public async Task<Portrait?> PortraitAsync(string level, string code, Viewer viewer, CancellationToken ct)
    {
        if (!Levels.IsKnown(level))
        {
            return null;
        }

        var catalogue = (await indicators.CatalogueAsync(viewer, ct)).ToDictionary(i => i.Code);
        await using var connection = await db.OpenConnectionAsync(ct);
        var territory = await connection.QuerySingleOrDefaultAsync<TerritoryRow>(new CommandDefinition("""
            select id, level, code, name, st_xmin(b) as xmin, st_ymin(b) as ymin, st_xmax(b) as xmax, st_ymax(b) as ymax
            from (select t.*, box2d(t.geom) as b from territory t where t.level = @level and t.code = @code) t
            """, new { level, code }, cancellationToken: ct));
        if (territory is null)
        {
            return null;
        }

        var parents = (await connection.QueryAsync<(int Id, string Level, string Code, string Name)>(new CommandDefinition("""
            select p.id, p.level, p.code, p.name
            from territory_parent tp join territory p on p.id = tp.parent_id join level l on l.code = p.level
            where tp.territory_id = @id and tp.parent_level = any(@parentLevels)
            order by l.rank desc
            """, new { id = territory.id, parentLevels = ParentLevels }, cancellationToken: ct))).ToList();
        var ids = parents.Select(p => p.Id).Prepend(territory.id).ToArray();
        var observations = (await connection.QueryAsync<Figure>(new CommandDefinition("""
            select indicator_code as indicator, territory_id as territoryid, year, value, status, cog, origin, flag, dataset,
                   dataset_version_id as versionid, null::text as onperimeter
            from published_observation
            where territory_id = any(@ids)
            """, new { ids }, cancellationToken: ct))).ToLookup(o => (o.Indicator, o.TerritoryId));
        // A commune whose perimeter changed: its own figures on its current perimeter (summed merged communes, or a
        // break with the reason), as the series API gives them.
        var (perimeterNote, perimeterNoteEn) = await connection.QuerySingleAsync<(string?, string?)>(new CommandDefinition(
            "select string_agg(reason_fr, ' ; '), string_agg(reason_en, '; ') from perimeter_change where level = @level and code = @code",
            new { level, code = territory.code }, cancellationToken: ct));
        var carried = perimeterNote is null
            ? null
            : (await connection.QueryAsync<(string Indicator, short Year, double? Value, string Status, string OnPerimeter)>(new CommandDefinition(
                "select indicator_code, year, value, status, on_perimeter from perimeter_observation where territory_id = @id",
                new { id = territory.id }, cancellationToken: ct))).ToDictionary(o => (o.Indicator, o.Year));
        var ranks = (await connection.QueryAsync<(string Indicator, int Rank, int Peers)>(new CommandDefinition(
            AtlasDatabase.Sql("Portraits.portrait_ranks.sql"), new { id = territory.id, level }, cancellationToken: ct))).ToDictionary(r => r.Indicator);
        var version = await connection.ExecuteScalarAsync<long>(new CommandDefinition("select version from data_version", cancellationToken: ct));

        var parentRefs = parents.Select(p => (p.Id, Ref: new TerritoryRef(p.Level, p.Code, p.Name))).ToList();
        var shown = new List<PortraitIndicator>();
        var shownFigures = new List<Figure>();
        foreach (var indicator in catalogue.Values)
        {
            var own = observations[(indicator.Code, territory.id)].OrderBy(o => o.Year)
                .Select(o => carried is not null && carried.TryGetValue((o.Indicator, o.Year), out var c)
                    ? o with { Value = c.Value, Status = c.Status, OnPerimeter = c.OnPerimeter }
                    : o)
                .ToList();
            if (own.Count == 0)
            {
                continue;
            }

            var latest = own[^1];
            var lastBreak = own.Where(o => o.Status == "break").Select(o => (int?)o.Year).Max() ?? int.MinValue;
            var evolution = Growth.Of(own.Where(o => o.Year > lastBreak).Select(o => ((int)o.Year, o.Value)));
            var breakInPeriod = evolution is not null && indicator.SeriesBreaks.Any(b => b.Year > evolution.FirstYear && b.Year <= evolution.LastYear);
            // Parents publish on their own calendar (Filosofi régions stop a year before départements): compare with
            // the same year where it exists, else with the parent's latest earlier year, and say so.
            var parentFigures = parentRefs.Select(p =>
                observations[(indicator.Code, p.Id)].Where(o => o.Year <= latest.Year).OrderByDescending(o => o.Year)
                    .Select(o => new ParentFigure(p.Ref, o.Year, o.Value, o.Status)).FirstOrDefault()
                ?? new ParentFigure(p.Ref, null, null, "missing")).ToList();
            // Its peers are drawn on the boundary vintage's communes: a merged commune is no peer of theirs.
            var ranked = ranks.TryGetValue(indicator.Code, out var rank) && perimeterNote is null;
            shown.Add(new PortraitIndicator(indicator, latest.Year, latest.Value, latest.Status, ranked ? rank.Rank : null,
                ranked ? rank.Peers : null, evolution, breakInPeriod, parentFigures, perimeterNote, perimeterNoteEn)
            { Cog = latest.Cog });
            shownFigures.Add(latest);
        }

        // Each shown figure's provenance: the contributions' versions among them read in one query.
        var known = await figureSources.ReadAsync(connection, shownFigures.Select(f => f.VersionId), viewer, ct);
        for (var i = 0; i < shown.Count; i++)
        {
            var f = shownFigures[i];
            shown[i] = shown[i] with { Provenance = known.Of(shown[i].Indicator, f.Origin, f.Dataset, f.VersionId, f.Flag, f.OnPerimeter, f.Status) };
        }

        var themes = shown
            .GroupBy(i => (i.Indicator.Theme, i.Indicator.ThemeLabel))
            .Select(g => new PortraitTheme(g.Key.Theme, g.Key.ThemeLabel, g.ToList()))
            .ToList();
        // Each source with the geographic vintages (COG) of the figures shown from it, so a figure can be traced to
        // the communes it was published on.
        var sources = shown.GroupBy(i => $"{i.Indicator.Producer} — {i.Indicator.Source}")
            .Select(g => g.Where(i => i.Cog is not null).Select(i => i.Cog!.Value).Distinct().Order().ToList() is { Count: > 0 } cogs
                ? $"{g.Key} (COG {string.Join(", ", cogs)})"
                : g.Key)
            .Order(StringComparer.Ordinal).ToList();
        IReadOnlyList<double>? bounds = territory.xmin is { } x0 ? [x0, territory.ymin!.Value, territory.xmax!.Value, territory.ymax!.Value] : null;
        return new Portrait(new TerritoryRef(territory.level, territory.code, territory.name), parentRefs.Select(p => p.Ref).ToList(), bounds,
            version, themes, sources);
    }

    public async Task<IReadOnlyList<TerritoryRef>> RegionsAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<TerritoryRef>(new CommandDefinition(
            "select level, code, name from territory where level = 'region' order by name", cancellationToken: ct))).ToList();
    }

    /// <summary>
    /// The indicators a synthesis shows when none are chosen: per theme, the most recent rate or share the régions
    /// and départements carry (rates compare territories of different sizes; counts do not; a series that stopped
    /// years ago, such as the RMI, is not a portrait of today), else the theme's most recent indicator.
    /// </summary>
    public static IReadOnlyList<string> DefaultSynthesisIndicators(IReadOnlyList<IndicatorInfo> catalogue) =>
        catalogue
            .Where(i => i.YearsByLevel.ContainsKey("departement"))
            .GroupBy(i => i.Theme)
            .Select(g => g
                .OrderByDescending(i => i.Kind is "rate" or "share")
                .ThenByDescending(i => i.YearsByLevel.TryGetValue("region", out var years) && years.Length > 0 ? years[^1] : 0)
                .ThenByDescending(i => i.YearsByLevel["departement"][^1])
                .First().Code)
            .ToList();

    /// <summary>The synthesis of the indicators this viewer may read; one it may not read is unknown (404), as is an unknown one.</summary>
    public async Task<Synthesis?> SynthesisAsync(string regionCode, IReadOnlyList<string>? indicatorCodes, Viewer viewer, CancellationToken ct)
    {
        var catalogue = await indicators.CatalogueAsync(viewer, ct);
        var byCode = catalogue.ToDictionary(i => i.Code);
        var codes = (indicatorCodes is { Count: > 0 } ? indicatorCodes : DefaultSynthesisIndicators(catalogue)).Distinct().ToList();
        var unknown = codes.FirstOrDefault(c => !byCode.ContainsKey(c));
        if (unknown is not null)
        {
            throw new ParameterException("indicators", $"unknown indicator '{unknown}'; see /api/indicators", 404);
        }

        await using var connection = await db.OpenConnectionAsync(ct);
        var region = await connection.QuerySingleOrDefaultAsync<TerritoryRef>(new CommandDefinition(
            "select level, code, name from territory where level = 'region' and code = @regionCode", new { regionCode }, cancellationToken: ct));
        if (region is null)
        {
            return null;
        }

        var rows = (await connection.QueryAsync<(string Level, string Code, string Name, int RowOrder, string Indicator, short Year, double? Value, string Status)>(
            new CommandDefinition(AtlasDatabase.Sql("Portraits.synthesis.sql"), new { region = regionCode, indicators = codes.ToArray() }, cancellationToken: ct))).ToList();
        var columns = codes
            .Select(c => (Code: c, Year: rows.Where(r => r.Indicator == c).Select(r => (int?)r.Year).FirstOrDefault()))
            .Where(c => c.Year is not null)
            .Select(c => new SynthesisColumn(byCode[c.Code], c.Year!.Value))
            .ToList();
        var synthesisRows = rows
            .GroupBy(r => (r.Level, r.Code, r.Name, r.RowOrder))
            .Select(g =>
            {
                var cells = g.ToDictionary(r => r.Indicator);
                return new SynthesisRow(new TerritoryRef(g.Key.Level, g.Key.Code, g.Key.Name),
                    columns.Select(c => new SynthesisCell(cells[c.Indicator.Code].Value, cells[c.Indicator.Code].Status)).ToList());
            })
            .ToList();
        return new Synthesis(region, columns, synthesisRows);
    }

    /// <summary>
    /// The synthesis with one more row at the bottom: the reference the reader compares with (a territory, or a study
    /// area computed from its communes), read in each column's year and only that year.
    /// </summary>
    public static Synthesis WithReference(Synthesis synthesis, Zonings.ComparisonReference? reference) =>
        reference is null
            ? synthesis
            : synthesis with
            {
                Rows = [.. synthesis.Rows, new SynthesisRow(new TerritoryRef(reference.Kind, reference.Key.Split(':', 2)[1], reference.Name),
                    synthesis.Columns.Select(c => reference.In(c.Indicator.Code, c.Year) is { } f
                        ? new SynthesisCell(f.Value, f.Status)
                        : new SynthesisCell(null, "missing")).ToList())],
            };

    /// <summary>
    /// The portrait as CSV, one line per indicator shown (comma, decimal point): the territory's figure of its latest
    /// year, its rank and evolution, then where it comes from (<see cref="FigureProvenance"/>, as /api/series's CSV).
    /// </summary>
    public static string ToCsv(Portrait portrait) => CsvOutput.Build(csv =>
    {
        csv.Header("indicateur", "libelle", "unite", "niveau", "code", "territoire", "annee", "valeur", "statut", "rang", "sur", "evolution_pct",
            "tcam_pct", "cog", "provenance", "methode", "fichier", "version", "organisation", "deposee_le", "deposee_par", "publiee_le", "publiee_par");
        foreach (var i in portrait.Themes.SelectMany(t => t.Indicators))
        {
            var s = i.Provenance;
            csv.Text(i.Indicator.Code).Text(i.Indicator.Label).Text(i.Indicator.Unit).Text(portrait.Territory.Level).Text(portrait.Territory.Code)
                .Text(portrait.Territory.Name).Integer(i.Year);
            // A suppressed figure is written as its label, never as a number.
            (i.Status == "suppressed" ? csv.Text(SeriesQueries.SecretLabel) : csv.Number(i.Value)).Text(i.Status)
                .Integer(i.Rank).Integer(i.Peers).Number(i.Evolution?.ChangePercent).Number(i.Evolution?.AnnualGrowthRate).Integer(i.Cog)
                .Text(s?.Origin).Text(s?.Method).Text(s?.File).Integer(s?.DatasetVersionId).Text(s?.Organisation).Timestamp(s?.UploadedAt)
                .Text(s?.UploadedBy).Timestamp(s?.PublishedAt).Text(s?.PublishedBy).EndLine();
        }
    });

    /// <summary>The synthesis as CSV, as the table shows it: one line per territory, one column per indicator and year.</summary>
    public static string ToCsv(Synthesis synthesis) => CsvOutput.Build(csv =>
    {
        csv.Header([.. new[] { "niveau", "code", "nom" }.Concat(synthesis.Columns.Select(c => $"{c.Indicator.Code} ({c.Year}, {c.Indicator.Unit})"))]);
        foreach (var row in synthesis.Rows)
        {
            csv.Text(row.Territory.Level).Text(row.Territory.Code).Text(row.Territory.Name);
            foreach (var cell in row.Cells)
            {
                // A suppressed figure is written as its label, never as a number; a missing one stays empty.
                _ = cell.Status == "suppressed" ? csv.Text(SeriesQueries.SecretLabel) : csv.Number(cell.Value);
            }

            csv.EndLine();
        }
    });

    private sealed record Figure(string Indicator, int TerritoryId, short Year, double? Value, string Status, short? Cog, string Origin, string? Flag,
        string? Dataset, long? VersionId, string? OnPerimeter);

#pragma warning disable IDE1006, CA1812 // Dapper maps the snake_case columns onto these names.
    private sealed record TerritoryRow(int id, string level, string code, string name, double? xmin, double? ymin, double? xmax, double? ymax);
#pragma warning restore IDE1006, CA1812
}
