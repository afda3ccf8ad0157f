using TerritoryAtlas.Web.Import;

namespace TerritoryAtlas.Tests.Import;

public sealed class ObservationFileTests
{
    private const string Header = "geo_level,geo_code,geo_name,indicator,year,value,unit,flag\n";

    private static readonly IndicatorDataset Dataset = new(
        "tidy-departement", "tidy", "indicators/tidy/dep.csv",
        new Dictionary<string, string> { ["DEP"] = "departement" }, Produces: null);

    private static List<SourceObservation> Read(string rows) =>
        ObservationFile.Read(CsvFile.Read(new StringReader(Header + rows), "dep.csv"), Dataset);

    [Fact]
    public void A_tidy_row_becomes_an_observation_on_the_declared_level()
    {
        var observation = Assert.Single(Read("DEP,2A,Corse-du-Sud,taux_pauvrete_60,2020,18.4,%,provisoire\n"));

        Assert.Equal(new SourceObservation(2, "departement", "2A", "Corse-du-Sud", "taux_pauvrete_60", 2020, 18.4, "ok", "provisoire"), observation);
    }

    [Fact]
    public void An_s_marks_a_figure_under_statistical_secrecy_without_a_value()
    {
        var observation = Assert.Single(Read("DEP,48,Lozère,rsa_allocataires,2021,s,nb,\n"));

        Assert.Equal("suppressed", observation.Status);
        Assert.Null(observation.Value);
        Assert.Null(observation.Flag);
    }

    [Fact]
    public void An_nd_marks_a_missing_figure_never_a_zero()
    {
        var observation = Assert.Single(Read("DEP,976,Mayotte,taux_pauvrete_60,2020,nd,%,\n"));

        Assert.Equal("missing", observation.Status);
        Assert.Null(observation.Value);
    }

    [Theory]
    [InlineData("\"12,5\"", 12.5)]
    [InlineData("12.5", 12.5)]
    [InlineData("\"1 234,5\"", 1234.5)]
    [InlineData("\"1\u00a0234,5\"", 1234.5)] // no-break space
    [InlineData("\"1\u202f234,5\"", 1234.5)] // narrow no-break space: .NET's and Windows' fr-FR thousands separator
    [InlineData("\"-0,25\"", -0.25)]
    public void Decimal_commas_and_spaces_between_thousands_are_accepted(string field, double expected)
    {
        var observation = Assert.Single(Read($"DEP,01,Ain,revenu_median,2020,{field},€,\n"));

        Assert.Equal("ok", observation.Status);
        Assert.Equal(expected, observation.Value!.Value, 1e-12);
    }

    [Fact]
    public void A_value_that_is_not_a_number_is_rejected_naming_the_line_and_the_column()
    {
        var e = Assert.Throws<ImportException>(() => Read(
            "DEP,01,Ain,revenu_median,2020,21000,€,\n" +   // line 2
            "DEP,02,Aisne,revenu_median,2020,douze,€,\n")); // line 3

        Assert.Equal("dep.csv", e.File);
        Assert.Equal("line 3", e.Place);
        Assert.Contains("'douze'", e.Message, StringComparison.Ordinal);
        Assert.Contains("column 'value'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_geo_level_the_manifest_does_not_declare_is_rejected()
    {
        var e = Assert.Throws<ImportException>(() => Read("REG,84,Auvergne-Rhône-Alpes,revenu_median,2020,22000,€,\n"));

        Assert.Equal("line 2", e.Place);
        Assert.Contains("geo_level 'REG'", e.Message, StringComparison.Ordinal);
        Assert.Contains("dep.csv", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void France_whatever_its_geo_level_is_a_grouping()
    {
        var observation = Assert.Single(Read("DEP,FR,France,taux_pauvrete_60,2020,14.6,%,\n"));

        Assert.Equal("france", observation.Level);
    }

    [Fact]
    public void A_year_that_is_not_a_year_is_rejected()
    {
        var e = Assert.Throws<ImportException>(() => Read("DEP,01,Ain,revenu_median,20x0,21000,€,\n"));

        Assert.Equal("line 2", e.Place);
        Assert.Contains("'20x0'", e.Message, StringComparison.Ordinal);
    }
}
