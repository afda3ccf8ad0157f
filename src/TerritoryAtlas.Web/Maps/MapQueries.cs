using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dapper;
using Microsoft.Extensions.Caching.Memory;
using Npgsql;
using TerritoryAtlas.Web.Accounts;
using TerritoryAtlas.Web.Data;
using TerritoryAtlas.Web.Indicators;
using TerritoryAtlas.Web.Territories;

namespace TerritoryAtlas.Web.Maps;

/// <summary>
/// What the map colours by: codes and values of one (level, indicator, year) with the class of each and the
/// breaks. Arrays are parallel to <see cref="Codes"/>, so that the JSON stays compact for 35,000 communes.
/// </summary>
public sealed record MapValues(
    string Level, string Indicator, int Year, string Label, string Unit, int Decimals, int Polarity, string Source,
    long DataVersion, string Mode, MapClassification Classification, int Territories, int NoData, int Suppressed,
    IReadOnlyList<string> Codes, IReadOnlyList<double?> Values, IReadOnlyList<string> Statuses, IReadOnlyList<int?> Classes,
    [property: JsonIgnore] IReadOnlyList<int?> Ranks, string? ParentLevel, IReadOnlyList<string?> ParentCodes,
    IReadOnlyDictionary<string, double?> ParentValues, MapReference? Reference, IReadOnlyList<string?>? Categories,
    MapWithin? Within)
{
    /// <summary>Names for the page's table; the browser gets them from the tiles, so they stay out of the JSON.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> Names { get; init; } = [];

    /// <summary>
    /// The names of the parents the territories have, by code, for the table and the tooltips (a reader reads
    /// « Hautes-Alpes », not « 05 »); about a hundred for the communes.
    /// </summary>
    public IReadOnlyDictionary<string, string> ParentNames { get; init; } = new Dictionary<string, string>();

    /// <summary>The study area compared with (reference=area:ID), for the cache key of the values' JSON.</summary>
    [JsonIgnore]
    public Zonings.ComparisonReference? AreaReference { get; init; }

    /// <summary>
    /// The territories drawn on a polygon that is not the perimeter their figure describes, by code (communes merged
    /// since the boundary vintage: see <see cref="MapPerimeter"/>); null when there are none.
    /// </summary>
    public IReadOnlyDictionary<string, MapPerimeter>? Perimeters { get; init; }

    /// <summary>Ordinal binary search: map_values.sql orders the codes `collate "C"`, whatever the database collation.</summary>
    public int IndexOf(string code) => Codes is List<string> list ? list.BinarySearch(code, StringComparer.Ordinal) : Codes.ToList().IndexOf(code);
}

/// <summary>
/// A commune drawn on its boundary-vintage (2018) polygon while its figure that year describes a commune nouvelle's
/// perimeter (<see cref="Name"/>: the commune drawn). Role "merged": the polygon of the commune that kept its code and carries the figure, which also covers
/// <see cref="Parts"/>; role "absorbed": a commune merged into <see cref="Commune"/> since, with no figure of its own,
/// on which the map draws the commune nouvelle's figure (together the polygons are the perimeter the figure
/// describes). Such a figure takes no rank. <see cref="FromYear"/>–<see cref="KnownBy"/>: the COG vintages between
/// which the merger took effect (one year when known). Notes: the sentence tooltips, the table and the notice show.
/// </summary>
public sealed record MapPerimeter(string Role, string Name, string Commune, string CommuneName, int FromYear, int KnownBy,
    IReadOnlyList<string> Parts, IReadOnlyList<string> PartNames, string NoteFr, string NoteEn);

public sealed record MapClassification(string Method, int Classes, IReadOnlyList<double> Bounds, IReadOnlyList<int> Counts,
    string Palette, IReadOnlyList<string> Colours, string NoDataColour, string SuppressedColour,
    IReadOnlyDictionary<string, int>? CategoryCounts = null, IReadOnlyDictionary<string, string>? CategoryColours = null);

/// <summary>The reference of comparison mode: France's figure, or each territory's parent's.</summary>
/// <remarks>
/// <see cref="WithoutReference"/> counts the territories with a figure whose reference has none that year (then they
/// cannot be compared and the page says why); <see cref="ReferenceYears"/> lists the years in which the reference has
/// figures and <see cref="OtherReferenceYears"/> those of the other reference (France or parent), so the page can offer
/// the nearest usable comparison instead of a map of grey.
/// </remarks>
/// <see cref="Name"/> and <see cref="Value"/>: the study area compared with (Kind area:ID), its figure that year.
public sealed record MapReference(string Kind, string Level, double? FranceValue, bool UsesConfidenceIntervals,
    int WithoutReference = 0, IReadOnlyList<int>? ReferenceYears = null, IReadOnlyList<int>? OtherReferenceYears = null,
    string? Name = null, double? Value = null);

