namespace TerritoryAtlas.BrowserTests;

[Collection(AtlasCollection.Name)]
public sealed class DebugTests(AtlasApp app)
{
    [Fact]
    public async Task Debug()
    {
        var context = await app.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        var patched = File.ReadAllText("/work/main/src/TerritoryAtlas.Web/wwwroot/js/choropleth.js")
            .Replace("['!=', ['feature-state', 'cls'], null], ['at', ['to-number', ['feature-state', 'cls']], ['literal', c.colours.length ? c.colours : [c.noDataColour]]],",
                     "['!=', ['feature-state', 'cls'], null], ['to-color', ['at', ['to-number', ['feature-state', 'cls']], ['literal', c.colours.length ? c.colours : [c.noDataColour]]]],", StringComparison.Ordinal);
        await context.RouteAsync("**/js/choropleth*.js", route => route.FulfillAsync(new() { Body = patched, ContentType = "text/javascript" }));
        var map = new MapPage(await context.NewPageAsync());
        await map.OpenAsync(app.BaseAddress);
        var r = await map.Page.EvaluateAsync<string>("""
            () => {
              const source = window.atlasMaps[0].map.getCanvas();
              const canvas = document.createElement('canvas');
              canvas.width = source.width; canvas.height = source.height;
              const context = canvas.getContext('2d');
              context.drawImage(source, 0, 0);
              const data = context.getImageData(0, 0, canvas.width, canvas.height).data;
              const h = {};
              for (let p = 0; p < data.length; p += 4) { const k = data[p]+','+data[p+1]+','+data[p+2]+','+data[p+3]; h[k] = (h[k]||0)+1; }
              return JSON.stringify({w: source.width, h: source.height, top: Object.entries(h).sort((a,b)=>b[1]-a[1]).slice(0,12)});
            }
            """);
        Console.WriteLine("RESULT " + r);
        await map.Page.ScreenshotAsync(new() { Path = "/tmp/debug.png" });
        await Task.Delay(1000);
        Console.WriteLine("RESULT2 " + string.Join(",", await map.PixelsByColourAsync(["#fee8c8", "#7f0000"])));
    }
}
