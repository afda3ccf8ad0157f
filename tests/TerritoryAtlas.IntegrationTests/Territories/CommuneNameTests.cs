using System.Net.Http.Json;
using System.Text.Json;
using Dapper;

namespace TerritoryAtlas.IntegrationTests.Territories;

/// <summary>
/// The boundary file writes about 2,200 commune names without their article (geodata SOURCES.md); the atlas shows
/// INSEE's names, and search finds a commune by either form.
/// </summary>
[Collection(nameof(AtlasCollection))]
public sealed class CommuneNameTests(AtlasFixture atlas)
{
    [Theory]
    [InlineData("76351", "Le Havre")]
    [InlineData("93027", "La Courneuve")]
    [InlineData("72181", "Le Mans")]
    [InlineData("01001", "L'Abergement-Clémenciat")]
    public async Task Communes_carry_inseeʼs_name_with_its_article(string code, string name)
    {
        await using var connection = await atlas.Db.OpenConnectionAsync();
        Assert.Equal(name, await connection.ExecuteScalarAsync<string>(
            "select name from territory where level = 'commune' and code = @code", new { code }));
    }

    [Fact]
    public async Task Only_a_dropped_article_is_restored_and_about_two_thousand_communes_get_one()
    {
        await using var connection = await atlas.Db.OpenConnectionAsync();
        var restored = await connection.ExecuteScalarAsync<long>(
            "select count(*) from territory where level = 'commune' and name ~ '^(Le |La |Les |L''|L’)'");
        Assert.InRange(restored, 2_000, 4_000);
        // Saint-Denis (93066) is a renamed commune nouvelle in later vintages, not an article case: it keeps its name.
        Assert.Equal("Saint-Denis", await connection.ExecuteScalarAsync<string>("select name from territory where level = 'commune' and code = '93066'"));
    }

    [Theory]
    [InlineData("la courneuve")]
    [InlineData("Courneuve")]
    public async Task Search_finds_the_commune_with_or_without_its_article(string query)
    {
        using var client = atlas.App.CreateClient();
        var found = await client.GetFromJsonAsync<JsonElement>($"/api/territories?q={Uri.EscapeDataString(query)}&level=commune");
        Assert.Contains(found.EnumerateArray(), t => t.GetProperty("code").GetString() == "93027" && t.GetProperty("name").GetString() == "La Courneuve");
    }
}
