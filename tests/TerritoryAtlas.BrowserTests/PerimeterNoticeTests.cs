using Microsoft.Playwright;

namespace TerritoryAtlas.BrowserTests;

/// <summary>
/// A commune nouvelle's figure on the commune map: drawn on all its former communes' 2018 polygons, hatched, and said
/// under the legend, in the table and in the tooltip.
/// </summary>
[Collection(AtlasCollection.Name)]
public sealed class PerimeterNoticeTests(AtlasApp app) : IAsyncLifetime
{
    private IBrowserContext _context = null!;

    public async Task InitializeAsync() =>
        _context = await app.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 }, Locale = "fr-FR" });

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Fact]
    public async Task Communes_2023_say_under_the_legend_that_Saint_Denis_is_drawn_on_its_former_communes()
    {
        var map = new MapPage(await _context.NewPageAsync());
        await map.OpenAsync(new Uri(app.BaseAddress, "/?level=commune&indicator=population_municipale&year=2023&within=departement:93"));

        var notice = map.Page.GetByTestId("legend-perimeter-notice");
        await Assertions.Expect(notice).ToBeVisibleAsync();
        await Assertions.Expect(notice).ToContainTextAsync("communes dessinées sur leur périmètre 2018 ont fusionné depuis");
        await Assertions.Expect(notice).ToContainTextAsync("Saint-Denis (avec Pierrefitte-sur-Seine)");

        // What the map draws: Pierrefitte-sur-Seine (no figure of its own) in Saint-Denis's class, both hatched.
        await map.Page.WaitForFunctionAsync("""
            () => {
              const state = code => window.atlasMaps[0].map.getFeatureState({ source: 'territories', sourceLayer: 'territories', id: code });
              const saintDenis = state('93066'), pierrefitte = state('93059');
              return typeof saintDenis.cls === 'number' && pierrefitte.cls === saintDenis.cls && pierrefitte.p === 1 && saintDenis.p === 1
                && pierrefitte.status === 'absorbed' && !!window.atlasMaps[0].map.getLayer('territory-perimeter');
            }
            """, null, new() { Timeout = 30_000 });

        // The table says where Pierrefitte's figure went, and gives Saint-Denis no rank.
        await map.Page.GetByTestId("toggle-table").ClickAsync();
        var notes = map.Page.GetByTestId("table-perimeter");
        await Assertions.Expect(notes.First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(notes.First).ToContainTextAsync("chiffre de la commune nouvelle Saint-Denis (fusion 2025 avec Pierrefitte-sur-Seine)");
        Assert.Equal(2, await notes.CountAsync());
    }

    [Fact]
    public async Task Communes_2021_of_Seine_Saint_Denis_need_no_notice()
    {
        var map = new MapPage(await _context.NewPageAsync());
        await map.OpenAsync(new Uri(app.BaseAddress, "/?level=commune&indicator=population_municipale&year=2021&within=departement:93"));
        await map.ShownAsync();
        await Assertions.Expect(map.Page.GetByTestId("map-legend")).ToContainTextAsync("2021");
        Assert.Equal(0, await map.Page.GetByTestId("legend-perimeter-notice").CountAsync());
        Assert.Equal(0, await map.Page.EvaluateAsync<int>(
            "() => window.atlasMaps[0].map.getFeatureState({ source: 'territories', sourceLayer: 'territories', id: '93059' }).p ?? 0"));
    }
}
