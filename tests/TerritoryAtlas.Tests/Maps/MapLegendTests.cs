using System.Text.RegularExpressions;
using AngleSharp.Dom;
using Bunit;
using TerritoryAtlas.Web.Maps;

namespace TerritoryAtlas.Tests.Maps;

public sealed partial class MapLegendTests : BunitTest
{
    private static readonly string[] Colours = ["#fdd49e", "#fc8d59", "#d7301f"];

    // Ten départements: 3 + 2 + 2 = 7 with a figure, 1 under statistical secrecy, 2 without a figure.
    private static MapValues Values(int suppressed = 1, int noData = 2) => new(
        Level: "departement", Indicator: "taux_pauvrete_60", Year: 2020, Label: "Taux de pauvreté", Unit: "%", Decimals: 1,
        Polarity: -1, Source: "INSEE, Filosofi", DataVersion: 7, Mode: "classes",
        Classification: new MapClassification("quantile", 3, [9.5, 12.2, 15, 1234.5], [3, 2, 2], "OrRd", Colours, "#d9d9d9", "#9e9e9e"),
        Territories: 10, NoData: noData, Suppressed: suppressed,
        Codes: ["01", "02", "03", "04", "05", "06", "07", "08"],
        Values: [9.5, 10, 12.2, 13, 15, 16, 1234.5, null],
        Statuses: ["ok", "ok", "ok", "ok", "ok", "ok", "ok", "suppressed"],
        Classes: [0, 0, 0, 1, 1, 2, 2, null],
        Ranks: [8, 7, 6, 5, 4, 3, 1, null], ParentLevel: "region", ParentCodes: ["84", "32", "84", "93", "93", "93", "84", "44"],
        ParentValues: new Dictionary<string, double?> { ["84"] = 12.5, ["32"] = 18.1, ["93"] = 17.2, ["44"] = null },
        Reference: null, Categories: null, Within: null);

    [Fact]
    public void The_legend_shows_one_row_per_class_with_its_count()
    {
        var legend = Context.Render<MapLegend>(p => p.Add(x => x.Values, Values()));

        var rows = legend.FindAll("[data-testid=legend-class]");
        Assert.Equal(3, rows.Count);
        Assert.Equal(["3", "2", "2"], rows.Select(r => Text(r.QuerySelector("td.count"))));
        for (var i = 0; i < rows.Count; i++)
        {
            Assert.Contains(Colours[i], rows[i].QuerySelector(".atlas-legend-swatch")!.GetAttribute("style"), StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void Class_bounds_are_written_the_French_way()
    {
        var legend = Context.Render<MapLegend>(p => p.Add(x => x.Values, Values()));

        // One decimal (Decimals = 1), a decimal comma and a space between thousands:
        // 9.5 → « 9,5 », 12.2 → « 12,2 », 15 → « 15,0 », 1234.5 → « 1 234,5 ». Classes after the first exclude their lower bound.
        var ranges = legend.FindAll("[data-testid=legend-class]").Select(r => Text(r.Children[1])).ToList();
        Assert.Equal(["9,5 – 12,2", "> 12,2 – 15,0", "> 15,0 – 1 234,5"], ranges);
    }

    [Fact]
    public void Secrecy_and_missing_figures_have_their_own_rows_with_counts()
    {
        var legend = Context.Render<MapLegend>(p => p.Add(x => x.Values, Values(suppressed: 1, noData: 2)));

        var suppressed = legend.Find("[data-testid=legend-suppressed]");
        Assert.Contains("Secret statistique", suppressed.TextContent, StringComparison.Ordinal);
        Assert.Equal("1", Text(suppressed.QuerySelector("td.count")));
        var noData = legend.Find("[data-testid=legend-nodata]");
        Assert.Contains("Donnée non disponible", noData.TextContent, StringComparison.Ordinal);
        Assert.Equal("2", Text(noData.QuerySelector("td.count")));
    }

    [Fact]
    public void The_secrecy_row_is_absent_when_nothing_is_suppressed()
    {
        var legend = Context.Render<MapLegend>(p => p.Add(x => x.Values, Values(suppressed: 0, noData: 3)));

        Assert.Empty(legend.FindAll("[data-testid=legend-suppressed]"));
        Assert.DoesNotContain("Secret statistique", legend.Markup, StringComparison.Ordinal);
        Assert.Equal("3", Text(legend.Find("[data-testid=legend-nodata] td.count")));
    }

    [Fact]
    public void The_legend_names_the_indicator_its_unit_year_method_and_source()
    {
        var legend = Context.Render<MapLegend>(p => p.Add(x => x.Values, Values()));

        var text = Text(legend.Find("[data-testid=map-legend]"));
        Assert.Contains("Taux de pauvreté", text, StringComparison.Ordinal);
        Assert.Contains("% · 2020 · quantiles", text, StringComparison.Ordinal);
        Assert.Contains("Source : INSEE, Filosofi", text, StringComparison.Ordinal);
    }

    // Comparing: 3 départements with a figure but no reference figure, drawn in the no-data colour like the 2 without one.
    private static MapValues Compared() => Values(suppressed: 1, noData: 2) with
    {
        Mode = "compare",
        Reference = new MapReference("parent", "region", null, true, WithoutReference: 3),
        Categories = ["better", "similar", "worse", "similar", null, null, null, null],
        Classification = Values().Classification with
        {
            CategoryCounts = new Dictionary<string, int> { ["better"] = 1, ["similar"] = 2, ["worse"] = 1 },
            CategoryColours = Palettes.Comparison.ToDictionary(c => c.Key, c => c.Value),
        },
    };

    [Fact]
    public void Comparing_the_legend_counts_the_territories_without_a_reference_as_no_data()
    {
        var legend = Context.Render<MapLegend>(p => p.Add(x => x.Values, Compared()));

        Assert.Equal(["Meilleur 1", "Semblable 2", "Moins bon 1"], legend.FindAll("[data-testid=legend-category]").Select(r => Text(r)));
        Assert.Empty(legend.FindAll("[data-testid=legend-class]"));
        Assert.Equal("5", Text(legend.Find("[data-testid=legend-nodata] td.count")));
        Assert.Equal("1", Text(legend.Find("[data-testid=legend-suppressed] td.count")));
        Assert.Contains("comparé au territoire parent", Text(legend.Find("[data-testid=map-legend]")), StringComparison.Ordinal);
    }

    [Fact]
    public void The_legend_model_counts_no_data_by_one_rule_in_both_modes()
    {
        Assert.Equal(2, Legend.NoDataCount(Values(noData: 2)));
        Assert.Equal(5, Legend.NoDataCount(Compared()));
        Assert.Equal(5, Legend.Of(Compared(), MapTexts.English).Rows.Single(r => r.Kind == "nodata").Count);
        Assert.Equal(["Better", "Similar", "Worse", "Statistical secrecy", "No data"], Legend.Of(Compared(), MapTexts.English).Rows.Select(r => r.Label));
    }

    // What a reader sees: trimmed, with the no-break spaces French formatting uses (U+00A0, U+202F) read as spaces.
    private static string Text(IElement? element) =>
        Spaces().Replace(element?.TextContent ?? "", " ").Trim();

    [GeneratedRegex(@"[\s\u00A0\u202F]+")]
    private static partial Regex Spaces();
}
