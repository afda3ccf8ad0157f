using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using TerritoryAtlas.Testing;

namespace TerritoryAtlas.BrowserTests;

/// <summary>
/// The legend is written once for the page (Maps/Legend.cs) and once for the browser (js/map-legend.js: embeds,
/// workshops, the PNG export): for the same view they say the same rows with the same counts, comparison mode and its
/// territories without a reference included.
/// </summary>
[Collection(AtlasCollection.Name)]
public sealed partial class LegendAgreementTests(AtlasApp app) : IAsyncLifetime
{
    private IBrowserContext _context = null!;

    public async Task InitializeAsync() =>
        _context = await app.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 }, Locale = "fr-FR" });

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Theory]
    // France has no poverty rate: every département with a figure is drawn as "no data" when compared with it.
    [InlineData("level=departement&indicator=taux_pauvrete_60&year=2021&mode=compare&reference=france")]
    [InlineData("level=departement&indicator=aah_pour_100_20_64&year=2019&mode=compare&reference=parent")]
    [InlineData("level=departement&indicator=aah_pour_100_20_64&year=2019&classification=jenks&classes=4")]
    public async Task The_page_its_png_and_the_embed_show_the_same_legend(string view)
    {
        var map = new MapPage(await _context.NewPageAsync());
        await map.OpenAsync(new Uri(app.BaseAddress, $"/?{view}"));
        var page = await RowsAsync(map.Page.GetByTestId("map-legend"));
        // The PNG export draws the rows map-legend.js builds from the values the map shows.
        var png = (await map.Page.EvaluateAsync<string[]>("""
            async () => (await import('/js/map-legend.js')).legendOf(window.atlasMaps[0].values, 'fr').rows
                .map(r => `${r.kind}|${r.label}|${r.count}`)
            """)).Select(Spaced).ToList();

        var embed = await _context.NewPageAsync();
        await embed.GotoAsync(new Uri(app.BaseAddress, $"/embed?{view}").ToString());
        await Assertions.Expect(embed.Locator("#embed-legend tr").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        var widget = await RowsAsync(embed.Locator("#embed-legend"));

        Assert.NotEmpty(page);
        Assert.Equal(page, png);
        Assert.Equal(page, widget);
        if (view.Contains("mode=compare", StringComparison.Ordinal))
        {
            Assert.Contains(widget, r => r.StartsWith("category|", StringComparison.Ordinal));
        }

        if (view.Contains("reference=france", StringComparison.Ordinal))
        {
            // Compared with nothing, they are all without a reference: the no-data row counts them.
            Assert.Contains(page, r => r.StartsWith("nodata|", StringComparison.Ordinal) && int.Parse(r.Split('|')[2]) >= 98);
        }
    }

    [Theory]
    // The words of both languages, in both modes: the methods, the positions, "no data", "compared with…".
    [InlineData("fr", "level=departement&indicator=taux_pauvrete_60&year=2021&mode=compare&reference=france")]
    [InlineData("en", "level=departement&indicator=taux_pauvrete_60&year=2021&mode=compare&reference=france")]
    [InlineData("fr", "level=departement&indicator=aah_pour_100_20_64&year=2019&mode=compare&reference=parent")]
    [InlineData("en", "level=departement&indicator=aah_pour_100_20_64&year=2019&mode=compare&reference=parent")]
    [InlineData("fr", "level=departement&indicator=aah_pour_100_20_64&year=2019&classification=jenks&classes=4")]
    [InlineData("en", "level=departement&indicator=aah_pour_100_20_64&year=2019&classification=equal&classes=4")]
    public async Task The_embed_legend_says_the_words_of_the_page_legend(string lang, string view)
    {
        // The browser's legend takes its words from the page's resource (Maps/LegendWords): a word written apart
        // in either would show here, in the rows or in the subtitle (the method, the reference).
        var page = await _context.NewPageAsync();
        await page.GotoAsync(new Uri(app.BaseAddress, $"/?lang={lang}&{view}").ToString());
        var pageLegend = page.GetByTestId("map-legend");
        await Assertions.Expect(pageLegend.Locator("tr").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        var pageSubtitle = Spaced(await pageLegend.Locator(".mud-typography-caption").First.InnerTextAsync());

        var embed = await _context.NewPageAsync();
        await embed.GotoAsync(new Uri(app.BaseAddress, $"/embed?lang={lang}&{view}").ToString());
        var widget = embed.Locator("#embed-legend");
        await Assertions.Expect(widget.Locator("tr").First).ToBeVisibleAsync(new() { Timeout = 30_000 });

        Assert.Equal(pageSubtitle, Spaced(await widget.Locator(".meta").InnerTextAsync()));
        // The page's legend is drawn again when its circuit starts (prerendered first): wait for its rows to settle.
        var widgetRows = await RowsAsync(widget);
        await Eventually.HoldsAsync(async () => (await RowsAsync(pageLegend)).SequenceEqual(widgetRows), "the page legend's rows are the embed's", 30_000);
        Assert.Equal(await RowsAsync(pageLegend), widgetRows);
        Assert.Equal(await pageLegend.Locator("td.count").First.GetAttributeAsync("title"), await widget.Locator("td.count").First.GetAttributeAsync("title"));

        // The PNG export draws its legend with the same words (map-legend.js): it is made and downloaded.
        await page.WaitForFunctionAsync("() => window.atlasMaps?.[0]?.live && window.atlasMaps[0].painted > 0", null, new() { Timeout = 30_000 });
        var png = await page.RunAndWaitForDownloadAsync(() => page.GetByTestId("export-png").ClickAsync());
        Assert.EndsWith(".png", png.SuggestedFilename, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fr")]
    [InlineData("en")]
    public async Task The_workshop_legend_says_the_words_of_the_page_legend(string lang)
    {
        // A new workshop shows the default view: the départements' poverty rates in 2019, in quantiles.
        var response = await app.Http.PostAsJsonAsync("/api/workshops", new { title = "Légende" });
        var code = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("joinCode").GetString()!;
        var projection = await _context.NewPageAsync();
        await projection.GotoAsync(new Uri(app.BaseAddress, $"/atelier/{code}/projection?lang={lang}").ToString());
        var workshop = projection.Locator(".atlas-workshop-legend");
        await Assertions.Expect(workshop.Locator("tr").First).ToBeVisibleAsync(new() { Timeout = 30_000 });

        var page = await _context.NewPageAsync();
        await page.GotoAsync(new Uri(app.BaseAddress, $"/?lang={lang}&level=departement&indicator=taux_pauvrete_60&year=2019").ToString());
        var pageLegend = page.GetByTestId("map-legend");
        await Assertions.Expect(pageLegend.Locator("tr").First).ToBeVisibleAsync(new() { Timeout = 30_000 });

        Assert.Equal(Spaced(await pageLegend.Locator(".mud-typography-caption").First.InnerTextAsync()),
            Spaced(await workshop.Locator(".meta").InnerTextAsync()));
        Assert.Equal(await RowsAsync(pageLegend), await RowsAsync(workshop));
    }

    // kind|label|count of each row, as the reader sees them.
    private static async Task<List<string>> RowsAsync(ILocator legend) =>
        (await legend.Locator("tr").EvaluateAllAsync<string[]>(
            "rows => rows.map(r => `${r.dataset.testid.replace('legend-', '')}|${r.cells[1].textContent}|${r.cells[2].textContent}`)"))
        .Select(Spaced).ToList();

    private static string Spaced(string text) => Spaces().Replace(text, " ").Trim();

    [GeneratedRegex(@"[\s\u00A0\u202F]+")]
    private static partial Regex Spaces();
}
