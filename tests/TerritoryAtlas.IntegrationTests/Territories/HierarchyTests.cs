using Dapper;

namespace TerritoryAtlas.IntegrationTests.Territories;

[Collection(nameof(AtlasCollection))]
public sealed class HierarchyTests(AtlasFixture atlas)
{
    [Theory]
    [InlineData("93066", "93", "11", "93003")] // Saint-Denis → Seine-Saint-Denis → Île-de-France, its own arrondissement (933)
    [InlineData("69123", "69", "84", "69001")] // Lyon → Rhône → Auvergne-Rhône-Alpes
    [InlineData("2A004", "2A", "94", "2A001")] // Ajaccio → Corse-du-Sud → Corse
    [InlineData("97411", "974", "04", "97401")] // Saint-Denis (La Réunion)
    public async Task Communes_have_their_departement_region_and_arrondissement(string commune, string departement, string region, string arrondissement)
    {
        var parents = await ParentsAsync(commune);
        Assert.Equal(departement, parents["departement"]);
        Assert.Equal(region, parents["region"]);
        Assert.Equal(arrondissement, parents["arrondissement"]);
        Assert.Equal("FR", parents["france"]);
        Assert.Equal(region.StartsWith('0') ? "DOM" : "FRM", parents["zone"]);
    }

    [Fact]
    public async Task Communes_are_placed_in_the_epci_that_holds_them()
    {
        // Lyon belongs to the Métropole de Lyon (SIREN 200046977); Saint-Denis to the Métropole du Grand Paris (200054781).
        Assert.Equal("200046977", (await ParentsAsync("69123"))["epci"]);
        Assert.Equal("200054781", (await ParentsAsync("93066"))["epci"]);
    }

    [Fact]
    public async Task Every_departement_has_exactly_one_region_and_every_commune_a_departement()
    {
        await using var connection = await atlas.Db.OpenConnectionAsync();
        var orphans = await connection.ExecuteScalarAsync<long>("""
            select count(*) from territory t
            where t.level in ('departement', 'commune')
              and not exists (select 1 from territory_parent p where p.territory_id = t.id and p.parent_level = 'region')
            """);
        Assert.Equal(0, orphans);
        var regionsPerDepartement = await connection.QueryAsync<long>("""
            select count(*) from territory r join territory_parent p on p.parent_id = r.id and p.parent_level = 'region'
            join territory d on d.id = p.territory_id and d.level = 'departement' group by r.code order by r.code
            """);
        Assert.Equal(101, regionsPerDepartement.Sum());
    }

    private async Task<Dictionary<string, string>> ParentsAsync(string communeCode)
    {
        await using var connection = await atlas.Db.OpenConnectionAsync();
        var rows = await connection.QueryAsync<(string Level, string Code)>("""
            select p.parent_level, parent.code
            from territory c
            join territory_parent p on p.territory_id = c.id
            join territory parent on parent.id = p.parent_id
            where c.level = 'commune' and c.code = @communeCode
            """, new { communeCode });
        return rows.ToDictionary(r => r.Level, r => r.Code);
    }
}
