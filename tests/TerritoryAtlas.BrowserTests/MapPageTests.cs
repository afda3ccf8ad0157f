using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace TerritoryAtlas.BrowserTests;

[Collection(AtlasCollection.Name)]
public sealed class MapPageTests(AtlasApp app) : IAsyncLifetime
{
    private const string Level = "departement";

    private IBrowserContext _context = null!;

    public async Task InitializeAsync() =>
        _context = await app.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 }, Locale = "fr-FR" });

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Fact]
    public async Task The_home_page_colours_the_departements_and_its_legend_counts_them()
    {
        var map = new MapPage(await _context.NewPageAsync());
        try
        {
            await map.OpenAsync(app.BaseAddress);
            var (indicator, year) = await map.ShownAsync();
            var api = await ApiMapValues.GetAsync(app.Http, Level, indicator, year);

            // The default view frames metropolitan France: its 96 départements (overseas ones are off-screen).
            var rendered = await map.RenderedAsync();
            var codes = rendered.Select(t => t.Code).ToHashSet();
            Assert.True(codes.Count >= 90, $"{codes.Count} départements drawn: {string.Join(" ", codes.Order())}");
            Assert.Contains("93", codes);
            Assert.Contains("2A", codes);
            Assert.Contains("69", codes);
            var coloured = rendered.Where(t => t.Class.HasValue).ToList();
            Assert.True(coloured.Count >= 90, $"only {coloured.Count} of {rendered.Count} drawn départements have a class");

            // Each drawn territory carries the class the API gives it for this indicator and year.
            var disagreeing = rendered.Where(t => t.Class != api.ClassOf(t.Code)).Select(t => $"{t.Code}: map {t.Class}, API {api.ClassOf(t.Code)}").ToList();
            Assert.True(disagreeing.Count == 0, $"feature-state differs from the API: {string.Join("; ", disagreeing)}");

            // What a reader sees: the class colours are on the canvas, not only in the feature-state.
            await AssertClassColoursAreDrawnAsync(map, api);

            // The legend counts every coloured territory once: its counts are the API's and sum to the coloured territories.
            var legend = await map.LegendClassCountsAsync();
            Assert.Equal(api.Counts, legend);
            Assert.Equal(api.Coloured, legend.Sum());
            Assert.True(coloured.Count <= legend.Sum(), $"{coloured.Count} coloured on screen but the legend counts {legend.Sum()}");
            Assert.Equal(api.NoData > 0 ? api.NoData : null, await map.LegendNoDataCountAsync());
        }
        finally
        {
            await map.Page.ScreenshotAsync(new() { Path = "/tmp/atlas-map.png" });
        }
    }

    [Fact]
    public async Task Changing_the_year_recolours_the_map_without_loading_a_tile_again()
    {
        var map = new MapPage(await _context.NewPageAsync());
        await map.OpenAsync(app.BaseAddress);
        var (indicator, before) = await map.ShownAsync();
        var classesBefore = (await map.RenderedAsync()).ToDictionary(t => t.Code, t => t.Class);
        var painted = await map.PaintedAsync();

        // From here on the geometry is all loaded: a year change must only change feature-state — unless the data
        // version itself moved meanwhile (the integration tests, sharing the database, publish datasets): then the
        // map rightly asks for the new version's tiles, and only those.
        var versionBefore = await map.Page.EvaluateAsync<long>("() => window.atlasMaps[0].dataVersion");
        var tileRequests = new List<string>();
        map.Page.Request += (_, request) =>
        {
            if (request.Url.Contains(".mvt", StringComparison.Ordinal))
            {
                lock (tileRequests)
                {
                    tileRequests.Add(request.Url);
                }
            }
        };

        var after = await map.ChooseAnotherYearAsync(before);

        await map.Page.WaitForFunctionAsync("([painted, year]) => window.atlasMaps[0].painted > painted && window.atlasMaps[0].values.year === year",
            new object[] { painted, after }, new() { Timeout = 30_000 });
        await Assertions.Expect(map.Page.GetByTestId("map-legend")).ToContainTextAsync($"· {after} ·");
        await map.WaitForIdleAsync();

        var apiBefore = await ApiMapValues.GetAsync(app.Http, Level, indicator, before);
        var apiAfter = await ApiMapValues.GetAsync(app.Http, Level, indicator, after);
        var rendered = await map.RenderedAsync();
        var disagreeing = rendered.Where(t => t.Class != apiAfter.ClassOf(t.Code)).Select(t => $"{t.Code}: map {t.Class}, API {apiAfter.ClassOf(t.Code)}").ToList();
        Assert.True(disagreeing.Count == 0, $"after the change to {after}, feature-state differs from the API: {string.Join("; ", disagreeing)}");

        var changedClasses = rendered.Count(t => classesBefore.TryGetValue(t.Code, out var c) && c != t.Class);
        var valuesDiffer = !apiBefore.Codes.SequenceEqual(apiAfter.Codes) || !apiBefore.Values.SequenceEqual(apiAfter.Values);
        Assert.True(changedClasses > 0 || valuesDiffer, $"{before} and {after} give the same classes and values: nothing to recolour");
        await AssertClassColoursAreDrawnAsync(map, apiAfter);

        var versionAfter = await map.Page.EvaluateAsync<long>("() => window.atlasMaps[0].dataVersion");
        lock (tileRequests)
        {
            var again = versionAfter == versionBefore ? tileRequests : tileRequests.Where(u => !u.EndsWith($"?v={versionAfter}", StringComparison.Ordinal)).ToList();
            Assert.True(again.Count == 0, $"the year change loaded tiles again (data version {versionBefore} → {versionAfter}): {string.Join(", ", again)}");
        }
    }

    [Fact]
    public async Task Another_palette_and_class_count_recolour_the_map_without_laying_out_a_tile_again()
    {
        var map = new MapPage(await _context.NewPageAsync());
        await map.OpenAsync(app.BaseAddress);
        var (indicator, year) = await map.ShownAsync();
        await map.WaitForIdleAsync();

        // MapLibre lays every tile of a source out again, in its worker, when a data-driven paint expression changes
        // (seconds for the communes of France); each tile laid out fires a data event of the source.
        var laidOut = await map.Page.EvaluateAsync<int>("""
            async ([indicator, year]) => {
              const h = window.atlasMaps[0];
              const m = await import('/js/choropleth.js');
              let tiles = 0;
              const count = e => { if (e.sourceId === 'territories' && e.tile) tiles++; };
              const version = h.dataVersion;
              h.map.on('data', count);
              await m.show(h, { level: 'departement', indicator, year, classification: 'quantile', classes: 7, palette: 'Greens' });
              await new Promise(resolve => { h.map.once('idle', resolve); h.map.triggerRepaint(); });
              h.map.off('data', count);
              // A new data version (the integration tests, sharing the database, publish datasets) rightly brings
              // new tiles: nothing to judge then.
              return h.dataVersion === version ? tiles : 0;
            }
            """, new object[] { indicator, year });

        var api = await ApiMapValues.GetAsync(app.Http, Level, indicator, year, "classification=quantile&classes=7&palette=Greens");
        Assert.Equal(7, api.Colours.Count);
        var rendered = await map.RenderedAsync();
        var disagreeing = rendered.Where(t => t.Class != api.ClassOf(t.Code)).Select(t => $"{t.Code}: map {t.Class}, API {api.ClassOf(t.Code)}").ToList();
        Assert.True(disagreeing.Count == 0, $"feature-state differs from the API: {string.Join("; ", disagreeing)}");
        await AssertClassColoursAreDrawnAsync(map, api);
        Assert.True(laidOut == 0, $"the new classification laid {laidOut} tiles out again");
    }

    private static async Task AssertClassColoursAreDrawnAsync(MapPage map, ApiMapValues api)
    {
        var pixels = await map.PixelsByColourAsync(api.Colours);
        // Each class holds several metropolitan départements (quantiles: about a fifth of ~100 each), so each class
        // colour covers at least a few hundred pixels of a 940 × 850 map.
        var missing = api.Colours.Where((colour, i) => api.Counts[i] > 0 && pixels[colour] < 200).ToList();
        Assert.True(missing.Count == 0,
            $"class colours missing from the map: {string.Join(", ", missing.Select(c => $"{c} ({pixels[c]} px)"))}; " +
            $"fill-color is {await map.FillColourAsync()}");
    }

    /// <summary>
    /// The guard of the boot sequence (MapWorkerScript's head worker, map-boot.js, map-adoption.js's Worker patch, the
    /// window globals, the boot key). When a step of it breaks, map-boot.js only warns and lets the circuit draw a
    /// map of its own, so the page still works, slower, and no other test notices. Here the circuit is held back:
    /// whatever is coloured was coloured by the boot sequence alone, and each of its steps is checked by name.
    /// </summary>
    [Fact]
    public async Task The_first_paint_is_the_boot_sequences_own_without_a_circuit()
    {
        var page = await _context.NewPageAsync();
        var problems = new List<string>();
        page.PageError += (_, error) => problems.Add($"uncaught: {error}");
        page.Console += (_, message) =>
        {
            // map-boot.js reports a failed step as a "map:" warning before falling back on the circuit.
            if (message.Text.StartsWith("map:", StringComparison.Ordinal))
            {
                problems.Add($"console {message.Type}: {message.Text}");
            }
        };
        // The circuit's negotiation never answers while the test looks (it is released when the page closes).
        var held = new TaskCompletionSource();
        await page.RouteAsync("**/_blazor/**", _ => held.Task);
        try
        {
            await page.GotoAsync(app.BaseAddress.ToString());
            var bootKey = await page.Locator("[data-atlas-boot]").First.EvaluateAsync<string>("e => JSON.parse(e.dataset.atlasBoot).key");
            await page.WaitForFunctionAsync("""
                () => { const e = window.atlasEarlyMap; const h = e && e.handle;
                        return !!h && h.painted > 0 && h.map.loaded() && h.map.areTilesLoaded(); }
                """, null, new() { Timeout = 60_000 });
            var boot = await page.EvaluateAsync<JsonElement>("""
                () => { const h = window.atlasEarlyMap.handle;
                        const coloured = new Set(h.map.queryRenderedFeatures({ layers: ['territory-fill'] })
                          .filter(f => typeof h.map.getFeatureState({ source: 'territories', sourceLayer: 'territories', id: f.id }).cls === 'number')
                          .map(f => f.id)).size;
                        return { key: window.atlasEarlyMap.key, coloured, maps: (window.atlasMaps || []).length,
                                 workerAdopted: window.atlasEarlyWorker?.adopted === true,
                                 workerRestored: String(window.Worker).includes('[native code]'),
                                 start: window.atlasBlazorStart?.reason ?? null }; }
                """);
            Assert.Equal(bootKey, boot.GetProperty("key").GetString());
            Assert.True(boot.GetProperty("coloured").GetInt32() >= 90, $"the boot sequence coloured {boot.GetProperty("coloured")} départements");
            Assert.Equal(1, boot.GetProperty("maps").GetInt32());
            Assert.True(boot.GetProperty("workerAdopted").GetBoolean(), "MapLibre did not take the worker the head started");
            Assert.True(boot.GetProperty("workerRestored").GetBoolean(), "window.Worker is still the patched constructor");
            Assert.Single(page.Workers);
            // The circuit was asked to start because the map was drawn (or at the 3 s deadline), never because the map failed.
            Assert.Contains(boot.GetProperty("start").GetString(), new[] { "drawn", "timeout" });
            Assert.True(problems.Count == 0, string.Join("\n", problems));
        }
        finally
        {
            held.TrySetResult();
            await page.CloseAsync();
        }
    }

    [Fact]
    public async Task The_map_starts_from_the_prerendered_page_with_its_head_started_worker_and_the_live_page_takes_it_over()
    {
        var map = new MapPage(await _context.NewPageAsync());
        await map.OpenAsync(app.BaseAddress);

        // One map only: the one js/map-boot.js started before the circuit, now inside the container Blazor rendered.
        await map.Page.WaitForFunctionAsync("() => window.atlasEarlyMap && window.atlasEarlyMap.adopted", null, new() { Timeout = 30_000 });
        var takenOver = await map.Page.EvaluateAsync<bool>("""
            () => window.atlasMaps.length === 1 && window.atlasMaps[0] === window.atlasEarlyMap.handle
              && document.querySelector('[data-testid=choropleth-map]').contains(window.atlasEarlyMap.inner)
            """);
        Assert.True(takenOver, "the page runs another map than the one started from the prerendered page");
        // And one tile worker only: the one the page's head started while MapLibre's own module was still loading,
        // which MapLibre took instead of starting its own.
        Assert.True(await map.Page.EvaluateAsync<bool>("() => window.atlasEarlyWorker?.adopted === true"), "MapLibre did not take the head's worker");
        var worker = Assert.Single(map.Page.Workers);
        Assert.Matches(@"/lib/maplibre-gl/maplibre-gl-worker\.\w+\.mjs$", worker.Url);
        // The circuit starts once the map is drawn (or 3 s after the page loads, at the latest), not while the map's
        // first drawing needs the machine.
        var start = await map.Page.EvaluateAsync<JsonElement>("""
            () => ({ reason: window.atlasBlazorStart?.reason ?? null, at: window.atlasBlazorStart?.at ?? -1,
                     negotiated: performance.getEntriesByType('resource').find(e => e.name.includes('/_blazor/negotiate'))?.startTime ?? -1 })
            """);
        var (reason, startedAt, negotiatedAt) = (start.GetProperty("reason").GetString(), start.GetProperty("at").GetDouble(), start.GetProperty("negotiated").GetDouble());
        Assert.True(reason is "drawn" or "timeout" && negotiatedAt >= startedAt,
            $"circuit started for '{reason}' at {startedAt:0} ms, negotiated at {negotiatedAt:0} ms");
        // And it answers the live page: a click on a territory opens its panel, and the map outlines that territory.
        var canvas = map.Page.Locator("[data-testid=choropleth-map] canvas");
        await canvas.ClickAsync(new() { Position = new() { X = 640, Y = 450 } });
        await Assertions.Expect(map.Page.GetByTestId("selection-panel")).ToBeVisibleAsync(new() { Timeout = 30_000 });
        var outlined = await map.Page.EvaluateAsync<string>("() => window.atlasMaps[0].map.getFilter('territory-selected')[2]");
        await Assertions.Expect(map.Page.GetByTestId("selection-panel")).ToContainTextAsync($"({outlined})");

        // Taking it over is not a move by the reader: the URL keeps no view it was not given. The circuit handles the
        // page's messages in order, so once the selection (sent after the take-over) is in the URL, a view the take-over
        // had reported would be there too.
        await Assertions.Expect(map.Page).ToHaveURLAsync(new Regex($"selected={Regex.Escape(outlined)}"), new() { Timeout = 10_000 });
        Assert.DoesNotContain("at=", map.Page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hovering_a_territory_shows_its_name_value_and_rank_among_the_level()
    {
        var map = new MapPage(await _context.NewPageAsync());
        await map.OpenAsync(app.BaseAddress);
        var (indicator, year) = await map.ShownAsync();
        var api = await ApiMapValues.GetAsync(app.Http, Level, indicator, year);

        var canvas = await map.Page.Locator("[data-testid=choropleth-map] canvas").BoundingBoxAsync();
        await map.Page.Mouse.MoveAsync(canvas!.X + 500, canvas.Y + 450);
        await map.Page.Mouse.MoveAsync(canvas.X + 505, canvas.Y + 452);
        var tooltip = map.Page.Locator(".atlas-tooltip");
        await Assertions.Expect(tooltip).ToBeVisibleAsync(new() { Timeout = 30_000 });

        // "Name (code)", then the value, then "rang r sur n" where n counts the départements with a value.
        var text = await tooltip.InnerTextAsync();
        var code = System.Text.RegularExpressions.Regex.Match(text, @"\(([0-9AB]{2,3})\)").Groups[1].Value;
        Assert.True(api.Codes.Contains(code), $"tooltip '{text}' names no département of the map");
        var ranked = api.Values.Count(v => v.HasValue);
        var value = api.Values[api.Codes.ToList().IndexOf(code)]!.Value;
        var rank = 1 + api.Values.Count(v => v > value);
        Assert.Contains($"rang {rank} sur {ranked}", text, StringComparison.Ordinal);

        // The parent's figure is introduced by the parent's name (its région), never by a level or code.
        var json = await app.Http.GetFromJsonAsync<System.Text.Json.JsonElement>(new Uri($"/api/maps/{Level}/{indicator}/{year}", UriKind.Relative));
        var parent = json.GetProperty("parentCodes")[api.Codes.ToList().IndexOf(code)].GetString()!;
        if (json.GetProperty("parentValues").TryGetProperty(parent, out var parentValue) && parentValue.ValueKind == System.Text.Json.JsonValueKind.Number)
        {
            Assert.Contains($"{json.GetProperty("parentNames").GetProperty(parent).GetString()} : ", text, StringComparison.Ordinal);
            Assert.DoesNotContain("region ", text, StringComparison.Ordinal);
        }
    }
}