public sealed record MapWithin(string Level, string Code, string Name, double[] Bbox);

public sealed class MapQueries(NpgsqlDataSource db, DataVersion dataVersion, IndicatorQueries indicators, ComputedOnce computed,
    Zonings.ComparisonReferences references)
{
    private static readonly string ValuesSql = AtlasDatabase.Sql("Maps.map_values.sql");
    private static readonly string PerimetersSql = AtlasDatabase.Sql("Maps.map_perimeters.sql");

    /// <summary>The level a territory is compared with and shown beside in tooltips.</summary>
    public static string? ParentLevelOf(string level) => Levels.MapParentOf(level);

    public ValueTask<long> DataVersionAsync(CancellationToken ct) => dataVersion.CurrentAsync(ct);

    public Task<MapValues> ValuesAsync(string level, string indicator, int year, string method, int classes, Viewer viewer, CancellationToken ct) =>
        ValuesAsync(new MapRequest(level, indicator, year, method, classes), viewer, ct);

    /// <summary>
    /// The values of a view, for a viewer who may read its indicator (else the unknown indicator's 404). The cache is
    /// keyed by the request alone: the figures are the same for everyone let through, and the visibility decision is
    /// made before it, so a member's map of a restricted indicator costs what a public one does.
    /// </summary>
    /// <remarks>
    /// A study area as the comparison reference (reference=area:ID) is read only by whoever may read the area
    /// (<paramref name="user"/>; else the reference's 404), and the cache key carries the area's version, so a change
    /// of its communes is never answered from the cache.
    /// </remarks>
    public async Task<MapValues> ValuesAsync(MapRequest request, Viewer viewer, CancellationToken ct, Func<bool>? admit = null,
        System.Security.Claims.ClaimsPrincipal? user = null)
    {
        var view = await ResolveAsync(request, viewer, user, ct);
        return await CachedValuesAsync(view, ct, admit);
    }

    /// <summary>The values as the API serves them: JSON, with its compressed copies, cached beside the values.</summary>
    /// <remarks>
    /// A ValueTask, as are the steps before the cache: a warm request (the data version read less than two seconds
    /// ago, the viewer's catalogue known, the JSON cached) completes without allocating a task or a computation.
    /// </remarks>
    public async ValueTask<CompressedBytes> ValuesJsonAsync(MapRequest request, Viewer viewer, CancellationToken ct, Func<bool>? admit = null,
        System.Security.Claims.ClaimsPrincipal? user = null)
    {
        var view = await ResolveAsync(request, viewer, user, ct);
        var key = view.KeyOf("values-json");
        return computed.TryGet<CompressedBytes>(key, out var json) ? json : await ComputeValuesJsonAsync(view, key, ct, admit);
    }

    // Brotli 5: a tenth of brotli 11's time for a payload someone is waiting for, 5% larger. Only a cold request reads
    // (or joins) the values, and only their reading takes a permit.
    private Task<CompressedBytes> ComputeValuesJsonAsync(ResolvedView view, string key, CancellationToken ct, Func<bool>? admit) =>
        computed.GetOrComputeAsync(key,
            async load => CompressedBytes.Compress(JsonSerializer.SerializeToUtf8Bytes(await CachedValuesAsync(view, load, admit), JsonSerializerOptions.Web),
                CompressionLevel.Optimal, brotliQuality: 5),
            (entry, json) => entry.SetSize(json.CacheSize).SetSlidingExpiration(TimeSpan.FromMinutes(30)), ct);

    /// <summary>
    /// A request checked for this viewer, with what its values depend on: the data version, and the study area's
    /// version when one is the comparison reference. <see cref="KeyOf"/> names its cache entries.
    /// </summary>
    private sealed record ResolvedView(MapRequest Request, IndicatorInfo Indicator, long Version, Zonings.ComparisonReference? Area)
    {
        public string KeyOf(string kind) => Request.KeyOf(kind, Version, Area?.Version);
    }

    private async ValueTask<ResolvedView> ResolveAsync(MapRequest request, Viewer viewer, System.Security.Claims.ClaimsPrincipal? user, CancellationToken ct)
    {
        var indicator = await ValidateAsync(request, viewer, ct);
        var area = request.Mode == "compare" && MapRequest.IsAreaReference(request.Reference)
            ? await references.ResolveAsync(request.Reference, "reference", user ?? new System.Security.Claims.ClaimsPrincipal(), ct, [request.Indicator])
            : null;
        var version = await DataVersionAsync(ct);
        return new ResolvedView(request, indicator, version, area);
    }

    private Task<MapValues> CachedValuesAsync(ResolvedView view, CancellationToken ct, Func<bool>? admit) =>
        computed.GetOrComputeAsync(view.KeyOf("values"), load => LoadAsync(view.Request, view.Indicator, view.Version, view.Area, load),
            (entry, _) => entry.SetSize(1).SetSlidingExpiration(TimeSpan.FromMinutes(30)), ct, admit);

    private async ValueTask<IndicatorInfo> ValidateAsync(MapRequest r, Viewer viewer, CancellationToken ct)
    {
        if (!Levels.IsKnown(r.Level))
        {
            throw new ParameterException("level", $"unknown level '{r.Level}'; levels are {string.Join(", ", Levels.Ordered)}", 404);
        }

        var indicator = await indicators.FindAsync(r.Indicator, viewer, ct)
                        ?? throw new ParameterException("indicator", $"unknown indicator '{r.Indicator}'; see /api/indicators", 404);
        if (!indicator.YearsByLevel.TryGetValue(r.Level, out var years))
        {
            throw new ParameterException("level", $"indicator '{r.Indicator}' has no figures at level '{r.Level}'; levels: {string.Join(", ", indicator.Levels)}", 404);
        }

        if (!years.Contains(r.Year))
        {
            throw new ParameterException("year", $"indicator '{r.Indicator}' has no figures for {r.Year} at level '{r.Level}'; years: {string.Join(", ", years)}", 404);
        }

        if (r.OptionError() is { } error)
        {
            throw error;
        }

        return indicator;
    }

    private async Task<MapValues> LoadAsync(MapRequest r, IndicatorInfo indicator, long version, Zonings.ComparisonReference? area, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var within = await WithinAsync(connection, r.Within, ct);
        var parentLevel = ParentLevelOf(r.Level);
        var rows = (await connection.QueryAsync<ValueRow>(new CommandDefinition(ValuesSql,
            new { level = r.Level, indicator = r.Indicator, year = (short)r.Year, parent_level = parentLevel, within_id = within is { } w ? w.Id : (int?)null },
            cancellationToken: ct))).ToList();
        // The territories the map can draw, as map_values.sql counts them: not those an uploaded layer took the polygon of.
        var territories = await connection.ExecuteScalarAsync<int>(new CommandDefinition("""
            select count(*)::int from territory t where t.level = @level and not (t.geom is null and t.boundary_version_id is not null)
              and (@id::int is null or t.id = @id or exists (select 1 from territory_parent w where w.territory_id = t.id and w.parent_id = @id))
            """, new { level = r.Level, id = within is { } wi ? wi.Id : (int?)null }, cancellationToken: ct));
        var parentValues = parentLevel is null
            ? new Dictionary<string, double?>()
            : (await connection.QueryAsync<(string Code, double? Value)>(new CommandDefinition("""
                select t.code, o.value from published_observation o join territory t on t.id = o.territory_id
                where t.level = @parentLevel and o.indicator_code = @indicator and o.year = @year
                """, new { parentLevel, indicator = r.Indicator, year = (short)r.Year }, cancellationToken: ct)))
              .ToDictionary(p => p.Code, p => p.Value);
        var parentNames = parentLevel is null
            ? new Dictionary<string, string>()
            : (await connection.QueryAsync<(string Code, string Name)>(new CommandDefinition(
                "select code, name from territory where level = @parentLevel", new { parentLevel }, cancellationToken: ct)))
              .ToDictionary(p => p.Code, p => p.Name, StringComparer.Ordinal);
        var franceValue = await connection.ExecuteScalarAsync<double?>(new CommandDefinition("""
            select o.value from published_observation o join territory t on t.id = o.territory_id
            where t.level = 'france' and t.code = 'FR' and o.indicator_code = @indicator and o.year = @year
            """, new { indicator = r.Indicator, year = (short)r.Year }, cancellationToken: ct));

        var perimeters = await PerimetersAsync(connection, r, rows, ct);
        var values = rows.Where(x => x.value.HasValue).Select(x => x.value!.Value).ToList();
        var breaks = Classification.Compute(r.Classification, values, r.Classes, r.Breaks);
        var (paletteName, colours) = Palettes.Resolve(r.Palette, indicator.Polarity, Math.Max(breaks.Classes, 1));

        // Ranks among the territories shown, 1 = the highest value; ties share a rank. A commune nouvelle's figure
        // drawn on one of its parts takes none, as on its portrait: its perimeter is not the one drawn.
        var ranks = new Dictionary<double, int>();
        var position = 0;
        foreach (var v in rows.Where(x => x.value.HasValue && perimeters?.ContainsKey(x.code) != true).Select(x => x.value!.Value).OrderDescending())
        {
            position++;
            ranks.TryAdd(v, position);
        }

        int? Rank(ValueRow x) => x.value is { } v && perimeters?.ContainsKey(x.code) != true ? ranks[v] : null;

        List<string?>? categories = null;
        MapReference? reference = null;
        Dictionary<string, int>? categoryCounts = null;
        if (r.Mode == "compare")
        {
            var usesIntervals = indicator.Kind == "rate" && indicator.Multiplier is not null;
            // A study area: its figure that year (computed from its communes), when it has a published one.
            var areaValue = area?.In(r.Indicator, r.Year) is { Status: "ok" } figure ? figure.Value : null;
            var referenceLevel = area is not null ? "area" : r.Reference == "france" ? "france" : parentLevel ?? "france";
            double? ReferenceOf(ValueRow x) => area is not null ? areaValue
                : r.Reference == "france" || parentLevel is null ? franceValue
                : x.parent_code is { } pc && parentValues.TryGetValue(pc, out var pv) ? pv : null;
            var withoutReference = rows.Count(x => x.value is not null && ReferenceOf(x) is null);
            var otherLevel = referenceLevel == "france" ? parentLevel ?? "france" : "france";
            async Task<IReadOnlyList<int>> YearsOf(string level) => withoutReference == 0
                ? []
                : level == "area"
                ? area!.Figures[r.Indicator].Where(f => f.Status == "ok" && indicator.YearsByLevel[r.Level].Contains(f.Year)).Select(f => f.Year).Order().ToList()
                : (await connection.QueryAsync<int>(new CommandDefinition("""
                    select distinct o.year::int from published_observation o join territory t on t.id = o.territory_id
                    where t.level = @level and o.indicator_code = @indicator and o.value is not null order by 1
                    """, new { level, indicator = r.Indicator }, cancellationToken: ct))).ToList();
            var referenceYears = await YearsOf(referenceLevel);
            var otherYears = otherLevel == referenceLevel ? [] : await YearsOf(otherLevel);
            reference = new MapReference(r.Reference, referenceLevel, franceValue, usesIntervals, withoutReference, referenceYears, otherYears,
                area?.Name, areaValue);
            categories = rows.Select(x =>
            {
                if (x.value is not { } value || ReferenceOf(x) is not { } refValue)
                {
                    return null;
                }

                (double, double)? interval = usesIntervals && x.numerator is { } n && x.denominator is { } d && d > 0
                    ? Comparison.ConfidenceInterval(n, d, indicator.Multiplier!.Value)
                    : null;
                return Comparison.Compare(value, interval, refValue, indicator.Polarity);
            }).ToList();
            categoryCounts = categories.Where(c => c is not null).GroupBy(c => c!).ToDictionary(g => g.Key, g => g.Count());
        }

        var classification = new MapClassification(r.Classification, breaks.Classes, breaks.Bounds, breaks.Counts, paletteName,
            colours, Palettes.NoData, Palettes.Suppressed, categoryCounts,
            categoryCounts is null ? null : Palettes.Comparison.ToDictionary(c => c.Key, c => c.Value));
        return new MapValues(r.Level, r.Indicator, r.Year, indicator.Label, indicator.Unit, indicator.Decimals, indicator.Polarity,
            indicator.Source, version, r.Mode, classification, territories,
            // The communes a commune nouvelle absorbed are drawn with its figure: not "no data".
            NoData: territories - rows.Count(x => x.status != "missing") - (perimeters?.Count(p => p.Value.Role == "absorbed") ?? 0),
            Suppressed: rows.Count(x => x.status == "suppressed"),
            rows.Select(x => x.code).ToList(), rows.Select(x => x.value).ToList(), rows.Select(x => x.status).ToList(),
            rows.Select(x => x.value is { } v && breaks.Classes > 0 ? breaks.ClassOf(v) : (int?)null).ToList(),
            rows.Select(Rank).ToList(), parentLevel, rows.Select(x => x.parent_code).ToList(), parentValues,
            reference, categories, within?.Public)
        {
            AreaReference = area,
            Perimeters = perimeters,
            Names = rows.Select(x => x.name).ToList(),
            ParentNames = rows.Where(x => x.parent_code is not null).Select(x => x.parent_code!).Distinct()
                .Where(parentNames.ContainsKey).ToDictionary(c => c, c => parentNames[c], StringComparer.Ordinal),
        };
    }

    /// <summary>
    /// The communes shown whose figure describes a commune nouvelle's perimeter, and the communes it absorbed that
    /// have no figure of their own that year (map_perimeters.sql); null when there are none.
    /// </summary>
    private static async Task<Dictionary<string, MapPerimeter>?> PerimetersAsync(NpgsqlConnection connection, MapRequest r, List<ValueRow> rows,
        CancellationToken ct)
    {
        var merged = (await connection.QueryAsync<PerimeterRow>(new CommandDefinition(PerimetersSql,
            new { level = r.Level, indicator = r.Indicator, year = (short)r.Year }, cancellationToken: ct))).ToList();
        if (merged.Count == 0)
        {
            return null;
        }

        var shown = rows.Select(x => x.code).ToHashSet(StringComparer.Ordinal);
        var result = new Dictionary<string, MapPerimeter>(StringComparer.Ordinal);
        foreach (var m in merged.Where(m => shown.Contains(m.code)))
        {
            var when = m.known_by == m.from_year ? $"{m.from_year}" : null;
            var others = JoinNames(m.absorbed_names, "et");
            var othersEn = JoinNames(m.absorbed_names, "and");
            var noteFr = when is null
                ? $"chiffre de la commune nouvelle {m.name} (fusion entre {m.from_year} et {m.known_by} avec {others})"
                : $"chiffre de la commune nouvelle {m.name} (fusion {when} avec {others})";
            var noteEn = when is null
                ? $"figure of the new commune {m.name} (merged between {m.from_year} and {m.known_by} with {othersEn})"
                : $"figure of the new commune {m.name} (merged in {when} with {othersEn})";
            var parts = m.absorbed.Prepend(m.code).ToList();
            var partNames = m.absorbed_names.Prepend(m.name).ToList();
            result[m.code] = new MapPerimeter("merged", m.name, m.code, m.name, m.from_year, m.known_by, parts, partNames, noteFr, noteEn);
            for (var i = 0; i < m.absorbed.Length; i++)
            {
                if (!shown.Contains(m.absorbed[i]))
                {
                    result[m.absorbed[i]] = new MapPerimeter("absorbed", m.absorbed_names[i], m.code, m.name, m.from_year, m.known_by, parts, partNames, noteFr, noteEn);
                }
            }
        }

        return result.Count == 0 ? null : result;
    }

    private static string JoinNames(IReadOnlyList<string> names, string and) =>
        names.Count == 1 ? names[0] : $"{string.Join(", ", names.Take(names.Count - 1))} {and} {names[^1]}";

    private static async Task<(int Id, MapWithin Public)?> WithinAsync(NpgsqlConnection connection, string? within, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(within))
        {
            return null;
        }

        var parts = within.Split(':', 2);
        if (parts.Length != 2 || !Levels.IsKnown(parts[0]))
        {
            throw new ParameterException("within", $"within must be level:code, e.g. departement:93 (levels: {string.Join(", ", Levels.Ordered)})");
        }

        var row = await connection.QuerySingleOrDefaultAsync<(int Id, string Name, double MinX, double MinY, double MaxX, double MaxY)?>(
            new CommandDefinition("""
                select id, name, ST_XMin(geom), ST_YMin(geom), ST_XMax(geom), ST_YMax(geom)
                from territory where level = @level and code = @code
                """, new { level = parts[0], code = parts[1] }, cancellationToken: ct));
        return row is { } t
            ? (t.Id, new MapWithin(parts[0], parts[1], t.Name, [t.MinX, t.MinY, t.MaxX, t.MaxY]))
            : throw new ParameterException("within", $"no {parts[0]} with code '{parts[1]}'", 404);
    }

#pragma warning disable IDE1006, CA1812 // Dapper maps the snake_case columns onto these names.
    private sealed record ValueRow(string code, string name, double? value, string status, double? numerator, double? denominator, string? parent_code);

    private sealed class PerimeterRow
    {
        public string code { get; init; } = "";
        public string name { get; init; } = "";
        public short from_year { get; init; }
        public short known_by { get; init; }
        public string[] absorbed { get; init; } = [];
        public string[] absorbed_names { get; init; } = [];
    }
#pragma warning restore IDE1006, CA1812
}
