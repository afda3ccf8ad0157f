using Dapper;

namespace TerritoryAtlas.IntegrationTests.Indicators;

[Collection(nameof(AtlasCollection))]
public sealed class StatisticsTests(AtlasFixture atlas)
{
    [Fact]
    public async Task France_AAH_2019_is_the_sum_of_departements_and_agrees_with_the_rounded_published_total()
    {
        // Σ départements from the tidy file, computed here from the source rows, not from the database.
        var sum = SourceFiles.Rows("indicators/tidy/indicators_departement_long.csv")
            .Where(r => r["indicator"] == "aah_allocataires" && r["year"] == "2019")
            .Sum(r => double.Parse(r["value"], System.Globalization.CultureInfo.InvariantCulture));
        var published = SourceFiles.Rows("indicators/tidy/indicators_france_long.csv")
            .Single(r => r["indicator"] == "aah_allocataires" && r["year"] == "2019" && r["geo_code"] == "FR")["value"];

        await using var connection = await atlas.Db.OpenConnectionAsync();
        var france = await connection.QuerySingleAsync<(double Value, double? ComputedValue, string Origin)>("""
            select o.value, o.computed_value, o.origin from observation o join territory t on t.id = o.territory_id
            where t.level = 'france' and t.code = 'FR' and o.indicator_code = 'aah_allocataires' and o.year = 2019
            """);
        Assert.Equal(1_221_474, sum); // DREES: Σ départements 1,221,474 vs 1,221,500 published (SOURCES.md)
        Assert.Equal(double.Parse(published, System.Globalization.CultureInfo.InvariantCulture), france.Value);
        Assert.Equal("source", france.Origin);
        Assert.Equal(sum, france.ComputedValue);
        // DREES rounds national totals to the hundred: the two agree within that rounding.
        Assert.InRange(Math.Abs(france.Value - sum), 0, 50);
    }

    [Fact]
    public async Task A_departement_rate_is_its_numerator_over_its_denominator()
    {
        await using var connection = await atlas.Db.OpenConnectionAsync();
        var (aah, population, rate) = await connection.QuerySingleAsync<(double, double, double)>("""
            select n.value, d.value, r.value
            from territory t
            join observation n on n.territory_id = t.id and n.indicator_code = 'aah_allocataires' and n.year = 2019
            join observation d on d.territory_id = t.id and d.indicator_code = 'population_20_64' and d.year = 2019
            join observation r on r.territory_id = t.id and r.indicator_code = 'aah_pour_100_20_64' and r.year = 2019
            where t.level = 'departement' and t.code = '93'
            """);
        Assert.Equal(100 * aah / population, rate, 9);
        Assert.InRange(rate, 1, 6); // a few AAH recipients per hundred adults
    }

    [Fact]
    public async Task A_region_rate_is_recomputed_from_summed_numerators_and_denominators_never_averaged()
    {
        await using var connection = await atlas.Db.OpenConnectionAsync();
        var parts = (await connection.QueryAsync<(double Aah, double Population)>("""
            select n.value, d.value
            from territory r
            join territory_parent p on p.parent_id = r.id and p.parent_level = 'region'
            join territory t on t.id = p.territory_id and t.level = 'departement'
            join observation n on n.territory_id = t.id and n.indicator_code = 'aah_allocataires' and n.year = 2019
            join observation d on d.territory_id = t.id and d.indicator_code = 'population_20_64' and d.year = 2019
            where r.level = 'region' and r.code = '84'
            """)).ToList();
        var regionRate = await connection.ExecuteScalarAsync<double>("""
            select o.value from observation o join territory t on t.id = o.territory_id
            where t.level = 'region' and t.code = '84' and o.indicator_code = 'aah_pour_100_20_64' and o.year = 2019
            """);

        Assert.Equal(12, parts.Count);
        var expected = 100 * parts.Sum(p => p.Aah) / parts.Sum(p => p.Population);
        var averageOfRates = parts.Average(p => 100 * p.Aah / p.Population);
        Assert.Equal(expected, regionRate, 9);
        Assert.NotEqual(Math.Round(averageOfRates, 6), Math.Round(regionRate, 6));
    }

    [Fact]
    public async Task Population_15_64_from_the_official_insee_file_sums_its_age_groups()
    {
        var row = SourceFiles.Rows("indicators/population/insee_estimations_population_dep_1975_2022.csv")
            .Single(r => r["annee"] == "2019" && r["geo_code"] == "93");
        // 15-19 + 20-24 + … + 60-64: ten five-year groups.
        var expected = new[] { "15_19", "20_24", "25_29", "30_34", "35_39", "40_44", "45_49", "50_54", "55_59", "60_64" }
            .Sum(g => double.Parse(row[$"ensemble_{g}"], System.Globalization.CultureInfo.InvariantCulture));
        await using var connection = await atlas.Db.OpenConnectionAsync();
        var value = await connection.ExecuteScalarAsync<double>("""
            select o.value from observation o join territory t on t.id = o.territory_id
            where t.level = 'departement' and t.code = '93' and o.indicator_code = 'population_15_64' and o.year = 2019
            """);
        Assert.Equal(expected, value);
    }
}
