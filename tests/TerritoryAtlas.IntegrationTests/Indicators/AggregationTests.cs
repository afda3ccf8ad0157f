using System.Globalization;
using Dapper;
using TerritoryAtlas.Web.Data;
using TerritoryAtlas.Web.Import;

namespace TerritoryAtlas.IntegrationTests.Indicators;

[Collection(nameof(AtlasCollection))]
public sealed class AggregationTests(AtlasFixture atlas)
{
    [Fact]
    public async Task A_region_rate_is_its_summed_numerators_over_its_summed_denominators_as_computed_by_hand()
    {
        await using var scratch = await ScratchDatabase.CreateAsync(atlas.ConnectionString);
        await using var connection = await scratch.Db.OpenConnectionAsync();
        await connection.ExecuteAsync(Scenario.Territories);
        // Ain: 10 households for 100 inhabitants (10 %); Rhône: 30 for 1,000 (3 %).
        // By hand: région = 100 × (10 + 30) / (100 + 1,000) = 3.636363… %; the average of the rates would be 6.5 %.
        await Scenario.InsertObservationsAsync(connection, null,
            ("test_menages", "departement", "01", 2019, 10, "ok"), ("test_population", "departement", "01", 2019, 100, "ok"),
            ("test_menages", "departement", "69", 2019, 30, "ok"), ("test_population", "departement", "69", 2019, 1000, "ok"));

        await using (var transaction = await connection.BeginTransactionAsync())
        {
            foreach (var step in DerivedFigures.ComputedSteps)
            {
                await connection.ExecuteAsync(DerivedFigures.StepSql(step), transaction: transaction);
            }

            await transaction.CommitAsync();
        }

        var region = await connection.QuerySingleAsync<(double Value, double Numerator, double Denominator, string Origin)>("""
            select o.value, o.numerator, o.denominator, o.origin from published_observation o join territory t on t.id = o.territory_id
            where t.level = 'region' and t.code = '84' and o.indicator_code = 'test_taux' and o.year = 2019
            """);
        Assert.Equal(40, region.Numerator);
        Assert.Equal(1100, region.Denominator);
        Assert.Equal(3.6363636363636362, region.Value, 12);
        Assert.Equal("computed", region.Origin);

        using var app = atlas.App.WithWebHostBuilder(b => b.UseSetting("ATLAS_DB", scratch.ConnectionString));
        using var client = app.CreateClient();
        var csv = await client.GetStringAsync("/api/series/test_taux/departement/01?format=csv");
        Assert.Contains("test_taux,region,84,Auvergne-Rhône-Alpes,parent,2019,3.636363636363", csv, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Region_counts_published_by_the_source_agree_with_the_sums_of_their_departements()
    {
        // The tidy region file publishes its own regional counts (flag somme_departements for DREES, INSEE's own for
        // Filosofi); the importer sums the départements beside them (computed_value). Read the file, not the database.
        var published = SourceFiles.Rows("indicators/tidy/indicators_region_long.csv")
            .Where(r => r["indicator"] is "aah_allocataires" or "ass_allocataires" or "nb_menages_fiscaux" or "nb_personnes_menages_fiscaux")
            .ToDictionary(r => (r["indicator"], r["geo_code"], int.Parse(r["year"], CultureInfo.InvariantCulture)),
                r => double.Parse(r["value"], CultureInfo.InvariantCulture));
        await using var connection = await atlas.Db.OpenConnectionAsync();
        var computed = (await connection.QueryAsync<(string Indicator, string Code, int Year, double? ComputedValue, double? Value)>("""
            select o.indicator_code, t.code, o.year, o.computed_value, o.value
            from published_observation o join territory t on t.id = o.territory_id
            where t.level = 'region'
              and o.indicator_code in ('aah_allocataires', 'ass_allocataires', 'nb_menages_fiscaux', 'nb_personnes_menages_fiscaux')
            """)).ToDictionary(r => (r.Indicator, r.Code, r.Year));

        Assert.True(published.Count > 1000, $"{published.Count} regional figures read");
        var compared = 0;
        foreach (var ((indicator, code, year), value) in published)
        {
            var row = computed[(indicator, code, year)];
            Assert.Equal(value, row.Value); // the published figure is kept as published
            Assert.NotNull(row.ComputedValue);
            if (indicator == "nb_personnes_menages_fiscaux")
            {
                // Filosofi counts persons with fractional weights and rounds each published figure: a région differs
                // from the sum of its rounded départements by a few persons (at most 5 in 5.6 million, README).
                Assert.InRange(Math.Abs(value - row.ComputedValue!.Value), 0, 10);
            }
            else
            {
                // Exact but for the last bits of floating-point addition (Filosofi household counts carry decimals).
                Assert.InRange(Math.Abs(value - row.ComputedValue!.Value), 0, 1e-6);
            }

            compared++;
        }

        Assert.Equal(published.Count, compared);
    }
}
