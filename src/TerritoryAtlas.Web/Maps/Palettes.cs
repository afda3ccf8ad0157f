namespace TerritoryAtlas.Web.Maps;

/// <summary>
/// ColorBrewer sequential palettes (Cynthia Brewer, Apache-2.0), all colour-blind safe. The palette follows the
/// indicator's polarity so that "darker" reads as "more of what the indicator measures" and red only ever means
/// worse: higher-is-worse → oranges-reds, higher-is-better → blues, neutral → purples.
/// </summary>
public static class Palettes
{
    private static readonly Dictionary<string, string[]> Nine = new()
    {
        ["OrRd"] = ["#fff7ec", "#fee8c8", "#fdd49e", "#fdbb84", "#fc8d59", "#ef6548", "#d7301f", "#b30000", "#7f0000"],
        ["Blues"] = ["#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"],
        ["Purples"] = ["#fcfbfd", "#efedf5", "#dadaeb", "#bcbddc", "#9e9ac8", "#807dba", "#6a51a3", "#54278f", "#3f007d"],
    };

    public const string NoData = "#d9d9d9";
    public const string Suppressed = "#9e9e9e";

    public static string ForPolarity(int polarity) => polarity switch
    {
        < 0 => "OrRd",
        > 0 => "Blues",
        _ => "Purples",
    };

    public static IReadOnlyList<string> Names => Nine.Keys.ToList();

    /// <summary>
    /// k colours spread over the nine, skipping the palest (hard to tell from the background) unless all nine
    /// are needed.
    /// </summary>
    public static string[] Colours(string palette, int classes)
    {
        var nine = Nine.TryGetValue(palette, out var found) ? found : throw new ArgumentException($"unknown palette '{palette}'", nameof(palette));
        if (classes <= 1)
        {
            return [nine[5]];
        }

        var first = classes >= 9 ? 0 : 1;
        return Enumerable.Range(0, classes)
            .Select(i => nine[first + (int)Math.Round(i * (8.0 - first) / (classes - 1), MidpointRounding.AwayFromZero)])
            .ToArray();
    }
}
