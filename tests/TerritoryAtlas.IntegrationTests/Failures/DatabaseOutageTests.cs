using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using TerritoryAtlas.IntegrationTests.Workshops;
using TerritoryAtlas.Testing;
using TerritoryAtlas.Web.Territories;
using TerritoryAtlas.Web.Workshops;

namespace TerritoryAtlas.IntegrationTests.Failures;

/// <summary>
/// PostgreSQL goes away under a running app (the relay between them is cut: open connections reset, new ones refused)
/// and comes back. Readers get a 503 that says so and when to retry; a workshop write is refused with a sentence; the
/// client's retry with the same annotation id writes it once, however many times it is sent.
/// </summary>
[Collection(nameof(AtlasCollection))]
public sealed class DatabaseOutageTests(AtlasFixture atlas)
{
    private WebApplicationFactory<Program> App(PostgresCut relay) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(b => b.UseEnvironment("Production").UseSetting("ATLAS_DB", relay.ConnectionString(atlas.ConnectionString))
            .UseSetting("RateLimits:WorkshopsPerHour", "0")
            .UseSetting("Workshops:AnonymousMayOpen", "true"));

    [Fact]
    public async Task Reads_during_an_outage_answer_503_with_retry_after_and_work_again_once_it_is_over()
    {
        await using var relay = PostgresCut.Start(atlas.ConnectionString);
        await using var app = App(relay);
        using var http = app.CreateClient();
        const string search = "/api/territories?q=Saint-Denis&limit=5";
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(search)).StatusCode);

        relay.Cut();
        var down = await http.GetAsync(search);
        Assert.True(down.StatusCode == HttpStatusCode.ServiceUnavailable, await down.Content.ReadAsStringAsync());
        Assert.Equal("5", down.Headers.RetryAfter?.Delta?.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("application/problem+json", down.Content.Headers.ContentType?.MediaType);
        var problem = await down.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(503, problem.GetProperty("status").GetInt32());
        Assert.Contains("briefly unavailable", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Npgsql", await down.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // A browser gets a page saying so in words, not an error page with a stack trace.
        using var page = new HttpRequestMessage(HttpMethod.Get, "/territoire/commune/93066");
        page.Headers.Accept.ParseAdd("text/html");
        var pageDown = await http.SendAsync(page);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, pageDown.StatusCode);
        var html = await pageDown.Content.ReadAsStringAsync();
        Assert.Contains("Momentanément indisponible", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", html, StringComparison.Ordinal);

        relay.Restore();
        await Eventually.HoldsAsync(async () => (await http.GetAsync(search)).StatusCode == HttpStatusCode.OK, "reads work again", 20_000);
    }

    [Fact]
    public async Task A_write_during_an_outage_is_refused_in_words_and_its_retries_write_it_once()
    {
        await using var relay = PostgresCut.Start(atlas.ConnectionString);
        await using var app = App(relay);
        using var http = app.CreateClient();
        var room = await WorkshopClient.CreateWorkshopAsync(http, "Panne");
        await using var writer = await WorkshopClient.ConnectAsync(app.Server);
        await writer.JoinAsync(room.JoinCode, "Écrit");
        var clientId = Guid.NewGuid();
        var input = WorkshopClient.Input("point", Drawings.Lyon, "pendant la panne") with { ClientId = clientId };

        relay.Cut();
        // Until the levels are due for a check against the data version (read at most every two seconds): every
        // request, the hub's transport included, then meets the outage in the middleware that keeps the levels
        // current (which must let it through).
        var levels = app.Services.GetRequiredService<LevelCatalogue>();
        await Eventually.HoldsAsync(() => !levels.IsCurrent, "the levels are due for a check against the data version");
        var refused = await Assert.ThrowsAsync<HubException>(() => writer.Connection.InvokeAsync<WorkshopEvent>("AddAnnotation", writer.WorkshopId, input));
        Assert.Contains("momentanément indisponible", refused.Message, StringComparison.Ordinal);

        relay.Restore();
        // The client sends it again until it is acknowledged; then once more, as if that acknowledgement were lost.
        WorkshopEvent? written = null;
        await Eventually.HoldsAsync(async () =>
        {
            try
            {
                written = await writer.Connection.InvokeAsync<WorkshopEvent>("AddAnnotation", writer.WorkshopId, input);
                return true;
            }
            catch (HubException)
            {
                return false;
            }
        }, "the retry is written", 20_000);
        var again = await writer.Connection.InvokeAsync<WorkshopEvent>("AddAnnotation", writer.WorkshopId, input);
        Assert.Equal(written!.Seq, again.Seq);
        Assert.Equal(written.Annotation!.Id, again.Annotation!.Id);
        Assert.Equal("pendant la panne", again.Annotation.Note);

        await using var connection = await atlas.Db.OpenConnectionAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>("select count(*) from annotation where workshop_id = @id and client_id = @clientId", new { id = room.WorkshopId, clientId }));
        // No sequence number was spent on the refused attempt or the repeat: the room's log has no hole.
        Assert.Equal(written.Seq, await connection.ExecuteScalarAsync<long>("select last_seq from workshop where id = @id", new { id = room.WorkshopId }));

        // Someone else's id is not a way to read their annotation.
        await using var other = await WorkshopClient.ConnectAsync(app.Server);
        await other.JoinAsync(room.JoinCode, "Autre");
        var stolen = await Assert.ThrowsAsync<HubException>(() => other.Connection.InvokeAsync<WorkshopEvent>("AddAnnotation", other.WorkshopId, input));
        Assert.Contains("already used", stolen.Message, StringComparison.Ordinal);
    }
}
