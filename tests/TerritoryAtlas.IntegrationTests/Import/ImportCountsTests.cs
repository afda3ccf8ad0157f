using System.Text.Json;
using Dapper;

namespace TerritoryAtlas.IntegrationTests.Import;

[Collection(nameof(AtlasCollection))]
public sealed class ImportCountsTests(AtlasFixture atlas)
{
    [Theory]
    [InlineData("region", "geodata/regions-2018.geojson")]
    [InlineData("departement", "geodata/departements-2018.geojson")]
    [InlineData("arrondissement", "geodata/arrondissements-2018.geojson")]
    [InlineData("epci", "geodata/epci-2024.geojson")]
    [InlineData("commune", "geodata/communes-2018.geojson")]
    [InlineData("qpv", "geodata/qpv-2024.geojson")]
    public async Task Every_feature_of_a_boundary_file_becomes_one_territory(string level, string file)
    {
        var fileCodes = SourceFiles.FeatureCodes(file).Order(StringComparer.Ordinal).ToList();
        await using var connection = await atlas.Db.OpenConnectionAsync();
        var dbCodes = (await connection.QueryAsync<string>("select code from territory where level = @level", new { level }))
            .Order(StringComparer.Ordinal).ToList();
        Assert.Equal(fileCodes, dbCodes);
        var invalid = await connection.ExecuteScalarAsync<long>(
            "select count(*) from territory where level = @level and (geom is null or not ST_IsValid(geom))", new { level });
        Assert.Equal(0, invalid);
    }

    [Fact]
    public async Task Departement_observations_per_indicator_and_year_equal_the_tidy_file_rows()
    {
        var expected = SourceFiles.Rows("indicators/tidy/indicators_departement_long.csv")
            .GroupBy(r => (r["indicator"], int.Parse(r["year"], System.Globalization.CultureInfo.InvariantCulture)))
            .ToDictionary(g => g.Key, g => g.Count());
        await using var connection = await atlas.Db.OpenConnectionAsync();
        var actual = (await connection.QueryAsync<(string Indicator, short Year, long Count)>("""
            select indicator_code, year, count(*) from observation where dataset = 'tidy-departement' group by 1, 2
            """)).ToDictionary(r => (r.Indicator, (int)r.Year), r => (int)r.Count);
        Assert.Equal(expected.Count, actual.Count);
        foreach (var (key, count) in expected)
        {
            Assert.True(actual.TryGetValue(key, out var written), $"{key} missing");
            Assert.Equal(count, written);
        }
    }

    [Fact]
    public async Task Commune_rows_are_written_or_listed_as_unmatched_never_silently_dropped()
    {
        var rows = SourceFiles.Rows("indicators/tidy/indicators_commune_long.csv").ToList();
        var boundaryCodes = SourceFiles.FeatureCodes("geodata/communes-2018.geojson").ToHashSet();
        // Codes of later COG vintages that are not 2018 communes (mergers, Paris/Lyon/Marseille arrondissements).
        var notOnTheLayer = rows.Where(r => !boundaryCodes.Contains(r["geo_code"])).Select(r => r["geo_code"]).ToHashSet();

        await using var connection = await atlas.Db.OpenConnectionAsync();
        var report = await connection.QuerySingleAsync<(int Read, int Written, int Rejected, int Mapped, string Unmatched)>(
            "select rows_read, rows_written, rows_rejected, codes_mapped, unmatched_codes::text from import_report where dataset = 'tidy-commune'");
        var unmatched = JsonSerializer.Deserialize<List<JsonElement>>(report.Unmatched)!;
        var unmatchedCodes = unmatched.Select(u => u.GetProperty("code").GetString()!).ToHashSet();
        var unmatchedRows = unmatched.Sum(u => u.GetProperty("rows").GetInt32());

        Assert.Equal(rows.Count, report.Read);
        Assert.Equal(report.Read, report.Written + report.Rejected);
        Assert.Equal(report.Rejected, unmatchedRows);
        // Every reported code is truly absent from the 2018 layer, and every absent code is reported or mapped.
        Assert.Subset(notOnTheLayer, unmatchedCodes);
        Assert.Contains("75101", unmatchedCodes);
        var written = await connection.ExecuteScalarAsync<long>("select count(*) from observation where dataset = 'tidy-commune'");
        Assert.Equal(report.Written, written);
    }

    [Fact]
    public async Task Epci_codes_of_older_vintages_are_listed_in_the_report()
    {
        var layer = SourceFiles.FeatureCodes("geodata/epci-2024.geojson").ToHashSet();
        var missing = SourceFiles.Rows("indicators/tidy/indicators_epci_long.csv").Select(r => r["geo_code"])
            .Where(c => !layer.Contains(c)).ToHashSet();
        await using var connection = await atlas.Db.OpenConnectionAsync();
        var reported = await connection.QueryAsync<string>(
            "select u->>'code' from import_report, jsonb_array_elements(unmatched_codes) u where dataset = 'tidy-epci'");
        Assert.NotEmpty(missing);
        Assert.Equal(missing.Order(StringComparer.Ordinal), reported.Order(StringComparer.Ordinal));
    }
}
