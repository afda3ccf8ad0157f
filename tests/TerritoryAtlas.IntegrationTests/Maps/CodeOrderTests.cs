using Dapper;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using TerritoryAtlas.Web.Maps;

namespace TerritoryAtlas.IntegrationTests.Maps;

/// <summary>
/// MapValues.IndexOf binary-searches the codes ordinally, so the values query must hand them over in byte order
/// whatever the database's collation. The test cluster's is C.UTF-8, which hid it: here a database with ICU's en-US
/// collation, which puts "2a" before "2B" and "ab" before "AB", and codes like Corsica's, Mayotte's and mixed case.
/// </summary>
[Collection(nameof(AtlasCollection))]
public sealed class CodeOrderTests(AtlasFixture atlas)
{
    private static readonly string[] Codes = ["01", "10", "2A", "2B", "2a", "976", "AB", "ab", "Ab"];

    [Fact]
    public async Task Every_code_is_found_in_a_database_with_a_linguistic_collation()
    {
        await using var scratch = await ScratchDatabase.CreateAsync(atlas.ConnectionString,
            "template template0 locale_provider icu icu_locale 'en-US'");
        await using (var connection = await scratch.Db.OpenConnectionAsync())
        {
            await connection.ExecuteAsync(Scenario.Territories);
            await connection.ExecuteAsync("""
                insert into territory (level, code, name, search_name, vintage, source)
                select 'departement', code, 'Test ' || code, 'test', 'test', 'test' from unnest(@codes) code where code <> '01'
                """, new { codes = Codes });
            var ordered = (await connection.QueryAsync<string>("select code from territory where level = 'departement' order by code")).ToList();
            Assert.NotEqual(Codes.Order(StringComparer.Ordinal), ordered); // the collation does reorder them
            for (var i = 0; i < Codes.Length; i++)
            {
                await Scenario.InsertObservationsAsync(connection, null, ("test_menages", "departement", Codes[i], 2019, 100 + i, "ok"));
            }
        }

        await using var app = atlas.App.WithWebHostBuilder(b => b.UseSetting("ATLAS_DB", scratch.ConnectionString));
        using var scope = app.Services.CreateScope();
        var values = await scope.ServiceProvider.GetRequiredService<MapQueries>()
            .ValuesAsync("departement", "test_menages", 2019, "quantile", 3, TerritoryAtlas.Web.Accounts.Viewer.Anonymous, CancellationToken.None);

        Assert.Equal(Codes.Length, values.Codes.Count);
        for (var i = 0; i < Codes.Length; i++)
        {
            var index = values.IndexOf(Codes[i]);
            Assert.True(index >= 0, $"{Codes[i]} not found");
            Assert.Equal(100 + i, values.Values[index]);
        }
    }
}
