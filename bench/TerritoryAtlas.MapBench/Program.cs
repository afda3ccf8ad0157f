using System.Diagnostics;
using System.Globalization;
using Microsoft.Playwright;

// What a decision-maker feels on the commune map, measured in headless Chromium against a running app
// (bench/map.sh starts one): time to the first coloured paint, time to re-colour on a year change (and whether
// that loads any tile), and the server's memory per open map page (one Blazor circuit each).
// Usage: dotnet run -c Release -- <base url> <server pid> [pages] [--memory-only]
// --memory-only skips the paint and embed timings (minutes on the commune map) and measures memory alone.
var memoryOnly = args.Contains("--memory-only");
args = args.Where(a => a != "--memory-only").ToArray();
var baseUrl = args.Length > 0 ? args[0].TrimEnd('/') : "http://127.0.0.1:5192";
var serverPid = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 0;
var pages = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 100;

using var playwright = await Playwright.CreateAsync();
await using var browser = await playwright.Chromium.LaunchAsync(new()
{
    ExecutablePath = "/usr/bin/chromium",
    Headless = true,
    Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", "--use-angle=swiftshader", "--enable-unsafe-swiftshader"],
});

const string Idle = """
    () => { const h = window.atlasMaps && window.atlasMaps[0];
            return !!h && h.painted > 0 && h.map.loaded() && h.map.areTilesLoaded() && !h.map.isMoving(); }
    """;

using var http = new HttpClient();
var dataVersion = memoryOnly ? 0 : System.Text.Json.JsonDocument.Parse(await http.GetStringAsync($"{baseUrl}/api/maps/commune/mediane_niveau_vie/2019"))
    .RootElement.GetProperty("dataVersion").GetInt64();
