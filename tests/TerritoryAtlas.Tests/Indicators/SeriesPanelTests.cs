using Bunit;
using TerritoryAtlas.Web.Indicators;

namespace TerritoryAtlas.Tests.Indicators;

public sealed class SeriesPanelTests : BunitTest
{
    [Fact]
    public void The_values_table_has_a_row_per_year_and_a_column_per_territory()
    {
        var panel = Context.Render<SeriesPanel>(p => p.Add(x => x.Series, SeriesTestData.Series()).Add(x => x.Level, "departement").Add(x => x.Code, "93"));

        var rows = panel.FindAll("[data-testid=series-table] tbody tr");
        Assert.Equal(["2019", "2017", "2015", "2014"], rows.Select(r => r.GetAttribute("data-year")));
        Assert.Equal(4, panel.FindAll("[data-testid=series-table] thead th").Count);
        Assert.Equal("12,5", rows[0].Children[1].TextContent.Trim());
    }

    [Fact]
    public void A_suppressed_year_reads_secret_statistique()
    {
        var panel = Context.Render<SeriesPanel>(p => p.Add(x => x.Series, SeriesTestData.Series()).Add(x => x.Level, "departement").Add(x => x.Code, "93"));

        var row2015 = panel.Find("[data-testid=series-table] tbody tr[data-year='2015']");
        Assert.Equal("secret statistique", row2015.Children[1].TextContent.Trim());
    }

    [Fact]
    public void The_tcam_shown_is_the_one_computed_over_calendar_years()
    {
        // 10 → 12.5 from 2014 to 2019: 1.25^(1/5) − 1 = +4.56 % a year.
        var panel = Context.Render<SeriesPanel>(p => p.Add(x => x.Series, SeriesTestData.Series()).Add(x => x.Level, "departement").Add(x => x.Code, "93"));

        Assert.Contains("+4,56 %", panel.FindAll("[data-testid=tcam]")[0].TextContent.Replace('\u00A0', ' '), StringComparison.Ordinal);
    }

    [Fact]
    public void The_csv_link_points_at_the_series_endpoint()
    {
        var panel = Context.Render<SeriesPanel>(p => p.Add(x => x.Series, SeriesTestData.Series()).Add(x => x.Level, "departement").Add(x => x.Code, "93"));

        Assert.Equal("/api/series/taux_test/departement/93?format=csv", panel.Find("[data-testid=export-csv]").GetAttribute("href"));
    }
}
