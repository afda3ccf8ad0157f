using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace TerritoryAtlas.BrowserTests;

[Collection(AtlasCollection.Name)]
public sealed partial class StaticAssetsTests(AtlasApp app)
{
    [Theory]
    [InlineData("/lib/maplibre-gl/maplibre-gl.mjs")]
    [InlineData("/lib/maplibre-gl/maplibre-gl-worker.mjs")]
    [InlineData("/lib/maplibre-gl/maplibre-gl.css")]
    [InlineData("/js/choropleth.js")]
    [InlineData("/css/app.css")]
    [InlineData("/_content/MudBlazor/MudBlazor.min.js")]
    [InlineData("/_framework/blazor.web.js")]
    public async Task The_started_server_serves_the_browser_modules_the_map_needs(string path)
    {
        using var response = await app.Http.GetAsync(new Uri(path, UriKind.Relative));

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET {path} → {(int)response.StatusCode} from {app.BaseAddress}");
        Assert.True(response.Content.Headers.ContentLength is null or > 0, $"GET {path} is empty");
    }

    // The server runs from the build output here, as under ./atlas run: the build's compressed copies must be what goes
    // out, not the files "recompressed" at level 0 (MapStaticAssets' reloading did that to every asset, Program.cs).
    [Theory]
    [InlineData("/lib/maplibre-gl/maplibre-gl.mjs")]
    [InlineData("/lib/maplibre-gl/maplibre-gl-worker.mjs")]
    [InlineData("/js/choropleth.js")]
    [InlineData("/css/app.css")]
    public async Task Browser_modules_travel_compressed_to_well_under_half_their_size(string path)
    {
        using var http = new HttpClient(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None }) { BaseAddress = app.BaseAddress };
        var raw = (await http.GetByteArrayAsync(new Uri(path, UriKind.Relative))).Length;
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        request.Headers.AcceptEncoding.ParseAdd("gzip, deflate, br, zstd");
        using var response = await http.SendAsync(request);
        var sent = (await response.Content.ReadAsByteArrayAsync()).Length;

        Assert.NotEmpty(response.Content.Headers.ContentEncoding);
        Assert.True(sent < raw / 2, $"GET {path}: {sent} bytes {string.Join(",", response.Content.Headers.ContentEncoding)} for {raw} bytes raw");
    }

    /// <summary>
    /// The browser modules are files of wwwroot/js importing their siblings (choropleth.js its adoption, tooltip and PNG
    /// modules, workshop.js its hub client, panel and drawing). Every one a page imports must be served: none may fail
    /// or be refused, and in the app's pages each comes under the fingerprinted URL the import map gives it (cache
    /// busting). Embeds load them by their plain URLs.
    /// </summary>
    [Theory]
    [InlineData("map", "/?level=departement&indicator=population_totale&year=2020", "() => window.atlasMaps?.[0]?.painted > 0 && window.atlasMaps[0].live")]
    [InlineData("embed", "/embed?indicator=aah_pour_100_20_64&level=departement&year=2019", "() => window.atlasMaps?.[0]?.painted > 0")]
    [InlineData("workshop", "/projection", "() => !!window.atlasWorkshop?.session && window.atlasWorkshop.layersReady && window.atlasMaps?.[0]?.painted > 0")]
    public async Task Every_module_a_page_imports_is_served_and_the_apps_pages_get_them_fingerprinted(string kind, string path, string alive)
    {
        if (kind == "workshop")
        {
            var response = await app.Http.PostAsJsonAsync("/api/workshops", new { title = "Modules" });
            var code = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("joinCode").GetString()!;
            path = $"/atelier/{code}{path}";
        }

        await using var context = await app.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 }, Locale = "fr-FR" });
        var page = await context.NewPageAsync();
        var modules = new ConcurrentQueue<string>();
        var failures = new ConcurrentQueue<string>();
        page.Response += (_, response) =>
        {
            var url = new Uri(response.Url);
            if (!IsScript(url))
            {
                return;
            }

            modules.Enqueue(url.AbsolutePath);
            if (response.Status >= 400)
            {
                failures.Enqueue($"{response.Status} {url.AbsolutePath}");
            }
        };
        page.RequestFailed += (_, request) =>
        {
            if (IsScript(new Uri(request.Url)))
            {
                failures.Enqueue($"failed {request.Url}: {request.Failure}");
            }
        };
        page.PageError += (_, error) => failures.Enqueue($"uncaught: {error}");

        await page.GotoAsync(new Uri(app.BaseAddress, path).ToString());
        await page.WaitForFunctionAsync(alive, null, new() { Timeout = 30_000 });
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);

        Assert.True(failures.IsEmpty, $"{path}:\n{string.Join('\n', failures)}");
        var ours = modules.Where(p => p.StartsWith("/js/", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(ours);
        if (kind != "embed")
        {
            Assert.All(ours, p => Assert.Matches(Fingerprinted(), p));
            // Each once: a module fetched without the import map's integrity is fetched again when imported.
            var twice = ours.GroupBy(p => p).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
            Assert.True(twice.Count == 0, $"{path}: fetched more than once: {string.Join(", ", twice)}");
        }
    }

    private bool IsScript(Uri url) =>
        url.Authority == app.BaseAddress.Authority && (url.AbsolutePath.EndsWith(".js", StringComparison.Ordinal) || url.AbsolutePath.EndsWith(".mjs", StringComparison.Ordinal));

    // js/name.fingerprint.js, as MapStaticAssets names them in the import map.
    [GeneratedRegex(@"^/js/[a-z-]+\.[a-z0-9]+\.js$")]
    private static partial Regex Fingerprinted();
}