var paints = new List<double>();
var recolours = new List<double>();
var floors = new Dictionary<string, List<double>> { ["constant"] = [], ["states"] = [] };
for (var run = 0; run < (memoryOnly ? 0 : 4); run++)
{
    // The floor under the first paint, side by side with it: MapLibre alone on a bare page, drawing the same commune
    // tiles over the same view with its tile worker started from the head as the map page does, in one constant
    // colour, then coloured by the same figures through feature-state (no Blazor, no page around the map).
    foreach (var variant in floors.Keys)
    {
        await using var floorContext = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        await floorContext.RouteAsync($"{baseUrl}/bench/maplibre-floor?*", route => route.FulfillAsync(new() { ContentType = "text/html", Body = FloorPage }));
        var floorPage = await floorContext.NewPageAsync();
        await floorPage.GotoAsync($"{baseUrl}/bench/maplibre-floor?{variant}&v={dataVersion}");
        await floorPage.WaitForFunctionAsync("() => window.drawnAt > 0", null, new() { Timeout = 120_000 });
        var floor = await floorPage.EvaluateAsync<double>("() => window.drawnAt");
        Console.WriteLine($"    MapLibre alone, {variant}: first paint {floor:0} ms");
        if (run > 0)
        {
            floors[variant].Add(floor);
        }
    }

    // A fresh context each time: a first visit, no HTTP cache.
    await using var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
    var page = await context.NewPageAsync();
    await page.GotoAsync($"{baseUrl}/?level=commune&indicator=mediane_niveau_vie&year=2019");
    // The moment MapLibre first stood idle with the figures applied and every tile in (choropleth.js records it); a
    // poll of the map's state would also count the Blazor start that follows at once.
    await page.WaitForFunctionAsync("() => window.atlasMaps[0].drawnAt > 0", null, new() { Timeout = 120_000 });
    var painted = await page.EvaluateAsync<double>("() => window.atlasMaps[0].drawnAt");
    var tilesBefore = await page.EvaluateAsync<int>("() => window.atlasMaps[0].tileRequests");
    // A reader looks at the map before reaching for the slider; meanwhile the page fetches the neighbouring years
    // (it waits for the first drawing to be done so as not to slow it down).
    await page.WaitForTimeoutAsync(1000);
    // A step of the year slider: the page fetched the neighbouring years' values in advance, as it does after every
    // paint, so this is the re-colouring alone (feature-state, MapLibre's paint buffers, the frame).
    var recolour = await ShowYearAsync(page, 2018);
    // A jump to a year nobody asked for yet: the values request (816 KB of JSON, 111 KB over the wire) included.
    var jump = await ShowYearAsync(page, 2014);
    // And through the page, as a reader does it: the slider's key, the circuit's round trip, the server's values.
    var painted0 = await page.EvaluateAsync<int>("() => window.atlasMaps[0].painted");
    var slider = page.Locator("input[type=range][data-testid=year-slider], [data-testid=year-slider] input[type=range]").First;
    await slider.FocusAsync();
    var viaPage = await page.EvaluateAsync<double>("() => performance.now()");
    await slider.PressAsync("ArrowLeft");
    await page.WaitForFunctionAsync($"() => window.atlasMaps[0].painted > {painted0} && !window.atlasMaps[0].map.isMoving()", null, new() { PollingInterval = 5 });
    viaPage = await page.EvaluateAsync<double>($$"""
        async () => { const h = window.atlasMaps[0];
          await new Promise(resolve => { h.map.once('idle', resolve); h.map.triggerRepaint(); });
          return performance.now() - {{viaPage.ToString(CultureInfo.InvariantCulture)}}; }
        """);
    var tilesAfter = await page.EvaluateAsync<int>("() => window.atlasMaps[0].tileRequests");
    // The floor under any re-colouring here: the same map drawn again with nothing changed, until MapLibre is idle
    // (software WebGL, SwiftShader), measured as the year change is.
    var frame = await page.EvaluateAsync<double>("""
        async () => {
          const h = window.atlasMaps[0];
          const start = performance.now();
          await new Promise(resolve => { h.map.once('idle', resolve); h.map.triggerRepaint(); });
          return performance.now() - start;
        }
        """);
    // And the part of a year change that is ours: fetching the values and setting the feature-state.
    var apply = await page.EvaluateAsync<double>("""
        async () => {
          const h = window.atlasMaps[0];
          const m = await import('/js/choropleth.js');
          const start = performance.now();
          await m.show(h, { ...h.request, year: 2019 });
          return performance.now() - start;
        }
        """);
    Console.WriteLine($"    the same map drawn again, nothing changed: {frame:0} ms; values fetched and applied as feature-state: {apply:0} ms");
    Console.WriteLine($"run {run}: first coloured paint {painted:0} ms after navigation; year change re-coloured in {recolour:0} ms (to a year not fetched yet: {jump:0} ms; through the slider and the circuit: {viaPage:0} ms); tiles loaded by the year changes: {tilesAfter - tilesBefore}");
    if (run > 0)
    {
        paints.Add(painted);
        recolours.Add(recolour);
    }
}

if (!memoryOnly)
{
    Console.WriteLine($"median of runs 1-3: first coloured paint {Median(paints):0} ms; year change {Median(recolours):0} ms");
    Console.WriteLine($"    MapLibre alone on a bare page, same tiles and view: {Median(floors["constant"]):0} ms in one colour, " +
                      $"{Median(floors["states"]):0} ms coloured by the figures through feature-state");
}


