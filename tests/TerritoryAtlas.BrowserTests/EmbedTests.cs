using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Playwright;
using TerritoryAtlas.Testing;

namespace TerritoryAtlas.BrowserTests;

/// <summary>
/// A partner's page on another loopback origin (a small Kestrel site of the test's own) frames the widget, so the
/// browser sees a real cross-origin parent and applies the widget's frame-ancestors policy.
/// </summary>
[Collection(AtlasCollection.Name)]
public sealed class EmbedTests(AtlasApp app) : IAsyncLifetime
{
    // Other loopback origins than the app's (Chromium lets only loopback pages load loopback resources).
    public const string PartnerOrigin = "http://localhost:5998";
    private const string StrangerOrigin = "http://localhost:5997";

    private static readonly Dictionary<string, string> Pages = [];
    private readonly List<WebApplication> _sites = [];
    private IBrowserContext _context = null!;
    private readonly List<string> _requests = [];

    public async Task InitializeAsync()
    {
        foreach (var origin in new[] { PartnerOrigin, StrangerOrigin })
        {

            var site = WebApplication.CreateBuilder(new WebApplicationOptions { Args = ["--urls", origin] });
            var web = site.Build();
            web.MapGet("/{name}", (string name) => Results.Content(Pages.GetValueOrDefault(name, "not found"), "text/html; charset=utf-8"));
            await web.StartAsync();
            _sites.Add(web);
        }

        _context = await app.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1100, Height = 900 } });
        _context.Request += (_, request) => _requests.Add(request.Url);
    }

    public async Task DisposeAsync()
    {
        await _context.DisposeAsync();
        foreach (var site in _sites)
        {
            await site.DisposeAsync();
        }
    }

    private string EmbedUrl => new Uri(app.BaseAddress, "/embed?indicator=aah_pour_100_20_64&level=departement&year=2019").ToString();

    private async Task<IPage> PartnerPageAsync(string origin, string body)
    {
        var name = $"{Guid.NewGuid():N}.html";
        Pages[name] = $"<!DOCTYPE html><html><head><title>Partenaire</title></head><body><h1>Le site du partenaire</h1>{body}</body></html>";
        var page = await _context.NewPageAsync();
        await page.GotoAsync($"{origin}/{name}");
        return page;
    }

    private static async Task<IFrame> WidgetFrameAsync(IPage page)
    {
        await Assertions.Expect(page.Locator("iframe")).ToHaveCountAsync(1);
        var handle = await page.Locator("iframe").ElementHandleAsync();
        IFrame? frame = null;
        await Eventually.HoldsAsync(async () => (frame = await handle.ContentFrameAsync()) is not null, "the iframe has a frame");
        return frame!;
    }

    /// <summary>
    /// Whether the frame's document, once its navigation away from about:blank has ended (with the page, or with the
    /// browser's error page when framing is refused), holds the selector: a refusal is then a fact, not a slow page.
    /// The frame's address is polled: WaitForURLAsync can miss a navigation that lands while it starts.
    /// </summary>
    private static async Task<bool> FinalDocumentHasAsync(IFrame frame, string selector)
    {
        await Eventually.HoldsAsync(() => !frame.Url.StartsWith("about:", StringComparison.Ordinal), "the frame left about:blank", 30_000);
        await frame.WaitForLoadStateAsync(LoadState.Load, new() { Timeout = 30_000 });
        return await frame.EvaluateAsync<bool>("s => !!document.querySelector(s)", selector);
    }

    [Fact]
    public async Task An_allowed_partner_page_shows_the_widget_coloured_without_a_blazor_circuit()
    {
        var page = await PartnerPageAsync(PartnerOrigin, $"""<iframe src="{EmbedUrl}" title="Carte AAH" width="900" height="560"></iframe>""");
        var frame = await WidgetFrameAsync(page);
        await frame.WaitForFunctionAsync("""
            () => { const h = window.atlasMaps && window.atlasMaps[0];
                    return !!h && h.painted > 0 && h.map.loaded() && h.map.areTilesLoaded(); }
            """, null, new() { Timeout = 30_000 });
        var coloured = await frame.EvaluateAsync<int>("""
            () => { const h = window.atlasMaps[0];
                    return new Set(h.map.queryRenderedFeatures({ layers: ['territory-fill'] })
                        .filter(f => typeof h.map.getFeatureState({ source: 'territories', sourceLayer: 'territories', id: f.id }).cls === 'number')
                        .map(f => f.id)).size; }
            """);
        Assert.True(coloured >= 90, $"{coloured} départements coloured in the widget");
        // Drawn by the tile worker the widget's head started, which MapLibre took instead of starting its own.
        Assert.True(await frame.EvaluateAsync<bool>("() => window.atlasEarlyWorker?.adopted === true"), "MapLibre did not take the head's worker");
        await Assertions.Expect(frame.Locator("#embed-legend table tr")).Not.ToHaveCountAsync(0);
        await Assertions.Expect(frame.Locator("#embed-summary")).ToContainTextAsync("Source");
        Assert.DoesNotContain(_requests, url => url.Contains("/_blazor", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_page_from_an_origin_not_on_the_allow_list_cannot_frame_the_widget()
    {
        var page = await PartnerPageAsync(StrangerOrigin, $"""<iframe src="{EmbedUrl}" title="Carte AAH" width="900" height="560"></iframe>""");
        var frame = await WidgetFrameAsync(page);
        // The browser refuses to render the widget (CSP frame-ancestors): once the frame's navigation has ended, its
        // document has no map.
        Assert.False(await FinalDocumentHasAsync(frame, "main.embed"));
        // The same page framed by the allowed partner works (the refusal is the policy, not a broken page).
        var response = await app.Http.GetAsync(new Uri(EmbedUrl));
        Assert.Contains($"frame-ancestors 'self' {PartnerOrigin}", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Even_the_partner_cannot_frame_the_interactive_map_page()
    {
        var page = await PartnerPageAsync(PartnerOrigin, $"""<iframe src="{new Uri(app.BaseAddress, "/")}" title="Carte" width="900" height="560"></iframe>""");
        var frame = await WidgetFrameAsync(page);
        Assert.False(await FinalDocumentHasAsync(frame, ".atlas-map-page"));
        // Only the widget is meant to be framed: the page itself answers SAMEORIGIN.
        var response = await app.Http.GetAsync(new Uri("/", UriKind.Relative));
        Assert.Equal("SAMEORIGIN", response.Headers.GetValues("X-Frame-Options").Single());
    }

    [Fact]
    public async Task The_script_variant_inserts_the_iframe_and_fits_its_height()
    {
        var loader = new Uri(app.BaseAddress, "/js/embed-loader.js");
        var page = await PartnerPageAsync(PartnerOrigin,
            $"""<script src="{loader}" data-atlas-embed="{EmbedUrl}" data-atlas-title="Carte AAH" data-atlas-height="200"></script><p>après</p>""");
        var iframe = page.Locator("iframe");
        await Assertions.Expect(iframe).ToHaveAttributeAsync("title", "Carte AAH");
        // The widget reports its content height (a 380 px map plus its title, summary and source).
        await page.WaitForFunctionAsync("() => parseInt(document.querySelector('iframe').style.height) > 400", null, new() { Timeout = 30_000 });
        var height = await page.EvaluateAsync<int>("() => parseInt(document.querySelector('iframe').style.height)");
        Assert.InRange(height, 401, 1200);
    }

    [Fact]
    public async Task A_site_not_in_the_allow_list_gets_a_readable_message_and_an_event_instead_of_a_grey_frame()
    {
        var loader = new Uri(app.BaseAddress, "/js/embed-loader.js");
        var page = await PartnerPageAsync(StrangerOrigin,
            $"""<script>document.addEventListener('territoryatlas:refused', e => window.__refused = e.detail.origin);</script><script src="{loader}" data-atlas-embed="{EmbedUrl}" data-atlas-title="Carte AAH"></script>""");

        var note = page.Locator("[data-atlas-refused]");
        await Assertions.Expect(note).ToContainTextAsync($"{StrangerOrigin} ne fait pas partie des sites autorisés", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("iframe")).ToHaveCountAsync(0);
        Assert.Equal(StrangerOrigin, await page.EvaluateAsync<string>("() => window.__refused"));
        Assert.Equal(EmbedUrl, await note.Locator("a").GetAttributeAsync("href"));

        // A listed partner keeps its frame.
        var partner = await PartnerPageAsync(PartnerOrigin, $"""<script src="{loader}" data-atlas-embed="{EmbedUrl}" data-atlas-title="Carte AAH"></script>""");
        await partner.WaitForFunctionAsync("() => parseInt(document.querySelector('iframe').style.height) > 480", null, new() { Timeout = 30_000 });
        await Assertions.Expect(partner.Locator("[data-atlas-refused]")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task The_embed_dialog_names_the_allowed_sites_and_says_copied_beside_the_button_used()
    {
        await _context.GrantPermissionsAsync(["clipboard-read", "clipboard-write"], new() { Origin = app.BaseAddress.GetLeftPart(UriPartial.Authority) });
        var map = new MapPage(await _context.NewPageAsync());
        await map.OpenAsync(app.BaseAddress);
        await map.Page.GetByTestId("open-embed").ClickAsync();

        await Assertions.Expect(map.Page.GetByTestId("embed-allowed")).ToContainTextAsync($"Seuls ces sites peuvent intégrer cette carte (Embed:AllowedOrigins) : {PartnerOrigin}");
        await map.Page.GetByTestId("copy-iframe").ClickAsync();
        await Assertions.Expect(map.Page.GetByTestId("copied-iframe")).ToBeVisibleAsync();
        await Assertions.Expect(map.Page.GetByTestId("copied-script")).ToHaveCountAsync(0);
        await map.Page.GetByTestId("copy-script").ClickAsync();
        await Assertions.Expect(map.Page.GetByTestId("copied-script")).ToBeVisibleAsync();
        await Assertions.Expect(map.Page.GetByTestId("copied-iframe")).ToHaveCountAsync(0);
        // The copied text is the snippet shown next to the button.
        Assert.Equal(await map.Page.GetByTestId("embed-script").InnerTextAsync(), await map.Page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
    }
}
