using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace TerritoryAtlas.BrowserTests;

[Collection(AtlasCollection.Name)]
public sealed class ExplorerTests(AtlasApp app) : IAsyncLifetime
{
    private IBrowserContext _context = null!;

    public async Task InitializeAsync() =>
        _context = await app.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 }, Locale = "fr-FR" });

    public async Task DisposeAsync() => await _context.DisposeAsync();

    private async Task<MapPage> OpenAsync(string query)
    {
        var map = new MapPage(await _context.NewPageAsync());
        await map.Page.GotoAsync(new Uri(app.BaseAddress, query).ToString());
        await map.Page.WaitForFunctionAsync("() => window.atlasMaps && window.atlasMaps[0] && window.atlasMaps[0].painted > 0 && window.atlasMaps[0].live", null, new() { Timeout = 30_000 });
        await map.WaitForIdleAsync();
        return map;
    }

    [Fact]
    public async Task A_permalink_restores_the_level_indicator_year_classification_and_view()
    {
        var map = await OpenAsync("/?level=region&indicator=aah_pour_100_20_64&year=2015&classification=jenks&classes=4&at=2.35,46.5,5.5");
        var shown = await map.Page.EvaluateAsync<JsonElement>("""
            () => { const h = window.atlasMaps[0]; const c = h.map.getCenter();
                    return { level: h.values.level, indicator: h.values.indicator, year: h.values.year,
                             method: h.values.classification.method, classes: h.values.classification.classes,
                             lon: c.lng, lat: c.lat, zoom: h.map.getZoom() }; }
            """);
        Assert.Equal("region", shown.GetProperty("level").GetString());
        Assert.Equal("aah_pour_100_20_64", shown.GetProperty("indicator").GetString());
        Assert.Equal(2015, shown.GetProperty("year").GetInt32());
        Assert.Equal("jenks", shown.GetProperty("method").GetString());
        Assert.Equal(4, shown.GetProperty("classes").GetInt32());
        Assert.Equal(2.35, shown.GetProperty("lon").GetDouble(), 2);
        Assert.Equal(46.5, shown.GetProperty("lat").GetDouble(), 2);
        Assert.Equal(5.5, shown.GetProperty("zoom").GetDouble(), 1);

        // The page keeps the view in its URL, so copying the address bar reproduces it.
        var url = map.Page.Url;
        foreach (var part in new[] { "level=region", "indicator=aah_pour_100_20_64", "year=2015", "classification=jenks", "classes=4" })
        {
            Assert.Contains(part, url, StringComparison.Ordinal);
        }

        var regions = (await map.RenderedAsync()).Select(t => t.Code).ToHashSet();
        Assert.Contains("84", regions);
        Assert.DoesNotContain("2A", regions); // région codes only: no département drawn (Corsica is région 94)
    }

    [Fact]
    public async Task The_table_lists_the_same_values_as_the_map()
    {
        var map = await OpenAsync("/?level=region&indicator=population_totale&year=2020");
        var api = await ApiMapValues.GetAsync(app.Http, "region", "population_totale", 2020);
        await map.Page.GetByTestId("toggle-table").ClickAsync();
        var rows = map.Page.Locator("[data-testid=map-table] tbody tr");
        await Assertions.Expect(rows).ToHaveCountAsync(api.Codes.Count);
        var table = new Dictionary<string, double>();
        for (var i = 0; i < api.Codes.Count; i++)
        {
            var cells = await rows.Nth(i).Locator("td").AllInnerTextsAsync();
            var number = new string(cells[2].Where(c => char.IsDigit(c) || c == ',').ToArray()).Replace(',', '.');
            table[cells[1].Trim()] = double.Parse(number, CultureInfo.InvariantCulture);
        }

        for (var i = 0; i < api.Codes.Count; i++)
        {
            Assert.Equal(api.Values[i]!.Value, table[api.Codes[i]], 0);
        }

        // The URL is written by the circuit after the table shows: wait for it rather than read it once.
        await Assertions.Expect(map.Page).ToHaveURLAsync(new Regex("view=table"), new() { Timeout = 10_000 });
    }

    [Fact]
    public async Task The_table_is_sorted_and_read_with_the_keyboard_in_french_with_parents_named()
    {
        var map = await OpenAsync("/?level=departement&indicator=population_totale&year=2020");
        await map.Page.GetByTestId("toggle-table").ClickAsync();
        var table = map.Page.GetByTestId("map-table");
        await Assertions.Expect(table.Locator("tbody tr").First).ToBeVisibleAsync();

        // The value column is the initial order, said to screen readers; the name header is a button Enter sorts by.
        await Assertions.Expect(table.Locator("th[aria-sort=descending]")).ToContainTextAsync("Valeur");
        await map.Page.GetByTestId("sort-name").FocusAsync();
        await map.Page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(table.Locator("th[aria-sort=ascending]")).ToContainTextAsync("Territoire");
        var names = await table.GetByTestId("table-territory").AllInnerTextsAsync();
        Assert.Equal(names.Order(StringComparer.Create(CultureInfo.GetCultureInfo("fr-FR"), ignoreCase: true)), names);

        // Territory names are buttons (Tab reaches them); the parent column names the région, its code in a tooltip.
        Assert.Equal("BUTTON", await table.GetByTestId("table-territory").First.EvaluateAsync<string>("e => e.tagName"));
        var ain = table.Locator("tbody tr").First;
        await Assertions.Expect(ain.GetByTestId("table-territory")).ToHaveTextAsync("Ain");
        await Assertions.Expect(ain.GetByTestId("table-parent")).ToContainTextAsync("Auvergne-Rhône-Alpes");
        await Assertions.Expect(table.Locator("th", new() { HasText = "Région" })).ToHaveCountAsync(1);
        await Assertions.Expect(table).ToContainTextAsync("Lignes par page");
        Assert.DoesNotContain("Rows per page", await table.InnerTextAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "Zoomer", "Zoom in")]
    [InlineData("&lang=en", "Zoom in", "Zoomer")]
    public async Task The_map_controls_speak_the_readers_language(string lang, string expected, string other)
    {
        var map = await OpenAsync($"/?level=departement&indicator=population_totale&year=2020{lang}");
        var zoomIn = map.Page.Locator(".maplibregl-ctrl-zoom-in");
        await Assertions.Expect(zoomIn).ToHaveAttributeAsync("aria-label", expected);
        Assert.NotEqual(other, await zoomIn.GetAttributeAsync("title"));
    }

    [Fact]
    public async Task The_preloaded_modules_are_fetched_once()
    {
        var page = await _context.NewPageAsync();
        var fetched = new System.Collections.Concurrent.ConcurrentBag<string>();
        page.Request += (_, request) => fetched.Add(new Uri(request.Url).AbsolutePath);
        var messages = new System.Collections.Concurrent.ConcurrentBag<string>();
        page.Console += (_, message) => messages.Add(message.Text);
        await page.GotoAsync(new Uri(app.BaseAddress, "/?level=region&indicator=population_totale&year=2020").ToString());
        await page.WaitForFunctionAsync("() => window.atlasMaps && window.atlasMaps[0] && window.atlasMaps[0].painted > 0 && window.atlasMaps[0].live", null, new() { Timeout = 30_000 });

        // The preload carries the import map's integrity, so the import reuses it instead of fetching again.
        Assert.Single(fetched, p => p.StartsWith("/js/choropleth.", StringComparison.Ordinal));
        Assert.Single(fetched, p => p.StartsWith("/lib/maplibre-gl/maplibre-gl.", StringComparison.Ordinal) && p.EndsWith(".mjs", StringComparison.Ordinal)
            && !p.Contains("worker", StringComparison.Ordinal) && !p.Contains("shared", StringComparison.Ordinal));
        Assert.DoesNotContain(messages, m => m.Contains("integrity", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Switching_the_level_draws_the_other_territories_and_recolours()
    {
        var map = await OpenAsync("/?level=departement&indicator=population_totale&year=2020");
        await map.Page.GetByTestId("level-select").SelectOptionAsync(new SelectOptionValue { Label = "Régions" });
        await map.Page.WaitForFunctionAsync("() => window.atlasMaps[0].values?.level === 'region'", null, new() { Timeout = 30_000 });
        await map.WaitForIdleAsync();
        var rendered = await map.RenderedAsync();
        Assert.InRange(rendered.Select(t => t.Code).Distinct().Count(), 10, 18);
        Assert.All(rendered, t => Assert.NotNull(t.Class));
        await Assertions.Expect(map.Page).ToHaveURLAsync(new Regex("level=region"), new() { Timeout = 10_000 });
    }

    [Fact]
    public async Task The_classification_class_count_palette_and_comparison_lists_redraw_the_map_and_go_into_the_permalink()
    {
        var map = await OpenAsync("/?level=departement&indicator=aah_pour_100_20_64&year=2019");

        await map.Page.GetByTestId("classification-select").SelectOptionAsync("jenks");
        await WaitForValuesAsync(map, "v => v.classification.method === 'jenks'");
        await map.Page.GetByTestId("classes-field").SelectOptionAsync("7");
        await WaitForValuesAsync(map, "v => v.classification.classes === 7 && v.classification.method === 'jenks'");
        await map.Page.GetByTestId("palette-select").SelectOptionAsync("Blues");
        await WaitForValuesAsync(map, "v => v.classification.palette === 'Blues' && v.classification.classes === 7");
        await Assertions.Expect(map.Page.GetByTestId("map-legend").Locator("[data-testid=legend-class]")).ToHaveCountAsync(7);
        foreach (var part in new[] { "classification=jenks", "classes=7", "palette=Blues" })
        {
            await Assertions.Expect(map.Page).ToHaveURLAsync(new Regex($"[?&]{part}(&|$)"));
        }

        await map.Page.GetByTestId("mode-select").SelectOptionAsync("compare");
        await WaitForValuesAsync(map, "v => v.mode === 'compare' && v.reference.kind === 'parent'");
        await map.Page.GetByTestId("reference-select").SelectOptionAsync("france");
        await WaitForValuesAsync(map, "v => v.mode === 'compare' && v.reference.kind === 'france'");
        await Assertions.Expect(map.Page).ToHaveURLAsync(new Regex("[?&]mode=compare(&|$)"));
        await Assertions.Expect(map.Page).ToHaveURLAsync(new Regex("[?&]reference=france(&|$)"));
        await Assertions.Expect(map.Page.GetByTestId("classification-select")).ToHaveCountAsync(0);
    }

    private static Task WaitForValuesAsync(MapPage map, string predicate) =>
        map.Page.WaitForFunctionAsync($"() => window.atlasMaps[0].values && ({predicate})(window.atlasMaps[0].values)", null, new() { Timeout = 30_000 });
}
