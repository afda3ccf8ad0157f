namespace TerritoryAtlas.Web.Maps;

/// <summary>
/// ColorBrewer palettes (Cynthia Brewer, Apache-2.0), all flagged colour-blind safe by ColorBrewer. The palette follows
/// the indicator's polarity: sequential palettes darken towards "more of what is measured", and red only ever means
/// worse (higher-is-worse → oranges-reds, higher-is-better → blues, neutral → purples). Diverging palettes are
/// turned so that their red end is the worse end.
/// </summary>
public static class Palettes
{
    public sealed record Palette(string Name, string Kind, string[] Nine);

    private static readonly Palette[] All =
    [
        new("OrRd", "sequential", ["#fff7ec", "#fee8c8", "#fdd49e", "#fdbb84", "#fc8d59", "#ef6548", "#d7301f", "#b30000", "#7f0000"]),
        new("Blues", "sequential", ["#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"]),
        new("Purples", "sequential", ["#fcfbfd", "#efedf5", "#dadaeb", "#bcbddc", "#9e9ac8", "#807dba", "#6a51a3", "#54278f", "#3f007d"]),
        new("Greens", "sequential", ["#f7fcf5", "#e5f5e0", "#c7e9c0", "#a1d99b", "#74c476", "#41ab5d", "#238b45", "#006d2c", "#00441b"]),
        new("YlGnBu", "sequential", ["#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#253494", "#081d58"]),
        // Diverging, listed from their red/brown end.
        new("RdYlBu", "diverging", ["#d73027", "#f46d43", "#fdae61", "#fee090", "#ffffbf", "#e0f3f8", "#abd9e9", "#74add1", "#4575b4"]),
        new("PuOr", "diverging", ["#b35806", "#e08214", "#fdb863", "#fee0b6", "#f7f7f7", "#d8daeb", "#b2abd2", "#8073ac", "#542788"]),
        new("BrBG", "diverging", ["#8c510a", "#bf812d", "#dfc27d", "#f6e8c3", "#f5f5f5", "#c7eae5", "#80cdc1", "#35978f", "#01665e"]),
    ];

    public const string NoData = "#d9d9d9";
    public const string Suppressed = "#9e9e9e";

    /// <summary>Comparison with a reference: better / similar / worse (or lower / similar / higher when neutral).</summary>
    public static readonly IReadOnlyDictionary<string, string> Comparison = new Dictionary<string, string>
    {
        ["better"] = "#4575b4",
        ["similar"] = "#fee090",
        ["worse"] = "#d73027",
        ["lower"] = "#9ecae1",
        ["higher"] = "#6a51a3",
    };

    public static IReadOnlyList<string> Names => All.Select(p => p.Name).ToList();

    public static bool IsKnown(string name) => name == "auto" || All.Any(p => p.Name == name);

    public static string ForPolarity(int polarity) => polarity switch
    {
        < 0 => "OrRd",
        > 0 => "Blues",
        _ => "Purples",
    };

    /// <summary>The colours of k classes, lowest first, for a palette name (or "auto") and the indicator's polarity.</summary>
    public static (string Name, string[] Colours) Resolve(string name, int polarity, int classes)
    {
        var palette = All.FirstOrDefault(p => p.Name == (name == "auto" ? ForPolarity(polarity) : name))
                      ?? throw new ArgumentException($"unknown palette '{name}'", nameof(name));
        var nine = palette.Nine;
        if (palette.Kind == "diverging" && polarity < 0)
        {
            // Low values are the good ones: blue first, red last.
            nine = [.. nine.Reverse()];
        }

        return (palette.Name, Spread(nine, classes, skipPalest: palette.Kind == "sequential"));
    }

    /// <summary>Sequential colours, lowest first; kept for callers that only know a palette name.</summary>
    public static string[] Colours(string palette, int classes)
    {
        var found = All.FirstOrDefault(p => p.Name == palette) ?? throw new ArgumentException($"unknown palette '{palette}'", nameof(palette));
        return Spread(found.Nine, classes, skipPalest: found.Kind == "sequential");
    }

    /// <summary>
    /// k colours spread over the nine; a sequential palette skips its palest (hard to tell from the background)
    /// unless all nine are needed.
    /// </summary>
    private static string[] Spread(string[] nine, int classes, bool skipPalest)
    {
        if (classes <= 1)
        {
            return [nine[5]];
        }

        var first = skipPalest && classes < 9 ? 1 : 0;
        return Enumerable.Range(0, classes)
            .Select(i => nine[first + (int)Math.Round(i * (8.0 - first) / (classes - 1), MidpointRounding.AwayFromZero)])
            .ToArray();
    }
}
