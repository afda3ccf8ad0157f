using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Primitives;
using Classifications = TerritoryAtlas.Web.Maps.Classification;

namespace TerritoryAtlas.Web.Maps;

/// <summary>
/// What a map view asks for. Everything here also lives in URLs: the page's permalink, the embed's, and the query of
/// `GET /api/maps/{level}/{indicator}/{year}`. <see cref="FromQuery"/> reads it from any of them and
/// <see cref="ToQuery"/> writes it, with the same defaults everywhere; js/map-request.js writes the values API's URL
/// from what <see cref="ToClient"/> hands the browser.
/// </summary>
public sealed record MapRequest(
    string Level, string Indicator, int Year, string Classification = MapRequest.DefaultClassification,
    int Classes = MapRequest.DefaultClasses, IReadOnlyList<double>? Breaks = null, string Palette = MapRequest.DefaultPalette,
    string Mode = MapRequest.DefaultMode, string Reference = MapRequest.DefaultReference, string? Within = null)
{
    public const string DefaultClassification = "quantile";
    public const int DefaultClasses = 5;
    public const string DefaultPalette = "auto";
    public const string DefaultMode = "classes";
    public const string DefaultReference = "parent";

    public static readonly IReadOnlyList<string> Modes = ["classes", "compare"];
    public static readonly IReadOnlyList<string> References = ["parent", "france"];

    /// <summary>The query parameters of a request besides level, indicator and year (the values API's path).</summary>
    public static readonly IReadOnlyList<string> OptionNames = ["classification", "classes", "breaks", "palette", "mode", "reference", "within"];

    /// <summary>Everything the request asks for, as one string (the page's boot key).</summary>
    public string CacheKey
    {
        get
        {
            var key = new DefaultInterpolatedStringHandler(9, 10, CultureInfo.InvariantCulture);
            AppendOptions(ref key);
            return key.ToStringAndClear();
        }
    }

    /// <summary>
    /// A cache entry's name for this request's <paramref name="kind"/> of result at a data version (and a study area's
    /// version, when one is the reference): built on every warm map request, so in one string, without boxing.
    /// </summary>
    public string KeyOf(string kind, long version, string? areaVersion)
    {
        var key = new DefaultInterpolatedStringHandler(12, 13, CultureInfo.InvariantCulture);
        key.AppendLiteral(kind);
        key.AppendLiteral("|");
        key.AppendFormatted(version);
        key.AppendLiteral("|");
        AppendOptions(ref key);
        key.AppendLiteral("|");
        key.AppendFormatted(areaVersion);
        return key.ToStringAndClear();
    }

    private void AppendOptions(ref DefaultInterpolatedStringHandler key)
    {
        key.AppendFormatted(Level);
        key.AppendLiteral("|");
        key.AppendFormatted(Indicator);
        key.AppendLiteral("|");
        key.AppendFormatted(Year);
        key.AppendLiteral("|");
        key.AppendFormatted(Classification);
        key.AppendLiteral("|");
        key.AppendFormatted(Classes);
        key.AppendLiteral("|");
        key.AppendFormatted(BreaksText);
        key.AppendLiteral("|");
        key.AppendFormatted(Palette);
        key.AppendLiteral("|");
        key.AppendFormatted(Mode);
        key.AppendLiteral("|");
        key.AppendFormatted(Reference);
        key.AppendLiteral("|");
        key.AppendFormatted(Within);
    }

    /// <summary>Manual breaks as URLs carry them: "10,15,20"; empty when there are none.</summary>
    public string BreaksText => Breaks is { Count: > 0 } ? string.Join(',', Breaks.Select(b => b.ToString(CultureInfo.InvariantCulture))) : "";

    /// <summary>A comparison reference naming a study area (area:ID) rather than France or the parents.</summary>
    public static bool IsAreaReference(string reference) =>
        reference.StartsWith("area:", StringComparison.Ordinal) && long.TryParse(reference.AsSpan(5), out _);

    /// <summary>
    /// The request a URL's query asks for, with <paramref name="level"/>, <paramref name="indicator"/> and
    /// <paramref name="year"/> taken from wherever the URL has them. A missing or empty option takes its default.
    /// </summary>
    /// <remarks>
    /// Without <paramref name="ignored"/> the options are taken as given and <see cref="OptionError"/> (the values
    /// API, through MapQueries) says what is wrong with them; breaks that are not numbers throw at once. With it (a
    /// link pasted into the page: never an error page), an unusable option takes its default and is listed there as
    /// name=value, and breaks that do not read are left to the page, which shows the reader's text as typed.
    /// </remarks>
    public static MapRequest FromQuery(string level, string indicator, int year, IEnumerable<KeyValuePair<string, StringValues>> query,
        ICollection<string>? ignored = null)
    {
        // The first value of each option given (read on every map request: a loop, and no dictionary without options).
        Dictionary<string, string>? given = null;
        foreach (var (name, values) in query)
        {
            if (!StringValues.IsNullOrEmpty(values) && OptionNames.Contains(name))
            {
                (given ??= new(StringComparer.Ordinal)).TryAdd(name, values.ToString());
            }
        }

        T Option<T>(string name, Func<string, (bool Read, T Value)> read, Func<T, bool> valid, T fallback)
        {
            if (given is null || !given.TryGetValue(name, out var text))
            {
                return fallback;
            }

            var (ok, value) = read(text);
            if (ignored is null)
            {
                return ok ? value : fallback;
            }

            if (ok && valid(value))
            {
                return value;
            }

            ignored.Add(Ignored(name, text));
            return fallback;
        }

        static (bool, string) Text(string text) => (true, text);
        IReadOnlyList<double>? breaks = null;
        if (given is not null && given.TryGetValue("breaks", out var breaksText))
        {
            try
            {
                breaks = ParseBreaks(breaksText);
            }
            catch (ParameterException) when (ignored is not null)
            {
                breaks = null;
            }
        }

        return new MapRequest(level, indicator, year,
            Option("classification", Text, IsClassification, DefaultClassification),
            Option("classes", t => (int.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out var k), k), IsClassCount, DefaultClasses),
            breaks,
            Option("palette", Text, Palettes.IsKnown, DefaultPalette),
            Option("mode", Text, Modes.Contains, DefaultMode),
            Option("reference", Text, IsReference, DefaultReference),
            given?.GetValueOrDefault("within"));
    }

    /// <summary>How a link's parameter that cannot be used is listed to the reader: name=value, cut at 40 characters.</summary>
    public static string Ignored(string name, string given) => $"{name}={(given.Length > 40 ? given[..40] + "…" : given)}";

    /// <summary>
    /// The request as a URL's query: level, indicator and year, then the options that differ from their defaults
    /// (the reference whenever the view compares). The page's permalink and the embed's link are written by it.
    /// </summary>
    public IEnumerable<KeyValuePair<string, string>> ToQuery() =>
        new KeyValuePair<string, string>[] { new("level", Level), new("indicator", Indicator), new("year", Year.ToString(CultureInfo.InvariantCulture)) }
            .Concat(OptionsQuery());

    /// <summary>The options of <see cref="ToQuery"/> alone: the values API's query.</summary>
    public IEnumerable<KeyValuePair<string, string>> OptionsQuery()
    {
        if (Classification != DefaultClassification)
        {
            yield return new("classification", Classification);
        }

        if (Classes != DefaultClasses)
        {
            yield return new("classes", Classes.ToString(CultureInfo.InvariantCulture));
        }

        if (Breaks is { Count: > 0 })
        {
            yield return new("breaks", BreaksText);
        }

        if (Palette != DefaultPalette)
        {
            yield return new("palette", Palette);
        }

        if (Mode != DefaultMode)
        {
            yield return new("mode", Mode);
        }

        if (Mode == "compare")
        {
            yield return new("reference", Reference);
        }

        if (!string.IsNullOrEmpty(Within))
        {
            yield return new("within", Within);
        }
    }

    /// <summary>
    /// The request as the browser's map module takes it (choropleth.js show, map-boot.js, embed.js): level, indicator,
    /// year and the options of <see cref="OptionsQuery"/>, which js/map-request.js writes into the values API's URL.
    /// </summary>
    public Dictionary<string, object> ToClient()
    {
        var client = new Dictionary<string, object>(StringComparer.Ordinal) { ["level"] = Level, ["indicator"] = Indicator, ["year"] = Year };
        foreach (var (name, value) in OptionsQuery())
        {
            client[name] = value;
        }

        return client;
    }

    /// <summary>
    /// The first option the values cannot be computed with, in the order the values API reports them; null when
    /// they all can. Level, indicator and year depend on the catalogue: MapQueries checks them first.
    /// </summary>
    public ParameterException? OptionError()
    {
        if (!IsClassification(Classification))
        {
            return new ParameterException("classification", $"unsupported classification '{Classification}'; use {string.Join(", ", Classifications.Methods)}");
        }

        if (Classification == "manual" && (Breaks is null || Breaks.Count is 0 or > Classifications.MaxClasses - 1))
        {
            return new ParameterException("breaks", $"manual classification needs 1 to {Classifications.MaxClasses - 1} breaks, e.g. breaks=10,15,20");
        }

        if (!IsClassCount(Classes))
        {
            return new ParameterException("classes", $"classes must be between {Classifications.MinClasses} and {Classifications.MaxClasses}");
        }

        if (!Palettes.IsKnown(Palette))
        {
            return new ParameterException("palette", $"unknown palette '{Palette}'; use auto or {string.Join(", ", Palettes.Names)}");
        }

        if (!Modes.Contains(Mode))
        {
            return new ParameterException("mode", $"unknown mode '{Mode}'; use {string.Join(" or ", Modes)}");
        }

        return IsReference(Reference)
            ? null
            : new ParameterException("reference", $"unknown reference '{Reference}'; use {string.Join(" or ", References)}, or area:ID (a study area)");
    }

    /// <summary>Manual breaks as URLs carry them: "10,15,20" (a point is the decimal separator).</summary>
    public static IReadOnlyList<double>? ParseBreaks(string? breaks)
    {
        if (string.IsNullOrWhiteSpace(breaks))
        {
            return null;
        }

        var result = new List<double>();
        foreach (var part in breaks.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!double.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            {
                throw new ParameterException("breaks", $"'{part}' is not a number; write breaks as 10,15,20");
            }

            result.Add(value);
        }

        return result;
    }

    private static bool IsClassification(string method) => Classifications.Methods.Contains(method);

    private static bool IsClassCount(int classes) => classes is >= Classifications.MinClasses and <= Classifications.MaxClasses;

    private static bool IsReference(string reference) => References.Contains(reference) || IsAreaReference(reference);
}