// The embed widget (départements, the usual partner map): time to the first coloured map and bytes transferred on a
// first and a repeat visit (same browser cache), and whether any Blazor connection is opened.
if (!memoryOnly)
{
    await using var embedContext = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 900, Height = 600 } });
    var blazorRequests = 0;
    embedContext.Request += (_, r) => { if (r.Url.Contains("/_blazor", StringComparison.Ordinal)) blazorRequests++; };
    for (var visit = 0; visit < 3; visit++)
    {
        var page = await embedContext.NewPageAsync();
        await page.GotoAsync($"{baseUrl}/embed?indicator=taux_pauvrete_60&level=departement&year=2019");
        await page.WaitForFunctionAsync(Idle, null, new() { Timeout = 60_000, PollingInterval = 20 });
        var painted = await page.EvaluateAsync<double>("() => performance.now()");
        var bytes = await page.EvaluateAsync<double>("""
            () => performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource'))
                    .reduce((sum, e) => sum + (e.transferSize || 0), 0)
            """);
        Console.WriteLine($"embed visit {visit}: first coloured map {painted:0} ms, {bytes / 1024:0} KB transferred");
        await page.CloseAsync();
    }

    Console.WriteLine($"embed: {blazorRequests} requests to /_blazor");
}

if (serverPid > 0)
{
    await using var context = await browser.NewContextAsync(new() { ViewportSize = new() { Width = 400, Height = 300 } });
    var open = new List<IPage>();
    async Task OpenPagesAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            var page = await context.NewPageAsync();
            await page.GotoAsync($"{baseUrl}/?level=departement&indicator=taux_pauvrete_60&year=2019");
            await page.WaitForFunctionAsync("() => window.atlasMaps && window.atlasMaps[0] && window.atlasMaps[0].painted > 0", null, new() { Timeout = 120_000 });
            open.Add(page);
        }
    }

    // The first pages cost the server once, not per page: JIT-compiled code (tens of MB, with the double mapping of
    // executable memory counted twice in RSS), the values cache, the GC growing its heap. A few warm-up pages stay
    // open and the baseline is taken after them, so the figure is what one more open page costs.
    const int WarmUp = 10;
    var cold = Rss(serverPid);
    await OpenPagesAsync(WarmUp);
    await Task.Delay(3000);
    // RSS also counts the GC's free space and budgets (which depend on the GC mode and on when it last ran), so the
    // live managed heap is reported too: dotnet-gcdump induces a full collection and sums what survives it. Its first
    // dump comes before the first RSS reading, so a collection it induces cannot make the RSS delta look smaller.
    var heapBefore = await GcHeapAsync(serverPid, "before");
    var before = Rss(serverPid);
    await OpenPagesAsync(pages);
    await Task.Delay(3000);
    var after = Rss(serverPid);
    var heapAfter = await GcHeapAsync(serverPid, "after");
    Console.WriteLine($"server RSS {before / 1024.0:0.0} MB with {WarmUp} warm-up pages open, {after / 1024.0:0.0} MB with {pages} more: " +
                      $"{(after - before) / (double)pages:0} KB per page (circuit)");
    Console.WriteLine($"    from the cold start ({cold / 1024.0:0.0} MB, no page yet): {(after - cold) / (double)(pages + WarmUp):0} KB per page, warm-up included");
    if (heapBefore is { } h0 && heapAfter is { } h1)
    {
        Console.WriteLine($"live managed heap {h0.Bytes / 1048576.0:0.0} MB with {WarmUp} warm-up pages, {h1.Bytes / 1048576.0:0.0} MB with {pages} more: " +
                          $"{(h1.Bytes - h0.Bytes) / 1024.0 / pages:0} KB per page (types: dotnet-gcdump report {h0.File} / {h1.File})");
    }
}

static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);


// Milliseconds from asking the map for another year of the commune map until MapLibre is idle with its colours.
static Task<double> ShowYearAsync(IPage page, int year) => page.EvaluateAsync<double>("""
    async year => {
      const h = window.atlasMaps[0];
      const m = await import('/js/choropleth.js');
      const start = performance.now();
      // The page's own request with another year, as the slider sends it (same classification, so the figures the
      // page fetched in advance are the ones used).
      await m.show(h, { ...h.request, year });
      await new Promise(resolve => { h.map.once('idle', resolve); h.map.triggerRepaint(); });
      return performance.now() - start;
    }
    """, year);

