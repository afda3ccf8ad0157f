using System.Text.Json.Serialization;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace TerritoryAtlas.Web.Import;

/// <summary>
/// A validated figure placed on a territory, ready to be copied into a staging table; <paramref name="CarriedFrom"/>
/// is the later-vintage code it was given under when a correspondence carried it to the territory.
/// </summary>
public sealed record StagedObservation(
    string Indicator, int TerritoryId, short Year, double? Value, double? Numerator, double? Denominator, string Status, string? Flag,
    short? Cog = null, string? CarriedFrom = null);

/// <summary>What validation checks a figure's indicator against: its kind (for the value's range) and rate multiplier.</summary>
public sealed record IndicatorRules(string Code, string Kind, double? Multiplier);

/// <summary>
/// What validation needs from the database and the data directory: territories by (level, code), later-vintage
/// codes carried to the boundary vintage, and the known indicators. Loaded once per import or contribution.
/// </summary>
public sealed class PipelineContext(
    IReadOnlyDictionary<(string Level, string Code), int> territories,
    IReadOnlyDictionary<(string Level, string Code), string> correspondences,
    IReadOnlyDictionary<string, IndicatorRules> indicators,
    IReadOnlyDictionary<string, string>? communeLinks = null)
{
    public IReadOnlyDictionary<(string Level, string Code), int> Territories { get; } = territories;
    public IReadOnlyDictionary<(string Level, string Code), string> Correspondences { get; } = correspondences;
    public IReadOnlyDictionary<string, IndicatorRules> Indicators { get; } = indicators;

    /// <summary>
    /// The commune codes only the published uploaded correspondence carries (commune_code_link: code → boundary code),
    /// not the data directory's: a figure carried through one of them rests on that correspondence staying in force.
    /// </summary>
    public IReadOnlyDictionary<string, string> CommuneLinks { get; } = communeLinks ?? new Dictionary<string, string>();

    public static async Task<PipelineContext> LoadAsync(
        NpgsqlConnection connection, IReadOnlyDictionary<(string Level, string Code), string> correspondences, CancellationToken ct)
    {
        var territories = (await connection.QueryAsync<(string Level, string Code, int Id)>(
                new CommandDefinition("select level, code, id from territory", cancellationToken: ct)))
            .ToDictionary(r => (r.Level, r.Code), r => r.Id);
        var indicators = (await connection.QueryAsync<IndicatorRules>(
                new CommandDefinition("select code, kind, multiplier from indicator", cancellationToken: ct)))
            .ToDictionary(i => i.Code, StringComparer.Ordinal);
        // Besides the data directory's correspondence, the code changes of the commune correspondence an admin
        // published (Datasets/GeographyChanges.cs): read at each load, so a publication on any instance counts at once.
        var published = (await connection.QueryAsync<(string Code, string BoundaryCode)>(new CommandDefinition("""
            select l.code, l.boundary_code from commune_code_link l join dataset_version v on v.id = l.dataset_version_id
            where v.status = 'published'
            """, cancellationToken: ct))).ToList();
        var links = published.Where(l => correspondences.GetValueOrDefault(("commune", l.Code)) != l.BoundaryCode)
            .ToDictionary(l => l.Code, l => l.BoundaryCode, StringComparer.Ordinal);
        if (published.Count > 0)
        {
            var all = new Dictionary<(string Level, string Code), string>(correspondences);
            foreach (var (code, boundaryCode) in published)
            {
                all[("commune", code)] = boundaryCode;
            }

            correspondences = all;
        }

        return new PipelineContext(territories, correspondences, indicators, links);
    }

    /// <summary>The same context knowing one more indicator (one a contribution's mapping defines).</summary>
    public PipelineContext With(IndicatorRules indicator)
    {
        var indicators = Indicators.ToDictionary(StringComparer.Ordinal);
        indicators[indicator.Code] = indicator;
        return new PipelineContext(Territories, Correspondences, indicators, CommuneLinks);
    }

    /// <summary>Later-vintage commune codes → the one boundary-vintage commune they correspond to, when there is exactly one.</summary>
    public static Dictionary<(string Level, string Code), string> ReadCorrespondences(
        IReadOnlyList<CodeCorrespondence> correspondences, string dataDirectory)
    {
        var result = new Dictionary<(string, string), string>();
        foreach (var c in correspondences)
        {
            var csv = CsvFile.Read(Path.Combine(dataDirectory, c.Path), c.Path);
            int boundary = csv.Column(c.BoundaryCode), other = csv.Column(c.OtherCode);
            foreach (var group in csv.Records.Where(r => r[other].Length > 0).GroupBy(r => r[other]))
            {
                var targets = group.Select(r => r[boundary]).Distinct().ToList();
                if (targets.Count == 1)
                {
                    result[(c.Level, group.Key)] = targets[0];
                }
            }
        }

        return result;
    }
}

