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
}
