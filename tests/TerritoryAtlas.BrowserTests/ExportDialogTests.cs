using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace TerritoryAtlas.BrowserTests;

[Collection(AtlasCollection.Name)]
public sealed class ExportDialogTests(AtlasApp app) : IAsyncLifetime
{
    private IBrowserContext _context = null!;

    public async Task InitializeAsync() =>
        _context = await app.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 }, Locale = "fr-FR" });

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Fact]
    public async Task The_download_dialog_exports_exactly_what_the_map_shows_with_a_row_count()
    {
        var map = new MapPage(await _context.NewPageAsync());
        await map.OpenAsync(app.BaseAddress);
        var (indicator, year) = await map.ShownAsync();

        await map.Page.GetByTestId("export-button").ClickAsync();
        var preview = map.Page.GetByTestId("export-preview");
        await Assertions.Expect(preview).ToContainTextAsync("101 territoires");

        var download = map.Page.GetByTestId("export-download");
        var href = await download.GetAttributeAsync("href");
        Assert.Equal($"/api/export/departement.geojson?indicator={indicator}&year={year}", href);

        // The link's file holds the 101 départements with the map's indicator and year.
        using var document = JsonDocument.Parse(await app.Http.GetStringAsync(href));
        var features = document.RootElement.GetProperty("features").EnumerateArray().ToList();
        Assert.Equal(101, features.Count);
        Assert.All(features, f =>
        {
            Assert.Equal(indicator, f.GetProperty("properties").GetProperty("indicator").GetString());
            Assert.Equal(year, f.GetProperty("properties").GetProperty("year").GetInt32());
        });

        // CSV for a French spreadsheet: semicolons and a BOM are the dialog's defaults.
        await map.Page.GetByText("CSV (tableur, R, Python)").ClickAsync();
        await Assertions.Expect(download).ToHaveAttributeAsync("href", $"/api/export/departement.csv?indicator={indicator}&year={year}&sep=;&bom=true");
        // The sources, once per indicator, in the sidecar the dialog links.
        await Assertions.Expect(map.Page.GetByTestId("export-sources"))
            .ToHaveAttributeAsync("href", $"/api/export/departement/sources.csv?indicator={indicator}&year={year}&sep=;&bom=true");
    }

    [Fact]
    public async Task With_an_area_chosen_the_dialog_exports_that_area_only_and_says_so()
    {
        var map = new MapPage(await _context.NewPageAsync());
        await map.OpenAsync(new Uri(app.BaseAddress, "/?level=commune&indicator=taux_pauvrete_60&year=2019&within=departement:93"));
        // The map first fits Seine-Saint-Denis and writes that view into the URL (the test below opens the dialog
        // before that).
        await Assertions.Expect(map.Page).ToHaveURLAsync(new Regex("[?&]at="), new() { Timeout = 30_000 });
        await map.WaitForIdleAsync();

        await map.OpenExportDialogAsync();

        await Assertions.Expect(map.Page.GetByTestId("export-preview")).ToContainTextAsync("40 territoires", new() { Timeout = 30_000 });
        await Assertions.Expect(map.Page.GetByTestId("export-scope")).ToContainTextAsync("dans Seine-Saint-Denis");
        await Assertions.Expect(map.Page.GetByTestId("export-download"))
            .ToHaveAttributeAsync("href", "/api/export/commune.geojson?indicator=taux_pauvrete_60&year=2019&within=departement%3A93");
    }

    [Fact]
    public async Task A_dialog_opened_before_the_map_fits_its_area_stays_open_and_the_view_reaches_the_url_after()
    {
        var page = await _context.NewPageAsync();
        // The figures are held until the dialog is open: the map fits « Dans » only once it paints them.
        var figures = new TaskCompletionSource();
        await page.RouteAsync("**/api/maps/**", async route =>
        {
            await figures.Task;
            await route.ContinueAsync();
        });
        await page.GotoAsync(new Uri(app.BaseAddress, "/?level=commune&indicator=taux_pauvrete_60&year=2019&within=departement:93").ToString());
        var map = new MapPage(page);
        var preview = await map.OpenExportDialogAsync();
        // The map tells the page of a new view 250 ms after it stops moving: count the reports the page has answered
        // (on the prototype of the map's .NET object references, whichever the map holds when it reports).
        await page.WaitForFunctionAsync("() => window.atlasMaps?.[0]?.callbacks", null, new() { Timeout = 30_000 });
        await page.EvaluateAsync("""
            () => {
              const references = Object.getPrototypeOf(window.atlasMaps[0].callbacks);
              const invoke = references.invokeMethodAsync;
              window.atlasTestViewsAnswered = 0;
              references.invokeMethodAsync = function (name, ...args) {
                const answer = invoke.call(this, name, ...args);
                if (name === 'OnViewChanged') answer.then(() => window.atlasTestViewsAnswered++);
                return answer;
              };
            }
            """);

        figures.SetResult();
        await page.WaitForFunctionAsync("() => window.atlasMaps?.[0]?.fittedWithin", null, new() { Timeout = 30_000 });
        await map.WaitForIdleAsync();
        // The page has heard of the fitted view: that report must not have closed the dialog. An address written for
        // it would be there already (the circuit sends the page its calls in order, the answer last).
        await page.WaitForFunctionAsync("() => window.atlasTestViewsAnswered > 0", null, new() { Timeout = 30_000 });
        await Assertions.Expect(preview).ToBeVisibleAsync();
        Assert.DoesNotContain("at=", page.Url, StringComparison.Ordinal);

        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Fermer", Exact = true }).ClickAsync();
        // Polled: Blazor writes the URL with history.replaceState, which is no navigation to wait for.
        await Assertions.Expect(page).ToHaveURLAsync(new Regex("[?&]at="), new() { Timeout = 10_000 });
    }
}
