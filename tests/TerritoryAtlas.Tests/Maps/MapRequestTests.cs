using Microsoft.AspNetCore.WebUtilities;
using TerritoryAtlas.Web;
using TerritoryAtlas.Web.Maps;

namespace TerritoryAtlas.Tests.Maps;

public sealed class MapRequestTests
{
    private static MapRequest Read(string query, ICollection<string>? ignored = null) =>
        MapRequest.FromQuery("departement", "taux_pauvrete_60", 2020, QueryHelpers.ParseQuery(query), ignored);

    [Fact]
    public void A_query_without_options_reads_as_the_defaults_and_writes_none()
    {
        var request = Read("");

        Assert.Equal(new MapRequest("departement", "taux_pauvrete_60", 2020), request);
        Assert.Equal(("quantile", 5, "auto", "classes", "parent"), (request.Classification, request.Classes, request.Palette, request.Mode, request.Reference));
        Assert.Empty(request.OptionsQuery());
        Assert.Equal(["level=departement", "indicator=taux_pauvrete_60", "year=2020"], request.ToQuery().Select(p => $"{p.Key}={p.Value}"));
    }

    [Theory]
    [InlineData("classification=jenks&classes=7&palette=Blues")]
    [InlineData("classification=manual&breaks=10,15.5,20")]
    [InlineData("mode=compare&reference=france&within=region:84")]
    [InlineData("mode=compare&reference=parent")]
    [InlineData("mode=compare&reference=area:12")]
    public void What_is_written_reads_back_as_the_same_request(string query)
    {
        var request = Read(query);
        var written = string.Join('&', request.OptionsQuery().Select(p => $"{p.Key}={p.Value}"));

        Assert.Equal(query, written);
        Assert.Equal(request.CacheKey, Read(written).CacheKey);
    }

    [Fact]
    public void The_reference_is_written_only_when_the_view_compares()
    {
        Assert.Empty(Read("reference=france").OptionsQuery());
        Assert.Contains(Read("mode=compare").OptionsQuery(), p => p is { Key: "reference", Value: "parent" });
    }

    [Fact]
    public void An_empty_option_takes_its_default()
    {
        Assert.Equal(new MapRequest("departement", "taux_pauvrete_60", 2020), Read("classification=&classes=&palette=&mode=&reference=&within="));
    }

    [Fact]
    public void Taken_as_given_a_wrong_option_is_the_values_APIs_error_with_its_words()
    {
        var error = Read("mode=3d").OptionError();
        Assert.Equal("mode", error?.Parameter);
        Assert.Equal("unknown mode '3d'; use classes or compare", error?.Message);
        Assert.Equal("classes", Read("classes=42").OptionError()?.Parameter);
        Assert.Equal("reference", Read("mode=compare&reference=moon").OptionError()?.Parameter);
        Assert.Equal("breaks", Read("classification=manual").OptionError()?.Parameter);
        Assert.Equal("breaks", Assert.Throws<ParameterException>(() => Read("classification=manual&breaks=1,deux")).Parameter);
        Assert.Null(Read("classification=jenks&classes=9").OptionError());
    }

    [Fact]
    public void Read_leniently_a_wrong_option_takes_its_default_and_is_listed()
    {
        var ignored = new List<string>();
        var request = Read("classification=kmeans&classes=abc&palette=Blues&mode=3d&reference=moon&breaks=1,deux", ignored);

        Assert.Equal(["classification=kmeans", "classes=abc", "mode=3d", "reference=moon"], ignored);
        Assert.Equal(new MapRequest("departement", "taux_pauvrete_60", 2020, Palette: "Blues"), request);
    }
}
