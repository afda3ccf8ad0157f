using System.Net;
using Dapper;
using Microsoft.AspNetCore.Mvc.Testing;

namespace TerritoryAtlas.IntegrationTests.Portraits;

/// <summary>
/// A figure under statistical secrecy never leaves the database: not in the series JSON or CSV, the portrait, the
/// synthesis page or its CSV. The raw value is kept in observation (so parents can be summed), hence the scratch
/// database with a distinctive value that cannot appear by chance.
/// </summary>
[Collection(nameof(AtlasCollection))]
public sealed class SecrecyTests(AtlasFixture atlas) : IAsyncLifetime
{
    // The producer marked Ain's 2019 figure secret ('s' in the source file): the importer kept it with status suppressed.
    private const double SecretValue = 4321.987;
    private static readonly string[] SecretSpellings = ["4321.987", "4321,987", "4 321", "4\u202F321", "4\u00A0321", "4321"];

    private ScratchDatabase _scratch = null!;
    private WebApplicationFactory<Program> _app = null!;

    public async Task InitializeAsync()
    {
        _scratch = await ScratchDatabase.CreateAsync(atlas.ConnectionString);
        await using var connection = await _scratch.Db.OpenConnectionAsync();
        await connection.ExecuteAsync(Scenario.Territories);
        await Scenario.InsertObservationsAsync(connection, null,
            ("test_menages", "departement", "01", 2018, 150, "ok"),
            ("test_menages", "departement", "01", 2019, SecretValue, "suppressed"),
            ("test_menages", "departement", "69", 2018, 900, "ok"),
            ("test_menages", "departement", "69", 2019, 950, "ok"),
            ("test_menages", "region", "84", 2019, 99999, "ok"),
            ("test_menages", "france", "FR", 2019, 888888, "ok"));
        // The rate built on the secret numerator is suppressed too, with its numerator and denominator.
        await connection.ExecuteAsync("""
            insert into observation (indicator_code, territory_id, year, value, numerator, denominator, status, origin, dataset)
            select 'test_taux', id, 2019, 100 * 4321.987 / 70000, 4321.987, 70000, 'suppressed', 'computed', 'computed'
            from territory where level = 'departement' and code = '01';
            insert into observation (indicator_code, territory_id, year, value, numerator, denominator, status, origin, dataset)
            select 'test_taux', id, 2018, 0.25, 150, 60000, 'ok', 'computed', 'computed'
            from territory where level = 'departement' and code = '01';
            """);
        _app = atlas.App.WithWebHostBuilder(b => b.UseSetting("ATLAS_DB", _scratch.ConnectionString));
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _scratch.DisposeAsync();
    }

    [Theory]
    [InlineData("/api/series/test_menages/departement/01", "150")]
    [InlineData("/api/series/test_taux/departement/01", "0.25")]
    [InlineData("/api/series/test_menages/departement/01?format=csv", "150")]
    [InlineData("/api/series/test_taux/departement/01?format=csv", "0.25")]
    [InlineData("/territoire/departement/01", "99\u202F999")]
    [InlineData("/territoire/departement/01?indicateur=test_taux", "0,25")]
    [InlineData("/synthese/84?indicateurs=test_menages,test_taux", "950")]
    [InlineData("/api/synthesis/84.csv?indicators=test_menages,test_taux", "950")]
    public async Task A_suppressed_value_is_absent_and_labelled_secret_statistique(string url, string visible)
    {
        using var client = _app.CreateClient();
        var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());

        foreach (var spelling in SecretSpellings)
        {
            // As a number of its own: Blazor's component markers carry random hex ids that may hold "4321".
            var asNumber = new System.Text.RegularExpressions.Regex(
                $"(?<![0-9A-Za-z]){System.Text.RegularExpressions.Regex.Escape(spelling)}(?![0-9A-Za-z])");
            Assert.False(asNumber.IsMatch(body), $"'{spelling}' appears in {url}");
        }

        Assert.Contains("secret statistique", body, StringComparison.Ordinal);
        // The figures around it are there: the response did carry the territory's published data.
        Assert.Contains(System.Text.RegularExpressions.Regex.Unescape(visible), body, StringComparison.Ordinal);
    }
}
