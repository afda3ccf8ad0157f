using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace TerritoryAtlas.BrowserTests;

/// <summary>A territory as the map draws it: its INSEE code and the class its feature-state gives it (null: no colour).</summary>
public sealed record RenderedTerritory(string Code, int? Class);

/// <summary>The map values the API serves for one (level, indicator, year), as the browser fetches them.</summary>
public sealed record ApiMapValues(string Indicator, int Year, IReadOnlyList<string> Codes, IReadOnlyList<double?> Values,
    IReadOnlyList<int?> Classes, IReadOnlyList<int> Counts, IReadOnlyList<string> Colours, int NoData)
{
    public int Coloured => Classes.Count(c => c.HasValue);

    public static async Task<ApiMapValues> GetAsync(HttpClient http, string level, string indicator, int year, string query = "")
    {
        var json = await http.GetFromJsonAsync<JsonElement>(new Uri($"/api/maps/{level}/{indicator}/{year}?{query}", UriKind.Relative));
        var classification = json.GetProperty("classification");
        return new ApiMapValues(
            json.GetProperty("indicator").GetString()!, json.GetProperty("year").GetInt32(),
            json.GetProperty("codes").EnumerateArray().Select(c => c.GetString()!).ToList(),
            json.GetProperty("values").EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Null ? (double?)null : v.GetDouble()).ToList(),
            json.GetProperty("classes").EnumerateArray().Select(c => c.ValueKind == JsonValueKind.Null ? (int?)null : c.GetInt32()).ToList(),
            classification.GetProperty("counts").EnumerateArray().Select(c => c.GetInt32()).ToList(),
            classification.GetProperty("colours").EnumerateArray().Select(c => c.GetString()!).ToList(),
            json.GetProperty("noData").GetInt32());
    }

    public int? ClassOf(string code) => Codes.ToList().IndexOf(code) is >= 0 and var i ? Classes[i] : null;
}

/// <summary>The map page as a reader uses it, and what its MapLibre map (window.atlasMaps[0]) draws.</summary>
public sealed class MapPage(IPage page)
{
    private const int TimeoutMs = 30_000;

    public IPage Page { get; } = page;

    public async Task OpenAsync(Uri baseAddress)
    {
        await Page.GotoAsync(baseAddress.ToString());
        await Assertions.Expect(Page.GetByRole(AriaRole.Heading, new() { Name = "Carte des indicateurs" })).ToBeVisibleAsync();
        await Assertions.Expect(Page.GetByTestId("map-legend")).ToBeVisibleAsync(new() { Timeout = TimeoutMs });
        await Page.WaitForFunctionAsync("() => window.atlasMaps && window.atlasMaps[0] && window.atlasMaps[0].painted > 0 && window.atlasMaps[0].live",
            null, new() { Timeout = TimeoutMs });
        await WaitForIdleAsync();
    }

    /// <summary>Waits until the map has loaded every tile it needs, stopped moving and drawn at least one territory.</summary>
    public Task WaitForIdleAsync() => Page.WaitForFunctionAsync("""
        () => {
          const map = window.atlasMaps[0].map;
          return map.loaded() && map.areTilesLoaded() && !map.isMoving()
            && map.queryRenderedFeatures({ layers: ['territory-fill'] }).length > 0;
        }
        """, null, new() { Timeout = TimeoutMs, PollingInterval = 100 });

    public Task<int> PaintedAsync() => Page.EvaluateAsync<int>("() => window.atlasMaps[0].painted");

    /// <summary>The indicator and year whose values the map last applied.</summary>
    public async Task<(string Indicator, int Year)> ShownAsync()
    {
        // The values can be between two loads (the circuit taking the map over shows them again): wait for them.
        await Page.WaitForFunctionAsync("() => window.atlasMaps[0].values", null, new() { Timeout = TimeoutMs });
        var shown = await Page.EvaluateAsync<JsonElement>("() => ({ indicator: window.atlasMaps[0].values.indicator, year: window.atlasMaps[0].values.year })");
        return (shown.GetProperty("indicator").GetString()!, shown.GetProperty("year").GetInt32());
    }

    /// <summary>Every territory drawn in the fill layer, once, with its feature-state class.</summary>
    public async Task<IReadOnlyList<RenderedTerritory>> RenderedAsync()
    {
        var rendered = await Page.EvaluateAsync<JsonElement>("""
            () => {
              const map = window.atlasMaps[0].map;
              const seen = new Map();
              for (const f of map.queryRenderedFeatures({ layers: ['territory-fill'] })) {
                const state = map.getFeatureState({ source: 'territories', sourceLayer: 'territories', id: f.id });
                seen.set(String(f.id), typeof state.cls === 'number' ? state.cls : null);
              }
              return [...seen].map(([code, cls]) => ({ code, cls }));
            }
            """);
        return rendered.EnumerateArray()
            .Select(t => new RenderedTerritory(t.GetProperty("code").GetString()!,
                t.GetProperty("cls").ValueKind == JsonValueKind.Number ? t.GetProperty("cls").GetInt32() : null))
            .ToList();
    }

