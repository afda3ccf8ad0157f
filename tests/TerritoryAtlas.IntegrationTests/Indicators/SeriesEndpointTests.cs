using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;

namespace TerritoryAtlas.IntegrationTests.Indicators;

[Collection(nameof(AtlasCollection))]
public sealed class SeriesEndpointTests(AtlasFixture atlas)
{
    [Fact]
    public async Task A_departement_series_comes_with_its_region_and_france_and_equals_the_database()
    {
        using var client = atlas.App.CreateClient();
        var body = await client.GetFromJsonAsync<JsonElement>("/api/series/aah_allocataires/departement/93");

        var series = body.GetProperty("series").EnumerateArray().ToList();
        Assert.Equal(["departement:93", "region:11", "france:FR"],
            series.Select(s => $"{s.GetProperty("level").GetString()}:{s.GetProperty("code").GetString()}"));
        Assert.Equal(["territory", "parent", "parent"], series.Select(s => s.GetProperty("role").GetString()));
        Assert.Equal("Seine-Saint-Denis", series[0].GetProperty("name").GetString());

        await using var connection = await atlas.Db.OpenConnectionAsync();
        foreach (var s in series)
        {
            var expected = (await connection.QueryAsync<(int Year, double Value, string Origin, double? ComputedValue)>("""
                select o.year, o.value, o.origin, o.computed_value from observation o join territory t on t.id = o.territory_id
                where t.level = @level and t.code = @code and o.indicator_code = 'aah_allocataires' order by o.year
                """, new { level = s.GetProperty("level").GetString(), code = s.GetProperty("code").GetString() })).ToList();
            var points = s.GetProperty("points").EnumerateArray().ToList();
            Assert.Equal(expected.Select(e => e.Year), points.Select(p => p.GetProperty("year").GetInt32()));
            Assert.Equal(expected.Select(e => e.Value), points.Select(p => p.GetProperty("value").GetDouble()));
            Assert.Equal(expected.Select(e => e.Origin == "source"), points.Select(p => p.GetProperty("published").GetBoolean()));
        }

        // France 2019: DREES publishes 1,221,500 (rounded to the hundred); the sum of départements is kept beside it.
        var france2019 = series[2].GetProperty("points").EnumerateArray().Single(p => p.GetProperty("year").GetInt32() == 2019);
        Assert.Equal(1_221_500, france2019.GetProperty("value").GetDouble());
        Assert.Equal(1_221_474, france2019.GetProperty("computedValue").GetDouble());
        Assert.True(france2019.GetProperty("published").GetBoolean());

        // The catalogue's series break and the evolution over the period travel with the series.
        Assert.Contains(body.GetProperty("seriesBreaks").EnumerateArray(), b => b.GetProperty("year").GetInt32() == 2016);
        var evolution = series[0].GetProperty("evolution");
        Assert.Equal(1995, evolution.GetProperty("firstYear").GetInt32());
        Assert.Equal(2019, evolution.GetProperty("lastYear").GetInt32());
    }

    [Fact]
    public async Task A_commune_series_comes_with_its_epci_departement_region_and_france_over_a_gap_year()
    {
        using var client = atlas.App.CreateClient();
        var body = await client.GetFromJsonAsync<JsonElement>("/api/series/mediane_niveau_vie/commune/93008");

        var series = body.GetProperty("series").EnumerateArray().ToList();
        Assert.Equal(["commune", "epci", "departement", "region", "france"], series.Select(s => s.GetProperty("level").GetString()));
        var saintDenis = series[0]; // Bobigny: Saint-Denis merged with Pierrefitte in 2025, see GeographyTests
        var years = saintDenis.GetProperty("points").EnumerateArray().Select(p => p.GetProperty("year").GetInt32()).ToList();
        Assert.DoesNotContain(2017, years); // SOURCES.md: no 2017 median at commune level

        // TCAM over calendar years, gap included: (last / first)^(1 / (lastYear − firstYear)) − 1.
        var points = saintDenis.GetProperty("points").EnumerateArray().ToList();
        var (firstYear, first) = (points[0].GetProperty("year").GetInt32(), points[0].GetProperty("value").GetDouble());
        var (lastYear, last) = (points[^1].GetProperty("year").GetInt32(), points[^1].GetProperty("value").GetDouble());
        var expected = 100 * (Math.Pow(last / first, 1.0 / (lastYear - firstYear)) - 1);
        Assert.Equal(expected, saintDenis.GetProperty("evolution").GetProperty("annualGrowthRate").GetDouble(), 9);
    }

    [Fact]
    public async Task The_series_downloads_as_csv_with_one_line_per_territory_and_year()
    {
        using var client = atlas.App.CreateClient();
        var response = await client.GetAsync("/api/series/taux_pauvrete_60/departement/93?format=csv");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("indicateur,niveau,code,nom,role,annee,valeur", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith("taux_pauvrete_60,departement,93,Seine-Saint-Denis,territory,2019,27.9,ok,", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/api/series/no_such_indicator/departement/93", 404, "indicator")]
    [InlineData("/api/series/aah_allocataires/canton/93", 404, "level")]
    [InlineData("/api/series/aah_allocataires/departement/99", 404, "code")]
    [InlineData("/api/series/aah_allocataires/departement/9'3", 400, "code")]
    [InlineData("/api/series/aah_allocataires/departement/93?format=xlsx", 400, "format")]
    public async Task Bad_parameters_get_a_problem_naming_the_parameter(string url, int status, string parameter)
    {
        var problem = await atlas.ProblemNamingAsync(url, status, parameter);
        Assert.Contains(parameter, problem.GetProperty("title").GetString(), StringComparison.Ordinal);
    }
}
