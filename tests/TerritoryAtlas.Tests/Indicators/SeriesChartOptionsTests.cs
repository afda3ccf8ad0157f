using System.Text.Json;
using TerritoryAtlas.Web.Indicators;

namespace TerritoryAtlas.Tests.Indicators;

public sealed class SeriesChartOptionsTests
{
    [Fact]
    public void Each_territory_is_a_line_of_year_value_points_on_a_numeric_axis()
    {
        var (options, _) = SeriesChartOptions.From(SeriesTestData.Series());

        Assert.Equal("numeric", options.Xaxis.Type);
        Assert.Equal((2014, 2019), (options.Xaxis.Min, options.Xaxis.Max));
        Assert.Equal(3, options.Series.Count);
        Assert.Equal([2014, 2015, 2017, 2019], options.Series[0].Data.Select(p => p.X));
        Assert.Null(options.Series[0].Data[1].Y); // suppressed: the line breaks, no value travels
        Assert.Contains("Seine-Saint-Denis", options.Series[0].Name, StringComparison.Ordinal);
    }

    [Fact]
    public void Series_breaks_within_the_years_shown_become_x_axis_annotations()
    {
        var (options, _) = SeriesChartOptions.From(SeriesTestData.Series());

        var annotation = Assert.Single(options.Annotations!.Xaxis);
        Assert.Equal(2016, annotation.X);
        Assert.Contains("2016", annotation.Label.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fr", "secret statistique", "Donnée non disponible")]
    [InlineData("en", "statistical secrecy", "No data")]
    public void The_format_carries_the_tooltip_words_for_a_suppressed_or_missing_year_in_the_readers_language(string lang, string secret, string noData)
    {
        var (_, format) = SeriesChartOptions.From(SeriesTestData.Series(), language: new TerritoryAtlas.Web.Components.Language(lang));

        Assert.Equal((secret, noData), (format.Secret, format.NoData));
        // The words of the series table beside the chart and of the map legend: one source each.
        Assert.Equal(FigureFormat.Value(null, "suppressed", 0, new TerritoryAtlas.Web.Components.Language(lang)), format.Secret);
        Assert.Equal(TerritoryAtlas.Web.Maps.MapTexts.For(lang).NoData, format.NoData);
    }

    [Fact]
    public void The_format_marks_suppressed_years_per_series_and_the_options_serialise_as_apexcharts_expects()
    {
        var (options, format) = SeriesChartOptions.From(SeriesTestData.Series());

        Assert.Equal([2015], format.Suppressed![0]);
        Assert.Equal(1, format.Decimals);
        var json = JsonSerializer.Serialize(options, JsonSerializerOptions.Web);
        Assert.Contains("\"xaxis\":{\"type\":\"numeric\"", json, StringComparison.Ordinal);
        Assert.Contains("\"annotations\":{\"xaxis\":[{\"x\":2016", json, StringComparison.Ordinal);
        Assert.Contains("{\"x\":2015,\"y\":null}", json, StringComparison.Ordinal);
        Assert.DoesNotContain("fontFamily", json, StringComparison.Ordinal);
        // apexcharts reads an option given as null as an object (title: null breaks its accessibility label): only the
        // values of missing years may be null.
        Assert.DoesNotContain(":null", json.Replace("\"y\":null", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }
}