// The live managed heap of the server, from dotnet-gcdump (dotnet tool install -g dotnet-gcdump); null without it.
static async Task<(long Bytes, string File)?> GcHeapAsync(int pid, string label)
{
    var tool = new[] { Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dotnet", "tools", "dotnet-gcdump") }
        .Concat((Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(d => Path.Combine(d, "dotnet-gcdump")))
        .FirstOrDefault(File.Exists);
    if (tool is null)
    {
        Console.WriteLine("dotnet-gcdump not found: managed heap not measured");
        return null;
    }

    var file = Path.Combine(Path.GetTempPath(), $"mapbench-{pid}-{label}.gcdump");
    await RunAsync(tool, $"collect -p {pid} -o {file}");
    var report = await RunAsync(tool, $"report {file}");
    var total = report.Split('\n').First(l => l.Contains("GC Heap bytes", StringComparison.Ordinal)).Trim().Split(' ')[0];
    return (long.Parse(total, NumberStyles.AllowThousands, CultureInfo.InvariantCulture), file);
}

static async Task<string> RunAsync(string file, string arguments)
{
    using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
    var output = await process.StandardOutput.ReadToEndAsync();
    await process.WaitForExitAsync();
    return output;
}

static long Rss(int pid) =>
    long.Parse(File.ReadAllLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
        .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);

public partial class Program
{
    // The bare MapLibre page of the floor measurement (served by the browser context itself, on the app's origin).
    // ?states colours the communes by the map page's default figures, as feature-state [r, g, b, 1] arrays.
    private const string FloorPage = """
        <!DOCTYPE html>
        <html><head><meta charset="utf-8">
        <script>window.earlyWorker = new Worker('/lib/maplibre-gl/maplibre-gl-worker.mjs?v=floor', { type: 'module' });</script>
        <link rel="modulepreload" href="/lib/maplibre-gl/maplibre-gl.mjs">
        <style>html, body, #map { margin: 0; height: 100%; }</style>
        </head><body><div id="map"></div>
        <script type="module">
        import * as maplibregl from '/lib/maplibre-gl/maplibre-gl.mjs';
        const states = location.search.includes('states');
        const values = fetch('/api/maps/commune/mediane_niveau_vie/2019?classification=quantile&classes=5&palette=auto&mode=classes&reference=parent').then(r => r.json());
        const NativeWorker = window.Worker;
        window.Worker = function () { const w = window.earlyWorker; window.earlyWorker = null; return w; };
        maplibregl.prewarm();
        window.Worker = NativeWorker;
        const dataVersion = new URLSearchParams(location.search).get('v');
        const map = new maplibregl.Map({
          container: 'map', bounds: [[-5.5, 41.2], [9.8, 51.2]], fitBoundsOptions: { padding: 16 },
          style: { version: 8,
            sources: { t: { type: 'vector', tiles: [location.origin + '/tiles/commune/{z}/{x}/{y}.mvt?v=' + dataVersion], maxzoom: 12, promoteId: 'code' } },
            layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#f4f6f8' } },
                     { id: 'fill', type: 'fill', source: 't', 'source-layer': 'territories',
                       paint: { 'fill-antialias': false, 'fill-color': states ? ['to-color', ['feature-state', 'c'], ['literal', [217, 217, 217, 1]]] : '#3182bd' } }] } });
        if (states) {
          const v = await values;
          const colours = v.classification.colours.map(c => [1, 3, 5].map(i => parseInt(c.substr(i, 2), 16)).concat(1));
          for (let i = 0; i < v.codes.length; i++) {
            if (v.classes[i] !== null) map.setFeatureState({ source: 't', sourceLayer: 'territories', id: v.codes[i] }, { c: colours[v.classes[i]] });
          }
        }
        map.on('idle', () => { if (map.areTilesLoaded() && !window.drawnAt) window.drawnAt = performance.now(); });
        </script></body></html>
        """;
}