/// <summary>A series of an official file that no catalogue indicator holds: its rows were refused, counted here.</summary>
public sealed record UnmappedSeries(string Series, long Rows, string Reason);

/// <summary>
/// What validation found in one file, before anything changed: shown as a page, returned as JSON, kept with the
/// dataset version. Rejected rows are listed up to <see cref="MaxListed"/>; the counts are always complete.
/// </summary>
public sealed class ValidationReport
{
    public const int MaxListed = 500;

    public required string File { get; init; }
    public long Read { get; set; }
    public long Accepted { get; set; }
    public long RejectedCount { get; set; }
    public List<RowProblem> Rejected { get; init; } = [];
    public List<UnmatchedCode> UnknownCodes { get; init; } = [];

    /// <summary>Rows whose later-vintage code was carried to the boundary vintage through the COG correspondence.</summary>
    public long CodesCarried { get; set; }

    public long Duplicates { get; set; }
    public long OutOfRange { get; set; }

    /// <summary>The producer's official layout recognised by the file's header (Datasets/OfficialLayouts), or null.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Layout { get; set; }

    /// <summary>Series of an official file that no catalogue indicator holds: refused, counted apart.</summary>
    public List<UnmappedSeries> Unmapped { get; init; } = [];
    public long SecretMarkers { get; set; }
    public long MissingMarkers { get; set; }

    /// <summary>
    /// For INSEE's commune correspondences (Datasets/GeographyChanges): what the file says and what publishing it would
    /// change in the perimeters in force; null for files of figures.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public TerritoryAtlas.Web.Datasets.GeographyReport? Geography { get; set; }

    /// <summary>For a boundary layer (Datasets/BoundaryUpload): what the layer holds and what publishing it replaces; null otherwise.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public TerritoryAtlas.Web.Datasets.BoundaryReport? Boundaries { get; set; }

    /// <summary>Set when the file could not be read at all (encoding, structure, size): nothing was staged.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? FileError { get; set; }

    public void Reject(RowProblem problem)
    {
        RejectedCount++;
        if (Rejected.Count < MaxListed)
        {
            Rejected.Add(problem);
        }
    }
}

/// <summary>
/// The one path from a file to observations, whoever brings it: a reader yields <see cref="SourceObservation"/> rows,
/// <see cref="Validate"/> places them on territories and checks them (lazily, so a large file streams through with
/// bounded memory), <see cref="CopyAsync"/> stages the accepted figures with PostgreSQL's binary COPY. The `import`
/// verb then moves them into observation (insert_observations.sql); a contribution keeps them as a draft version
/// (Datasets/) until it is published.
/// </summary>
public static class ObservationPipeline
{
    /// <summary>
    /// The accepted rows of <paramref name="rows"/>, filling <paramref name="report"/> as it goes. With
    /// <paramref name="strict"/> (the `import` verb, whose files are the platform's own) the first unreadable row or
    /// unknown indicator fails the whole file; unknown territory codes are counted, never fatal.
    /// </summary>
    public static IEnumerable<StagedObservation> Validate(
        IEnumerable<SourceObservation> rows, ValidationReport report, PipelineContext context, bool strict = false,
        Action<long>? progress = null)
    {
        var keys = new HashSet<(string, int, int)>();
        var unknown = new Dictionary<(string Level, string Code), (string Name, int Rows)>();
        foreach (var row in rows)
        {
            report.Read++;
            if (progress is not null && report.Read % 10_000 == 0)
            {
                progress(report.Read);
            }

            if (row.Rejection is { } problem)
            {
                if (strict)
                {
                    throw new ImportException(report.File, $"line {problem.Line}", problem.Reason);
                }

                report.Reject(problem);
                continue;
            }

            if (!context.Indicators.TryGetValue(row.Indicator, out var indicator))
            {
                if (strict)
                {
                    throw new ImportException(report.File, $"line {row.Line}",
                        $"indicator '{row.Indicator}' is not in the catalogue (indicators/catalogue.json)");
                }

                report.Reject(new RowProblem(row.Line, "indicator", $"indicator '{row.Indicator}' is not in the catalogue"));
                continue;
            }

            string? carriedFrom = null;
            if (!context.Territories.TryGetValue((row.Level, row.Code), out var territoryId))
            {
                if (context.Correspondences.TryGetValue((row.Level, row.Code), out var boundaryCode)
                    && context.Territories.TryGetValue((row.Level, boundaryCode), out territoryId))
                {
                    report.CodesCarried++;
                    carriedFrom = row.Code;
                }
                else
                {
                    var key = (row.Level, row.Code);
                    unknown[key] = unknown.TryGetValue(key, out var seen) ? (seen.Name, seen.Rows + 1) : (row.Name, 1);
                    if (!strict)
                    {
                        report.Reject(new RowProblem(row.Line, "code", $"{row.Level} '{row.Code}' is not a known territory"));
                    }

                    continue;
                }
            }

            var value = row.Value;
            if (value is null && row.Status == "ok" && row.Numerator is { } n && row.Denominator is { } d)
            {
                if (d <= 0)
                {
                    report.OutOfRange++;
                    report.Reject(new RowProblem(row.Line, "denominator", $"denominator {d} is not positive"));
                    continue;
                }

                value = n / d * (indicator.Multiplier ?? 1);
            }

            if (value is { } v && OutOfRange(indicator, v) is { } reason)
            {
                if (strict)
                {
                    throw new ImportException(report.File, $"line {row.Line}", reason);
                }

                report.OutOfRange++;
                report.Reject(new RowProblem(row.Line, "value", reason));
                continue;
            }

            if (!keys.Add((row.Indicator, territoryId, row.Year)))
            {
                report.Duplicates++;
                if (!strict)
                {
                    report.Reject(new RowProblem(row.Line, "", $"{row.Indicator} {row.Level} {row.Code} {row.Year} is given twice"));
                }

                continue;
            }

            switch (row.Status)
            {
                case "suppressed":
                    report.SecretMarkers++;
                    break;
                case "missing":
                    report.MissingMarkers++;
                    break;
            }

            report.Accepted++;
            yield return new StagedObservation(row.Indicator, territoryId, (short)row.Year, value, row.Numerator, row.Denominator,
                row.Status, row.Flag, row.Cog, carriedFrom);
        }

        report.UnknownCodes.AddRange(unknown.Select(u => new UnmatchedCode(u.Key.Level, u.Key.Code, u.Value.Name, u.Value.Rows))
            .OrderBy(u => u.Level).ThenBy(u => u.Code, StringComparer.Ordinal));
        if (strict)
        {
            // The import verb reports unmatched codes apart from rejected rows (a file's old codes are expected there).
            report.RejectedCount = report.Read - report.Accepted;
        }

        progress?.Invoke(report.Read);
    }

