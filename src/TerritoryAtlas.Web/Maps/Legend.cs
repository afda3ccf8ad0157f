using System.Globalization;

namespace TerritoryAtlas.Web.Maps;

/// <summary>
/// What a map's legend says, built once from its values: one row per class with its bounds and count (or, comparing,
/// one per position against the reference), then the territories under statistical secrecy and those without a
/// figure, each with the colour the map gives them. <see cref="MapLegend"/> renders it; js/map-legend.js builds the
/// same rows in the browser (embeds, workshops, the PNG export), by the same rules, with the same words
/// (<see cref="LegendWords"/>).
/// </summary>
public sealed record Legend(string Title, string Subtitle, IReadOnlyList<LegendRow> Rows, string? Note, string Source)
{
    /// <summary>The positions against a reference, in the legend's order (polarity 0: the indicator is neither good nor bad).</summary>
    public static IReadOnlyList<string> Categories(int polarity) => polarity == 0 ? ["lower", "similar", "higher"] : ["better", "similar", "worse"];

    /// <summary>
    /// The territories drawn in the no-data colour: those without a figure and, comparing, those with a figure but no
    /// reference to compare it with. (A commune a commune nouvelle absorbed is drawn with its figure: not counted.)
    /// </summary>
    public static int NoDataCount(MapValues values) =>
        values.NoData + (values.Mode == "compare" ? values.Reference?.WithoutReference ?? 0 : 0);

    public static Legend Of(MapValues values, MapTexts texts)
    {
        var c = values.Classification;
        var compare = values.Mode == "compare" && c.CategoryColours is not null;
        var rows = compare
            ? Categories(values.Polarity).Select(category => new LegendRow("category", c.CategoryColours!.GetValueOrDefault(category, c.NoDataColour),
                texts.Category(category), c.CategoryCounts?.GetValueOrDefault(category) ?? 0, category)).ToList()
            : ClassRows(c.Classes, c.Bounds, c.Counts, c.Colours, values.Decimals, texts.Culture);
        if (values.Suppressed > 0)
        {
            rows.Add(new LegendRow("suppressed", c.SuppressedColour, texts.Secret, values.Suppressed, null));
        }

        if (NoDataCount(values) is > 0 and var noData)
        {
            rows.Add(new LegendRow("nodata", c.NoDataColour, texts.NoData, noData, null));
        }

        var how = values.Mode == "compare"
            ? values.Reference is { Name: { } area } ? texts.ComparedWithAreaNamed(area)
                : values.Reference?.Kind == "france" ? texts.ComparedWithFrance : texts.ComparedWithParent
            : texts.MethodInLegend(c.Method);
        var note = values.Mode == "compare" && values.Reference is { } reference
            ? reference.UsesConfidenceIntervals ? texts.ConfidenceNote : texts.NoIntervalNote
            : null;
        return new Legend(values.Label, $"{values.Unit} · {values.Year} · {how}", rows, note, values.Source);
    }

    /// <summary>
    /// One row per class: its colour, its bounds ("> " from the second: a class holds its upper bound, not its lower)
    /// and how many territories it holds. The map's legend and a draft's (Datasets/DraftMap) are made of these.
    /// </summary>
    public static List<LegendRow> ClassRows(int classes, IReadOnlyList<double> bounds, IReadOnlyList<int> counts,
        IReadOnlyList<string> colours, int decimals, CultureInfo culture)
    {
        string Format(double value) => value.ToString("N" + decimals, culture);
        return Enumerable.Range(0, classes).Select(i => new LegendRow("class", colours[i],
            $"{(i == 0 ? "" : "> ")}{Format(bounds[i])} – {Format(bounds[i + 1])}", counts[i], null)).ToList();
    }
}

/// <summary>One row of a legend. <see cref="Kind"/>: class, category (<see cref="Category"/> names it), suppressed or nodata.</summary>
public sealed record LegendRow(string Kind, string Colour, string Label, int Count, string? Category);

/// <summary>
/// The legend's words in one language, as js/map-legend.js takes them: from the page's resource (MapTexts), handed
/// to the map module by the pages that draw a legend in the browser (the map page for its PNG export, the embed, the
/// workshop), so that the browser's legend and the page's say the same words. <see cref="Area"/>'s {name} is the
/// study area's name, filled by the module.
/// </summary>
public sealed record LegendWords(string Lang, string Secret, string NoData, string Territories, string Source,
    IReadOnlyDictionary<string, string> Categories, IReadOnlyDictionary<string, string> Methods, string France, string Parent, string Area)
{
    public static readonly LegendWords French = Of(MapTexts.French);

    public static readonly LegendWords English = Of(MapTexts.English);

    public static LegendWords For(string? lang) => lang == "en" ? English : French;

    private static LegendWords Of(MapTexts texts) => new(texts.Lang, texts.Secret, texts.NoData, texts.Territories, texts.SourceLabel,
        Legend.Categories(1).Concat(Legend.Categories(0)).Distinct().ToDictionary(c => c, texts.Category),
        texts.Methods.Keys.ToDictionary(m => m, texts.MethodInLegend),
        texts.ComparedWithFrance, texts.ComparedWithParent, texts.ComparedWithArea);
}
