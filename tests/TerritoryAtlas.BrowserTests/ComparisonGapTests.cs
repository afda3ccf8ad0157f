using Microsoft.Playwright;

namespace TerritoryAtlas.BrowserTests;

/// <summary>Comparison mode when the reference has no figure that year: it says so and offers a comparison that works.</summary>
[Collection(AtlasCollection.Name)]
public sealed class ComparisonGapTests(AtlasApp app) : IAsyncLifetime
{
    private IBrowserContext _context = null!;

    public async Task InitializeAsync() =>
        _context = await app.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 }, Locale = "fr-FR" });

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Fact]
    public async Task Comparing_with_a_reference_without_figures_says_why_and_offers_the_nearest_usable_reference()
    {
        // France has no poverty rate at all; the régions have one for 2019 only.
        var map = new MapPage(await _context.NewPageAsync());
        await map.OpenAsync(new Uri(app.BaseAddress, "/?level=departement&indicator=taux_pauvrete_60&year=2021&mode=compare&reference=france"));

        var gap = map.Page.GetByTestId("reference-gap");
        await Assertions.Expect(gap).ToContainTextAsync("La France n'a pas de valeur en 2021 : 98 territoires ne peuvent pas lui être comparés.");
        await Assertions.Expect(map.Page.GetByTestId("legend-category").First).ToBeVisibleAsync();
        Assert.Equal(0, await CategoryCountAsync(map.Page));

        var other = map.Page.GetByTestId("reference-gap-other");
        await Assertions.Expect(other).ToHaveTextAsync("Comparer au territoire parent (2019)");
        await other.ClickAsync();

        await Assertions.Expect(gap).ToBeHiddenAsync();
        await Assertions.Expect(map.Page.GetByTestId("year-value")).ToHaveTextAsync("2019");
        await Assertions.Expect(map.Page.GetByTestId("reference-select")).ToHaveValueAsync("parent");
        Assert.Equal(101, await CategoryCountAsync(map.Page));
    }

    private static async Task<int> CategoryCountAsync(IPage page) =>
        (await page.GetByTestId("legend-category").Locator("td.count").AllInnerTextsAsync()).Sum(int.Parse);
}
