using Microsoft.Playwright;

namespace TerritoryAtlas.BrowserTests;

/// <summary>The map page on a phone (390×844): map and legend share the screen, the controls fold away.</summary>
[Collection(AtlasCollection.Name)]
public sealed class PhoneLayoutTests(AtlasApp app) : IAsyncLifetime
{
    private IBrowserContext _context = null!;

    public async Task InitializeAsync() => _context = await app.Browser.NewContextAsync(new()
    {
        ViewportSize = new() { Width = 390, Height = 844 },
        Locale = "fr-FR",
        IsMobile = true,
        HasTouch = true,
    });

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Fact]
    public async Task The_legend_is_on_screen_beside_a_large_map_and_the_controls_unfold_on_demand()
    {
        var page = await _context.NewPageAsync();
        await page.GotoAsync(new Uri(app.BaseAddress, "/?level=departement&indicator=population_totale&year=2020").ToString());
        await page.WaitForFunctionAsync("() => window.atlasMaps && window.atlasMaps[0] && window.atlasMaps[0].painted > 0 && window.atlasMaps[0].live", null, new() { Timeout = 30_000 });

        var legend = page.GetByTestId("sidebar-legend");
        await Assertions.Expect(legend).ToBeVisibleAsync();
        var box = (await legend.BoundingBoxAsync())!;
        Assert.True(box.Y + box.Height <= 844, $"the legend ends at {box.Y + box.Height} px, below the screen");
        var map = (await page.GetByTestId("choropleth-map").BoundingBoxAsync())!;
        Assert.True(map.Height >= 420, $"the map gets {map.Height} px of 844");
        await Assertions.Expect(page.GetByTestId("level-select")).ToBeHiddenAsync();

        // The button unfolds the controls (and says so), then folds them again.
        var toggle = page.GetByTestId("controls-toggle");
        for (var attempt = 0; attempt < 10 && await toggle.GetAttributeAsync("aria-expanded") != "true"; attempt++)
        {
            await toggle.ClickAsync();
            try
            {
                await Assertions.Expect(toggle).ToHaveAttributeAsync("aria-expanded", "true", new() { Timeout = 2_000 });
            }
            catch (PlaywrightException)
            {
            }
        }

        await Assertions.Expect(page.GetByTestId("level-select")).ToBeVisibleAsync();
        await toggle.ClickAsync();
        await Assertions.Expect(page.GetByTestId("level-select")).ToBeHiddenAsync();
        await Assertions.Expect(legend).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_wide_screen_shows_every_control_and_no_fold_button()
    {
        await using var wide = await app.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 800 }, Locale = "fr-FR" });
        var page = await wide.NewPageAsync();
        await page.GotoAsync(new Uri(app.BaseAddress, "/?level=departement&indicator=population_totale&year=2020").ToString());
        await Assertions.Expect(page.GetByTestId("level-select")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("controls-toggle")).ToBeHiddenAsync();
    }
}
