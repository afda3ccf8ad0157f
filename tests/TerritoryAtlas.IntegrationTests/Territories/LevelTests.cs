using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Mvc.Testing;
using TerritoryAtlas.Testing;

namespace TerritoryAtlas.IntegrationTests.Territories;

[Collection(nameof(AtlasCollection))]
public sealed class LevelTests(AtlasFixture atlas)
{
    [Fact]
    public async Task The_browser_reads_the_levels_of_the_level_table_widest_first()
    {
        await using var connection = await atlas.Db.OpenConnectionAsync();
        var table = (await connection.QueryAsync<(string Code, string? MapParent, string MenuFr)>(
            "select code, map_parent, menu_fr from level order by rank")).ToList();
        var served = await atlas.App.CreateClient().GetFromJsonAsync<JsonElement>("/api/levels");
        Assert.Equal(table.Select(l => l.Code), served.EnumerateArray().Select(l => l.GetProperty("code").GetString()));
        Assert.Equal(table.Select(l => l.MapParent), served.EnumerateArray().Select(l => l.GetProperty("parent").GetString()));
        Assert.Equal(table.Select(l => l.MenuFr), served.EnumerateArray().Select(l => l.GetProperty("menuFr").GetString()));
        Assert.Contains(table, l => l is { Code: "departement", MapParent: "region", MenuFr: "Départements" });
    }

    [Fact]
    public async Task A_level_added_to_the_table_is_served_once_the_data_version_moves()
    {
        await using var scratch = await ScratchDatabase.CreateAsync(atlas.ConnectionString);
        await using var app = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b.UseSetting("ATLAS_DB", scratch.ConnectionString));
        var http = app.CreateClient();
        Assert.DoesNotContain("test_zoning", await http.GetStringAsync("/api/levels"));

        await using (var connection = await scratch.Db.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("""
                insert into level (code, rank, label_fr, label_en, map_parent, export_parents, vintage, zoning)
                values ('test_zoning', 100, 'Zonage d''essai', 'Test zoning', 'departement', '{region,departement}', '2024', true);
                update data_version set version = version + 1;
                """);
        }

        // The data version is re-read at most every two seconds: wait for the condition, not for a fixed time.
        JsonElement added = default;
        await Eventually.HoldsAsync(async () =>
        {
            var levels = await http.GetFromJsonAsync<JsonElement>("/api/levels");
            added = levels.EnumerateArray().FirstOrDefault(l => l.GetProperty("code").GetString() == "test_zoning");
            return added.ValueKind == JsonValueKind.Object;
        }, "/api/levels serves the level added to the table", 30_000);

        Assert.Equal("2024", added.GetProperty("vintage").GetString());
        Assert.Equal("departement", added.GetProperty("parent").GetString());
        Assert.True(added.GetProperty("zoning").GetBoolean());
    }
}
