using TerritoryAtlas.Web.Components;
using TerritoryAtlas.Web.Components.Charts;

namespace TerritoryAtlas.Web.Indicators;

/// <summary>How a series response becomes a line chart: one line per territory, series breaks as vertical lines.</summary>
public static class SeriesChartOptions
{
    // The territory in the atlas's blue, its parents in colours that stay apart in print and for colour-blind readers.
    private static readonly string[] Colours = ["#1f4e79", "#e08214", "#4daf4a", "#984ea3", "#8c8c8c"];

    public static (ApexOptions Options, ChartNumberFormat Format) From(SeriesResponse series, int height = 320, Language? language = null)
    {
        var lang = language ?? Language.French;
        var years = series.Series.SelectMany(s => s.Points).Select(p => p.Year).ToList();
        var lines = series.Series
            .Select(s => new ApexSeries(Legend(s, lang), s.Points.Select(p => new ApexPoint(p.Year, p.Value)).ToList()))
            .ToList();
        var breaks = series.SeriesBreaks
            .Where(b => years.Count > 0 && b.Year >= years.Min() && b.Year <= years.Max())
            .GroupBy(b => b.Year)
            .Select(g => new ApexXAxisAnnotation(g.Key, "#b2182b", "4",
                new ApexAnnotationLabel($"{lang.T("Rupture", "Break")} {g.Key}", Style: new ApexLabelStyle("#ffffff", "#b2182b"))))
            .ToList();
        var span = years.Count == 0 ? 0 : years.Max() - years.Min();
        var options = new ApexOptions(
            new ApexChartSettings(Height: height, Toolbar: new ApexToolbar(false), Animations: new ApexAnimations(false), Zoom: new ApexZoom(false)),
            lines,
            new ApexXAxis(Min: years.Count > 0 ? years.Min() : null, Max: years.Count > 0 ? years.Max() : null,
                TickAmount: span is > 0 and <= 12 ? span : null),
            breaks.Count > 0 ? new ApexAnnotations(breaks) : null,
            Colours.Take(Math.Max(lines.Count, 1)).ToList(),
            new ApexStroke(2),
            new ApexMarkers(3),
            Legend: new ApexLegend());
        var suppressed = series.Series
            .Select((s, i) => (i, Years: (IReadOnlyList<int>)s.Points.Where(p => p.Status == "suppressed").Select(p => p.Year).ToList()))
            .Where(x => x.Years.Count > 0)
            .ToDictionary(x => x.i, x => x.Years);
        var unit = lang.IsEnglish ? series.Indicator.UnitEn ?? series.Indicator.Unit : series.Indicator.Unit;
        return (options, new ChartNumberFormat(series.Indicator.Decimals, unit, FigureFormat.Value(null, "suppressed", 0, lang),
            Maps.MapTexts.For(lang.Code).NoData, lang.IsEnglish ? "en-GB" : "fr-FR", suppressed));
    }

    private static string Legend(TerritorySeries s, Language lang) => s.Level switch
    {
        "france" => s.Name,
        "region" => $"{s.Name} ({lang.T("région", "region")})",
        "departement" => $"{s.Name} ({s.Code})",
        _ => s.Name,
    };
}
