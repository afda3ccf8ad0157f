using System.Net;

namespace TerritoryAtlas.BrowserTests;

[Collection(AtlasCollection.Name)]
public sealed class StaticAssetsTests(AtlasApp app)
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
}
