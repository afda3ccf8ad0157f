using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Npgsql;

namespace TerritoryAtlas.BrowserTests;

[Collection(AtlasCollection.Name)]
public sealed class WorkshopTests(AtlasApp app) : IAsyncLifetime
{
    private const string Payload = "<img src=x onerror=window.__xss=1>";
    private const string LabelPayload = "<img src=x onerror=window.__xss=2><script>window.__xss=3</script>";

    private IBrowserContext _phone = null!;
    private IBrowserContext _laptop = null!;

    public async Task InitializeAsync()
    {
        // One participant on a phone-sized screen, the other on a laptop: both must be able to take part.
        _phone = await app.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 390, Height = 844 }, Locale = "fr-FR" });
        _laptop = await app.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 }, Locale = "fr-FR" });
    }

    public async Task DisposeAsync()
    {
        await _phone.DisposeAsync();
        await _laptop.DisposeAsync();
    }

    private async Task<IPage> JoinAsync(IBrowserContext context, string code, string name)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(app.BaseAddress, $"/atelier/{code}").ToString());
        await page.GetByTestId("display-name").FillAsync(name);
        await page.GetByTestId("join").ClickAsync();
        await page.GetByTestId("tool-point").WaitForAsync(new() { Timeout = 20_000 });
        await page.WaitForFunctionAsync("() => window.atlasWorkshop && window.atlasWorkshop.layersReady", null, new() { Timeout = 20_000 });
        return page;
    }

    private static async Task ClickMapCentreAsync(IPage page)
    {
        var box = (await page.Locator("[data-testid=workshop-map] canvas").BoundingBoxAsync())!;
        await page.Mouse.ClickAsync(box.X + (box.Width / 2), box.Y + (box.Height / 2));
    }

    [Fact]
    public async Task One_participant_draws_the_other_sees_it_appear_and_html_in_notes_stays_inert()
    {
        var response = await app.Http.PostAsJsonAsync("/api/workshops", new { title = "Atelier <b>navigateur</b>" });
        var room = await response.Content.ReadFromJsonAsync<JsonElement>();
        var code = room.GetProperty("joinCode").GetString()!;

        var alice = await JoinAsync(_phone, code, "Alice");
        var bruno = await JoinAsync(_laptop, code, "Bruno <i>");
        try
        {
            await Assertions.Expect(alice.GetByTestId("presence").Locator("li")).ToHaveCountAsync(2, new() { Timeout = 10_000 });

            // Alice, on her phone, puts a point in the middle of the map (France) with a note carrying HTML.
            await alice.GetByTestId("tool-point").ClickAsync();
            await ClickMapCentreAsync(alice);
            await alice.GetByTestId("note").FillAsync(Payload);
            await alice.GetByTestId("save-note").ClickAsync();

            // Bruno sees it in his list, as text, and on his map.
            var note = bruno.GetByTestId("annotation-note");
            await Assertions.Expect(note).ToHaveTextAsync(Payload, new() { Timeout = 10_000 });
            await Assertions.Expect(bruno.GetByTestId("annotation").Locator(".meta")).ToContainTextAsync("Alice");
            await bruno.WaitForFunctionAsync("() => window.atlasWorkshop.map.queryRenderedFeatures({ layers: ['annotation-point'] }).length === 1", null, new() { Timeout = 10_000 });

            // A label (an HTML marker on the map) carrying markup and a script: shown as text too.
            await alice.GetByTestId("tool-label").ClickAsync();
            await ClickMapCentreAsync(alice);
            await alice.GetByTestId("note").FillAsync(LabelPayload);
            await alice.GetByTestId("save-note").ClickAsync();
            await Assertions.Expect(bruno.Locator(".atlas-workshop-label")).ToHaveTextAsync(LabelPayload, new() { Timeout = 10_000 });

            // The label is shown: had its markup been parsed, its elements would be in the page now (and run from there).
            foreach (var page in new[] { alice, bruno })
            {
                Assert.Equal(0, await page.Locator("[data-testid=annotation-list] img, .atlas-workshop-label img, .atlas-workshop-label script").CountAsync());
                Assert.True(await page.EvaluateAsync<bool>("() => window.__xss === undefined"), "a note's markup ran as HTML");
            }

            // Bruno cannot delete Alice's point: no delete button for him; Alice deletes it and it leaves Bruno's list.
            Assert.Equal(0, await bruno.GetByTestId("delete").CountAsync());
            await alice.GetByTestId("annotation").Filter(new() { HasText = Payload }).GetByTestId("delete").ClickAsync();
            await Assertions.Expect(bruno.GetByTestId("annotation")).ToHaveCountAsync(1, new() { Timeout = 10_000 });
        }
        finally
        {
            await bruno.ScreenshotAsync(new() { Path = "/tmp/atlas-workshop-laptop.png" });
            await alice.ScreenshotAsync(new() { Path = "/tmp/atlas-workshop-phone.png" });
        }
    }

    /// <summary>
    /// The acknowledgement of a drawing is lost (as when the database restarts under the write, or the connection
    /// drops): the page keeps the drawing, says so, and sends it again by itself with the same annotation id; the
    /// room ends up with it once.
    /// </summary>
    [Fact]
    public async Task A_drawing_whose_acknowledgement_was_lost_is_sent_again_and_written_once()
    {
        var response = await app.Http.PostAsJsonAsync("/api/workshops", new { title = "Atelier coupure" });
        var code = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("joinCode").GetString()!;
        var alice = await JoinAsync(_laptop, code, "Alice");
        var bruno = await JoinAsync(_phone, code, "Bruno");

        // The server writes the first annotation, and its answer is turned into the refusal an outage gives.
        await alice.EvaluateAsync("""
            () => { const c = window.atlasWorkshop.connection; const real = c.invoke.bind(c); let lost = false;
                    c.invoke = async (name, ...args) => { const answer = await real(name, ...args);
                      if (name === 'AddAnnotation' && !lost) { lost = true; throw new Error('HubException: Le service de données est momentanément indisponible'); }
                      return answer; }; }
            """);
        await alice.GetByTestId("tool-point").ClickAsync();
        await ClickMapCentreAsync(alice);
        await alice.GetByTestId("note").FillAsync("envoyé deux fois");
        await alice.GetByTestId("save-note").ClickAsync();
        await Assertions.Expect(alice.GetByTestId("workshop-status")).ToContainTextAsync("en attente");

        await Assertions.Expect(alice.GetByTestId("workshop-status")).Not.ToContainTextAsync("en attente", new() { Timeout = 15_000 });
        await Assertions.Expect(alice.GetByTestId("annotation")).ToHaveCountAsync(1);
        await Assertions.Expect(bruno.GetByTestId("annotation")).ToHaveCountAsync(1);
        await Assertions.Expect(bruno.GetByTestId("annotation-note")).ToHaveTextAsync("envoyé deux fois");
        // Nothing was drawn twice: the room's log holds one creation.
        var roomId = Guid.Parse(await alice.EvaluateAsync<string>("() => window.atlasWorkshop.session.roomId"));
        await using var command = app.Services.GetRequiredService<NpgsqlDataSource>().CreateCommand(
            "select count(*) from annotation_event where workshop_id = $1 and type = 'created'");
        command.Parameters.AddWithValue(roomId);
        Assert.Equal(1L, (long)(await command.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Participants_follow_the_hosts_view_until_they_explore_and_can_follow_again()
    {
        var response = await app.Http.PostAsJsonAsync("/api/workshops", new { title = "Suivre" });
        var room = await response.Content.ReadFromJsonAsync<JsonElement>();
        var code = room.GetProperty("joinCode").GetString()!;
        var host = await _laptop.NewPageAsync();
        await host.GotoAsync(new Uri(app.BaseAddress, room.GetProperty("hostUrl").GetString()!).ToString());
        await host.GetByTestId("lock").WaitForAsync(new() { Timeout = 20_000 });
        await host.WaitForFunctionAsync("() => window.atlasWorkshop && window.atlasWorkshop.layersReady", null, new() { Timeout = 20_000 });
        var participant = await JoinAsync(_phone, code, "Chloé");
        await participant.GetByTestId("following").WaitForAsync();

        // The host moves to Marseille: the participant's map goes there too.
        await host.EvaluateAsync("() => { window.atlasWorkshop.map.jumpTo({ center: [5.37, 43.3], zoom: 9 }); }");
        await participant.WaitForFunctionAsync(
            "() => { const c = window.atlasWorkshop.map.getCenter(); return Math.abs(c.lng - 5.37) < 0.01 && Math.abs(c.lat - 43.3) < 0.01 && Math.abs(window.atlasWorkshop.map.getZoom() - 9) < 0.01; }",
            null, new() { Timeout = 10_000 });

        // The participant drags the map: they explore on their own, the host's next move does not take them back...
        var box = (await participant.Locator("[data-testid=workshop-map] canvas").BoundingBoxAsync())!;
        await participant.Mouse.MoveAsync(box.X + (box.Width / 2), box.Y + (box.Height / 2));
        await participant.Mouse.DownAsync();
        await participant.Mouse.MoveAsync(box.X + (box.Width / 2) + 120, box.Y + (box.Height / 2) + 60, new() { Steps = 8 });
        await participant.Mouse.UpAsync();
        await participant.GetByTestId("follow").WaitForAsync();
        await host.EvaluateAsync("() => { window.atlasWorkshop.map.jumpTo({ center: [4.83, 45.76], zoom: 8 }); }");
        // Once the participant has received that move (it keeps the host's last view for "follow again")...
        await participant.WaitForFunctionAsync("() => Math.abs((window.atlasWorkshop.hostView?.lon ?? 0) - 4.83) < 0.01", null, new() { Timeout = 10_000 });
        Assert.False(await participant.EvaluateAsync<bool>("() => Math.abs(window.atlasWorkshop.map.getCenter().lng - 4.83) < 0.01"));

        // ...until they choose to follow again.
        await participant.GetByTestId("follow").ClickAsync();
        await participant.WaitForFunctionAsync(
            "() => { const c = window.atlasWorkshop.map.getCenter(); return Math.abs(c.lng - 4.83) < 0.01 && Math.abs(c.lat - 45.76) < 0.01; }",
            null, new() { Timeout = 10_000 });
    }
}
