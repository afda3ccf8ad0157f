using System.Collections.Concurrent;
using Dapper;
using Microsoft.Extensions.Caching.Memory;
using Npgsql;
using TerritoryAtlas.Web.Data;
using TerritoryAtlas.Web.Indicators;

namespace TerritoryAtlas.Web.Maps;

/// <summary>What the map colours by: codes and values of one (level, indicator, year) with the class breaks.</summary>
public sealed record MapValues(
    string Level, string Indicator, int Year, string Label, string Unit, int Decimals, int Polarity, string Source,
    long DataVersion, MapClassification Classification, int Territories, int NoData, int Suppressed,
    IReadOnlyList<string> Codes, IReadOnlyList<double?> Values, IReadOnlyList<string> Statuses, IReadOnlyList<int?> Classes);

public sealed record MapClassification(string Method, int Classes, IReadOnlyList<double> Bounds, IReadOnlyList<int> Counts,
    string Palette, IReadOnlyList<string> Colours, string NoDataColour, string SuppressedColour);

/// <summary>A parameter the client got wrong, named so the problem response can say which.</summary>
public sealed class MapRequestException(string parameter, string message, int status = StatusCodes.Status400BadRequest) : Exception(message)
{
    public string Parameter { get; } = parameter;
    public int Status { get; } = status;
}

public sealed class MapQueries(NpgsqlDataSource db, IndicatorQueries indicators, IMemoryCache cache)
{
    private readonly ConcurrentDictionary<string, int> _territoryCounts = new();

    public async Task<long> DataVersionAsync(CancellationToken ct)
    {
        await using var command = db.CreateCommand("select version from data_version");
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    public async Task<MapValues> ValuesAsync(string level, string indicatorCode, int year, string method, int classes, CancellationToken ct)
    {
        if (!Levels.IsKnown(level))
        {
            throw new MapRequestException("level", $"unknown level '{level}'; levels are {string.Join(", ", Levels.Ordered)}", 404);
        }

        var indicator = await indicators.FindAsync(indicatorCode, ct)
                        ?? throw new MapRequestException("indicator", $"unknown indicator '{indicatorCode}'; see /api/indicators", 404);
        if (!indicator.YearsByLevel.TryGetValue(level, out var years))
        {
            throw new MapRequestException("level", $"indicator '{indicatorCode}' has no figures at level '{level}'; levels: {string.Join(", ", indicator.Levels)}", 404);
        }

        if (!years.Contains(year))
        {
            throw new MapRequestException("year", $"indicator '{indicatorCode}' has no figures for {year} at level '{level}'; years: {string.Join(", ", years)}", 404);
        }

        if (!Classification.Methods.Contains(method))
        {
            throw new MapRequestException("classification", $"unsupported classification '{method}'; use {string.Join(", ", Classification.Methods)}");
        }

        if (classes is < Classification.MinClasses or > Classification.MaxClasses)
        {
            throw new MapRequestException("classes", $"classes must be between {Classification.MinClasses} and {Classification.MaxClasses}");
        }

        var version = await DataVersionAsync(ct);
        return (await cache.GetOrCreateAsync((version, level, indicatorCode, year, method, classes), async entry =>
        {
            entry.SetSize(1).SetSlidingExpiration(TimeSpan.FromMinutes(30));
            await using var connection = await db.OpenConnectionAsync(ct);
            var rows = (await connection.QueryAsync<(string Code, double? Value, string Status)>(new CommandDefinition(
                AtlasDatabase.Sql("Maps.map_values.sql"), new { level, indicator = indicatorCode, year = (short)year }, cancellationToken: ct))).ToList();
            var territories = await TerritoryCountAsync(connection, version, level, ct);
            var breaks = Classification.Compute(method, rows.Where(r => r.Value.HasValue).Select(r => r.Value!.Value).ToList(), classes);
            var palette = Palettes.ForPolarity(indicator.Polarity);
            var classification = new MapClassification(method, breaks.Classes, breaks.Bounds, breaks.Counts, palette,
                Palettes.Colours(palette, Math.Max(breaks.Classes, 1)), Palettes.NoData, Palettes.Suppressed);
            return new MapValues(level, indicatorCode, year, indicator.Label, indicator.Unit, indicator.Decimals, indicator.Polarity,
                indicator.Source, version, classification, territories,
                NoData: territories - rows.Count(r => r.Status != "missing"),
                Suppressed: rows.Count(r => r.Status == "suppressed"),
                rows.Select(r => r.Code).ToList(), rows.Select(r => r.Value).ToList(), rows.Select(r => r.Status).ToList(),
                rows.Select(r => r.Value is { } v && breaks.Classes > 0 ? breaks.ClassOf(v) : (int?)null).ToList());
        }))!;
    }

    private async Task<int> TerritoryCountAsync(NpgsqlConnection connection, long version, string level, CancellationToken ct)
    {
        var key = $"{version}:{level}";
        if (_territoryCounts.TryGetValue(key, out var count))
        {
            return count;
        }

        count = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "select count(*)::int from territory where level = @level", new { level }, cancellationToken: ct));
        _territoryCounts[key] = count;
        return count;
    }
}
