using System.Globalization;
using Microsoft.Extensions.Primitives;
using TerritoryAtlas.Web.Indicators;
using TerritoryAtlas.Web.Maps;
using TerritoryAtlas.Web.Territories;

namespace TerritoryAtlas.Web.Export;

/// <summary>One exported column: the figures of an indicator in a year.</summary>
public sealed record ExportPair(IndicatorInfo Indicator, int Year)
{
    /// <summary>The property name when several pairs are exported: <c>{indicator}_{year}</c>.</summary>
    public string Key => $"{Indicator.Code}_{Year}";
}

/// <summary>A territory named in a <c>within</c> filter, resolved to its id.</summary>
public sealed record WithinTerritory(string Level, string Code, int Id);

/// <summary>West, south, east, north in WGS84 degrees (RFC 7946 and OGC API order).</summary>
public sealed record BoundingBox(double West, double South, double East, double North);

/// <summary>
/// A validated export: what the query parameters asked for, checked against the catalogue, ready for the one SQL query.
/// Parsing is separate from execution so that every mistake is refused (400, naming the parameter) before the first
/// byte of a download is sent.
/// </summary>
public sealed record ExportRequest(
    string Level, IReadOnlyList<ExportPair> Pairs, WithinTerritory? Within, double? Min, double? Max, BoundingBox? Bbox,
    int Crs, double Simplify, char Separator, bool Bom, string? Code = null, int? Limit = null, string? After = null)
{
    public const double MaxSimplify = 10_000;

    /// <summary>Metres to degrees for the simplification tolerance: 1° of latitude ≈ 111,320 m.</summary>
    public const double MetresPerDegree = 111_320;

    /// <summary>The parent levels written beside each territory's code, widest first (france and zone say nothing).</summary>
    public IReadOnlyList<string> ParentLevels => ParentLevelsOf(Level);

    public static IReadOnlyList<string> ParentLevelsOf(string level) => Levels.ExportParentsOf(level);

    /// <summary>A file name that says what the file holds: level, area, indicators, years.</summary>
    public string FileStem
    {
        get
        {
            var parts = new List<string> { "territoryatlas", Level };
            if (Within is { } within)
            {
                parts.Add($"{within.Level}-{within.Code}");
            }

            parts.AddRange(Pairs.Select(p => p.Indicator.Code).Distinct());
            parts.AddRange(Pairs.Select(p => p.Year.ToString(CultureInfo.InvariantCulture)).Distinct());
            if (Crs != 4326)
            {
                parts.Add($"epsg{Crs}");
            }

            return string.Join('_', parts);
        }
    }

    public static readonly IReadOnlySet<string> ExportParameters =
        new HashSet<string>(["indicator", "year", "within", "min", "max", "bbox", "crs", "simplify"]);

    public static readonly IReadOnlySet<string> CsvParameters =
        new HashSet<string>(ExportParameters.Concat(["sep", "bom"]));

    /// <summary>Parses and checks the query string; throws <see cref="ParameterException"/> naming the parameter.</summary>
    public static async Task<ExportRequest> ParseAsync(
        string level, IQueryCollection query, IReadOnlySet<string> allowed, IndicatorQueries indicators, Accounts.Viewer viewer,
        Func<string, string, CancellationToken, Task<int?>> findTerritory, CancellationToken ct)
    {
        if (!Levels.IsKnown(level))
        {
            throw new ParameterException("level", $"unknown level '{level}'; levels are {string.Join(", ", Levels.Ordered)}", 404);
        }

        if (query.Keys.FirstOrDefault(k => !allowed.Contains(k)) is { } unknown)
        {
            throw new ParameterException(unknown, $"unknown parameter '{unknown}'; parameters are {string.Join(", ", allowed.Order())}");
        }

        var codes = List(query["indicator"]);
        var years = List(query["year"]).Select(y => int.TryParse(y, NumberStyles.None, CultureInfo.InvariantCulture, out var year)
            ? year
            : throw new ParameterException("year", $"'{y}' is not a year; give years as 2019 or 2018,2019")).Distinct().ToList();
        if (codes.Count == 0 && years.Count > 0)
        {
            throw new ParameterException("year", "a year needs an indicator: add indicator=…");
        }

        var pairs = new List<ExportPair>();
        foreach (var code in codes.Distinct())
        {
            // One the caller may not read is unknown, with the unknown indicator's 404: nothing says it exists.
            var indicator = await indicators.FindAsync(code, viewer, ct)
                            ?? throw new ParameterException("indicator", $"unknown indicator '{code}'; see /api/indicators", 404);
            if (!indicator.YearsByLevel.TryGetValue(level, out var available))
            {
                throw new ParameterException("indicator", $"indicator '{code}' has no figures at level '{level}'; levels: {string.Join(", ", indicator.Levels)}");
            }

            if (years.Count == 0)
            {
                pairs.Add(new ExportPair(indicator, available[^1]));
                continue;
            }

            foreach (var year in years)
            {
                pairs.Add(available.Contains(year)
                    ? new ExportPair(indicator, year)
                    : throw new ParameterException("year", $"indicator '{code}' has no figures for {year} at level '{level}'; years: {string.Join(", ", available)}"));
            }
        }

        if (pairs.Count > 200)
        {
            throw new ParameterException("indicator", "at most 200 indicator × year columns per export");
        }

        WithinTerritory? within = null;
        if (Single(query, "within") is { } withinText)
        {
            var colon = withinText.IndexOf(':', StringComparison.Ordinal);
            var withinLevel = colon > 0 ? withinText[..colon] : "";
            var withinCode = colon > 0 ? withinText[(colon + 1)..] : "";
            if (!Levels.IsKnown(withinLevel) || withinCode.Length == 0)
            {
                throw new ParameterException("within", $"'{withinText}' is not level:code, e.g. within=departement:93");
            }

            if (Rank(withinLevel) > Rank(level))
            {
                throw new ParameterException("within", $"a {level} cannot lie within a {withinLevel}: name a wider level");
            }

            var id = await findTerritory(withinLevel, withinCode, ct)
                     ?? throw new ParameterException("within", $"no {withinLevel} has the code '{withinCode}'");
            within = new WithinTerritory(withinLevel, withinCode, id);
        }

        var min = Number(query, "min");
        var max = Number(query, "max");
        if ((min is not null || max is not null) && pairs.Count == 0)
        {
            throw new ParameterException(min is not null ? "min" : "max", "a value range needs an indicator: add indicator=…");
        }

        if (min > max)
        {
            throw new ParameterException("min", $"min ({min}) is greater than max ({max})");
        }

        var bbox = ParseBbox(Single(query, "bbox"));
        var crs = Single(query, "crs") switch
        {
            null or "4326" or "EPSG:4326" or "http://www.opengis.net/def/crs/OGC/1.3/CRS84" => 4326,
            "2154" or "EPSG:2154" or "http://www.opengis.net/def/crs/EPSG/0/2154" => 2154,
            var other => throw new ParameterException("crs", $"unsupported crs '{other}'; use 4326 (WGS84, the default) or 2154 (Lambert-93)"),
        };
        var simplify = Number(query, "simplify") ?? 0;
        if (simplify is < 0 or > MaxSimplify)
        {
            throw new ParameterException("simplify", $"simplify is a tolerance in metres between 0 and {MaxSimplify}");
        }

        var separator = Single(query, "sep") switch
        {
            null or "," => ',',
            ";" => ';',
            var other => throw new ParameterException("sep", $"unsupported separator '{other}'; use , (default) or ;"),
        };
        var bom = Single(query, "bom") switch
        {
            null or "false" or "0" => false,
            "true" or "1" => true,
            var other => throw new ParameterException("bom", $"'{other}' is not true or false"),
        };
        return new ExportRequest(level, pairs, within, min, max, bbox, crs, simplify, separator, bom);
    }

    public static BoundingBox? ParseBbox(string? text)
    {
        if (text is null)
        {
            return null;
        }

        var parts = text.Split(',');
        var numbers = new double[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out numbers[i]) || !double.IsFinite(numbers[i]))
            {
                throw new ParameterException("bbox", $"'{text}' is not west,south,east,north in degrees");
            }
        }

        if (numbers.Length != 4)
        {
            throw new ParameterException("bbox", $"'{text}' has {numbers.Length} numbers; give west,south,east,north in degrees");
        }

        var box = new BoundingBox(numbers[0], numbers[1], numbers[2], numbers[3]);
        if (box.West is < -180 or > 180 || box.East is < -180 or > 180 || box.South is < -90 or > 90 || box.North is < -90 or > 90)
        {
            throw new ParameterException("bbox", "longitudes must lie in [-180, 180] and latitudes in [-90, 90]");
        }

        if (box.West >= box.East || box.South >= box.North)
        {
            throw new ParameterException("bbox", "west must be less than east and south less than north");
        }

        return box;
    }

    private static int Rank(string level) => Levels.RankOf(level);

    private static List<string> List(StringValues values) =>
        values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();

    private static string? Single(IQueryCollection query, string name) => query[name].Count switch
    {
        0 => null,
        1 => query[name][0],
        _ => throw new ParameterException(name, $"'{name}' is given more than once"),
    };

    private static double? Number(IQueryCollection query, string name) => Single(query, name) switch
    {
        null => null,
        var text when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number) => number,
        var text => throw new ParameterException(name, $"'{text}' is not a number (use a point for decimals)"),
    };
}