    /// <summary>
    /// How many pixels of the map, as the browser shows it (a screenshot, decoded by the page itself), have each of
    /// the given colours (give or take 2 per channel). This is what a reader sees, whatever the feature-state says.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, int>> PixelsByColourAsync(IReadOnlyList<string> colours)
    {
        var png = await Page.GetByTestId("choropleth-map").ScreenshotAsync(new() { Type = ScreenshotType.Png });
        var counts = await Page.EvaluateAsync<int[]>("""
            async ([png, colours]) => {
              // An image element, not fetch(): the page's Content-Security-Policy allows data: images, not data: fetches.
              const image = new Image();
              image.src = 'data:image/png;base64,' + png;
              await image.decode();
              const canvas = new OffscreenCanvas(image.width, image.height);
              const context = canvas.getContext('2d');
              context.drawImage(image, 0, 0);
              const data = context.getImageData(0, 0, image.width, image.height).data;
              const rgb = colours.map(c => [1, 3, 5].map(i => parseInt(c.substr(i, 2), 16)));
              const counts = colours.map(() => 0);
              for (let p = 0; p < data.length; p += 4) {
                for (let k = 0; k < rgb.length; k++) {
                  if (Math.abs(data[p] - rgb[k][0]) <= 2 && Math.abs(data[p + 1] - rgb[k][1]) <= 2 && Math.abs(data[p + 2] - rgb[k][2]) <= 2) {
                    counts[k]++;
                    break;
                  }
                }
              }
              return counts;
            }
            """, new object[] { Convert.ToBase64String(png), colours });
        return colours.Select((c, i) => (c, counts[i])).ToDictionary(x => x.c, x => x.Item2);
    }

    public Task<string> FillColourAsync() =>
        Page.EvaluateAsync<string>("() => JSON.stringify(window.atlasMaps[0].map.getPaintProperty('territory-fill', 'fill-color'))");

    /// <summary>
    /// Opens the download dialog and waits for its row count. A click made while the page still renders its first
    /// figures (the circuit starting) can be lost: it clicks again until the dialog opens.
    /// </summary>
    public async Task<ILocator> OpenExportDialogAsync()
    {
        var preview = Page.GetByTestId("export-preview");
        for (var attempt = 0; !await preview.IsVisibleAsync(); attempt++)
        {
            await Page.GetByTestId("export-button").ClickAsync();
            try
            {
                await preview.WaitForAsync(new() { Timeout = 10_000 });
            }
            catch (TimeoutException) when (attempt < 5)
            {
            }
        }

        return preview;
    }

    /// <summary>The territory counts the legend shows, one per class, as a reader reads them.</summary>
    public async Task<IReadOnlyList<int>> LegendClassCountsAsync() =>
        (await Page.GetByTestId("map-legend").Locator("[data-testid=legend-class] td.count").AllInnerTextsAsync())
        .Select(t => int.Parse(t.Trim(), NumberStyles.None, CultureInfo.InvariantCulture))
        .ToList();

    public async Task<int?> LegendNoDataCountAsync()
    {
        var row = Page.GetByTestId("map-legend").Locator("[data-testid=legend-nodata] td.count");
        return await row.CountAsync() == 0 ? null : int.Parse((await row.InnerTextAsync()).Trim(), NumberStyles.None, CultureInfo.InvariantCulture);
    }

    /// <summary>Moves the year slider one step with the keyboard (back, or forward from the first year); returns the new year.</summary>
    public async Task<int> ChooseAnotherYearAsync(int current)
    {
        var slider = Page.Locator("input[type=range][data-testid=year-slider], [data-testid=year-slider] input[type=range]").First;
        await slider.FocusAsync();
        var atStart = await slider.EvaluateAsync<bool>("s => Number(s.value) === Number(s.min)");
        await slider.PressAsync(atStart ? "ArrowRight" : "ArrowLeft");
        await Assertions.Expect(Page.GetByTestId("year-value")).Not.ToHaveTextAsync(current.ToString(CultureInfo.InvariantCulture));
        return int.Parse((await Page.GetByTestId("year-value").InnerTextAsync()).Trim(), NumberStyles.None, CultureInfo.InvariantCulture);
    }
}