    /// <summary>
    /// The range a figure of this kind can take: counts and amounts are not negative; shares are 0–100 %; ratios and
    /// indexes given in (0-1) are not negative either (their upper bound depends on the indicator).
    /// </summary>
    private static string? OutOfRange(IndicatorRules indicator, double value) => indicator.Kind switch
    {
        "count" or "amount" or "rate" or "ratio" or "index" when value < 0 => $"{value} is negative, impossible for a {indicator.Kind}",
        "share" when value is < 0 or > 100 => $"{value} is outside 0–100 for a share in %",
        _ => null,
    };

    /// <summary>
    /// Copies figures into <paramref name="table"/> (columns indicator_code, territory_id, year, value, numerator,
    /// denominator, status, flag, cog, plus <paramref name="extraColumn"/> set to one value for every row when given).
    /// </summary>
    public static async Task<long> CopyAsync(
        NpgsqlConnection connection, string table, IEnumerable<StagedObservation> rows, CancellationToken ct,
        (string Name, long Value)? extraColumn = null)
    {
        var columns = "indicator_code, territory_id, year, value, numerator, denominator, status, flag, cog"
                      + (extraColumn is { } extra ? ", " + extra.Name : "");
        long count = 0;
        await using var writer = await connection.BeginBinaryImportAsync($"copy {table} ({columns}) from stdin (format binary)", ct);
        foreach (var s in rows)
        {
            await writer.StartRowAsync(ct);
            await writer.WriteAsync(s.Indicator, NpgsqlDbType.Text, ct);
            await writer.WriteAsync(s.TerritoryId, NpgsqlDbType.Integer, ct);
            await writer.WriteAsync(s.Year, NpgsqlDbType.Smallint, ct);
            await writer.WriteAsync(s.Value, NpgsqlDbType.Double, ct);
            await writer.WriteAsync(s.Numerator, NpgsqlDbType.Double, ct);
            await writer.WriteAsync(s.Denominator, NpgsqlDbType.Double, ct);
            await writer.WriteAsync(s.Status, NpgsqlDbType.Text, ct);
            await writer.WriteAsync(s.Flag, NpgsqlDbType.Text, ct);
            await writer.WriteAsync(s.Cog, NpgsqlDbType.Smallint, ct);
            if (extraColumn is { } e)
            {
                await writer.WriteAsync(e.Value, NpgsqlDbType.Bigint, ct);
            }

            count++;
        }

        await writer.CompleteAsync(ct);
        return count;
    }
}
