using System.Text.RegularExpressions;
using Microsoft.Playwright;

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

    // kind|label|count of each row, as the reader sees them.
    private static async Task<List<string>> RowsAsync(ILocator legend) =>
        (await legend.Locator("tr").EvaluateAllAsync<string[]>(
            "rows => rows.map(r => `${r.dataset.testid.replace('legend-', '')}|${r.cells[1].textContent}|${r.cells[2].textContent}`)"))
        .Select(Spaced).ToList();

    private static string Spaced(string text) => Spaces().Replace(text, " ").Trim();

    [GeneratedRegex(@"[\s\u00A0\u202F]+")]
    private static partial Regex Spaces();
}
