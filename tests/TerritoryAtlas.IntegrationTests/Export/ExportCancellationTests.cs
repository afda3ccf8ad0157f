using Dapper;
using Microsoft.AspNetCore.Mvc.Testing;
using TerritoryAtlas.Testing;

namespace TerritoryAtlas.IntegrationTests.Export;

[Collection(nameof(AtlasCollection))]
public sealed class ExportCancellationTests(AtlasFixture atlas)
{
    private const string ActiveExports = """
        select count(*) from pg_stat_activity
        where state = 'active' and query like '%The export''s one query%' and pid <> pg_backend_pid()
        """;

    [Fact]
    public async Task A_client_that_hangs_up_mid_download_stops_the_query()
    {
        // A real socket (Kestrel on a loopback port): the in-memory test server buffers responses, so only a socket
        // gives the back-pressure and the hang-up this test is about.
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b.UseSetting("ATLAS_DB", atlas.ConnectionString));
        factory.UseKestrel(0);
        factory.StartServer();
        using var client = new HttpClient { BaseAddress = factory.ClientOptions.BaseAddress };
        await using var connection = await atlas.Db.OpenConnectionAsync();
        // A slow reader: all communes of France, of which only the first bytes are read; the rest waits in PostGIS
        // behind the response's back-pressure.
        var response = await client.GetAsync("/api/export/commune.geojson?indicator=mediane_niveau_vie,population_municipale",
            HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        var stream = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[64 * 1024];
        await stream.ReadAtLeastAsync(buffer, buffer.Length);
        await Eventually.HoldsAsync(async () => await connection.ExecuteScalarAsync<long>(ActiveExports) > 0,
            "the export query runs while the download is under way");

        await stream.DisposeAsync();
        response.Dispose();
        await Eventually.HoldsAsync(async () => await connection.ExecuteScalarAsync<long>(ActiveExports) == 0,
            "the export query stops once the client hung up");
    }
}
