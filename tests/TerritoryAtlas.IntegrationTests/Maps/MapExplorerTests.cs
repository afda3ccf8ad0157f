using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using TerritoryAtlas.Web.Maps;

namespace TerritoryAtlas.IntegrationTests.Maps;

[Collection(nameof(AtlasCollection))]
public sealed class MapExplorerTests(AtlasFixture atlas)
{
    [Fact]
    public async Task Within_a_departement_the_map_holds_exactly_its_communes()
    {
        using var client = atlas.App.CreateClient();
        var values = await client.GetFromJsonAsync<JsonElement>("/api/maps/commune/mediane_niveau_vie/2019?within=departement:93");
        await using var connection = await atlas.Db.OpenConnectionAsync();
        var expected = (await connection.QueryAsync<string>("""
            select c.code from territory c
            join territory_parent p on p.territory_id = c.id and p.parent_level = 'departement'
            join territory d on d.id = p.parent_id and d.code = '93'
            join observation o on o.territory_id = c.id and o.indicator_code = 'mediane_niveau_vie' and o.year = 2019
            where c.level = 'commune' order by c.code
            """)).ToList();
        Assert.Equal(40, expected.Count);
        Assert.Equal(expected, values.GetProperty("codes").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("Seine-Saint-Denis", values.GetProperty("within").GetProperty("name").GetString());
        Assert.Equal(40, values.GetProperty("territories").GetInt32());
        // Classes are computed among those 40, so the top class bound is their maximum.
        var bounds = values.GetProperty("classification").GetProperty("bounds").EnumerateArray().Select(b => b.GetDouble()).ToList();
        Assert.Equal(values.GetProperty("values").EnumerateArray().Max(v => v.GetDouble()), bounds[^1]);
    }

    [Fact]
    public async Task The_values_name_the_parents_they_refer_to_so_no_code_reaches_a_reader()
    {
        using var client = atlas.App.CreateClient();
        var values = await client.GetFromJsonAsync<JsonElement>("/api/maps/commune/mediane_niveau_vie/2019?within=departement:93");
        var parents = values.GetProperty("parentNames").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        Assert.Equal(new Dictionary<string, string?> { ["93"] = "Seine-Saint-Denis" }, parents);
        Assert.All(values.GetProperty("parentCodes").EnumerateArray(), c => Assert.True(parents.ContainsKey(c.GetString()!)));
    }

    [Fact]
    public async Task Comparison_with_france_uses_each_departements_confidence_interval()
    {
        using var client = atlas.App.CreateClient();
        var values = await client.GetFromJsonAsync<JsonElement>("/api/maps/departement/aah_pour_100_20_64/2019?mode=compare&reference=france");
        await using var connection = await atlas.Db.OpenConnectionAsync();
        var rows = (await connection.QueryAsync<(string Code, double Numerator, double Denominator)>("""
            select t.code, o.numerator, o.denominator from published_observation o join territory t on t.id = o.territory_id
            where t.level = 'departement' and o.indicator_code = 'aah_pour_100_20_64' and o.year = 2019
            """)).ToDictionary(r => r.Code);
        var france = await connection.ExecuteScalarAsync<double>("""
            select o.value from published_observation o join territory t on t.id = o.territory_id
            where t.code = 'FR' and t.level = 'france' and o.indicator_code = 'aah_pour_100_20_64' and o.year = 2019
            """);

        var codes = values.GetProperty("codes").EnumerateArray().Select(c => c.GetString()!).ToList();
        var categories = values.GetProperty("categories").EnumerateArray().Select(c => c.GetString()).ToList();
        Assert.Equal(france, values.GetProperty("reference").GetProperty("franceValue").GetDouble(), 9);
        for (var i = 0; i < codes.Count; i++)
        {
            var (_, numerator, denominator) = rows[codes[i]];
            var (low, high) = Comparison.ConfidenceInterval(numerator, denominator, 100);
            var expected = high < france ? "better" : low > france ? "worse" : "similar"; // more recipients per capita is worse
            Assert.Equal(expected, categories[i]);
        }

        Assert.Contains("worse", categories);
        Assert.Contains("better", categories);
    }

    [Theory]
    [InlineData("/api/maps/departement/aah_allocataires/2019?palette=rainbow", 400, "palette")]
    [InlineData("/api/maps/departement/aah_allocataires/2019?mode=3d", 400, "mode")]
    [InlineData("/api/maps/departement/aah_allocataires/2019?mode=compare&reference=moon", 400, "reference")]
    [InlineData("/api/maps/commune/mediane_niveau_vie/2019?within=departement:99", 404, "within")]
    [InlineData("/api/maps/commune/mediane_niveau_vie/2019?within=93", 400, "within")]
    [InlineData("/api/maps/departement/aah_allocataires/2019?classification=manual", 400, "breaks")]
    [InlineData("/api/maps/departement/aah_allocataires/2019?classification=manual&breaks=1,deux", 400, "breaks")]
    [InlineData("/api/territories?q=", 400, "q")]
    [InlineData("/api/territories/canton/names", 404, "level")]
    public async Task Explorer_parameters_are_checked(string url, int status, string parameter)
    {
        await atlas.ProblemNamingAsync(url, status, parameter);
    }

    [Theory]
    [InlineData("saint denis", "commune", "97411")] // hyphen and case ignored; the most populous Saint-Denis (La Réunion) first
    [InlineData("ILE DE FRANCE", "region", "11")] // accents ignored
    [InlineData("69123", "commune", "69123")] // an INSEE code
    public async Task Search_finds_territories_by_name_or_code(string query, string level, string code)
    {
        using var client = atlas.App.CreateClient();
        var matches = await client.GetFromJsonAsync<JsonElement>($"/api/territories?q={Uri.EscapeDataString(query)}&level={level}");
        Assert.Equal(code, matches[0].GetProperty("code").GetString());
    }

    [Fact]
    public async Task Tiles_are_served_gzipped_when_the_client_accepts_it_and_names_come_separately()
    {
        using var client = atlas.App.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/tiles/commune/7/64/44.mvt");
        request.Headers.AcceptEncoding.ParseAdd("gzip");
        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("gzip", response.Content.Headers.ContentEncoding);

        var names = await client.GetFromJsonAsync<JsonElement>("/api/territories/departement/names");
        var codes = names.GetProperty("codes").EnumerateArray().Select(c => c.GetString()).ToList();
        Assert.Equal(101, codes.Count);
        Assert.Equal("Seine-Saint-Denis", names.GetProperty("names")[codes.IndexOf("93")].GetString());
    }
}
