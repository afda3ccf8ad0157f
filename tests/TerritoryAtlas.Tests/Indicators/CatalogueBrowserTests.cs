using System.Diagnostics;
using Bunit;
using MudBlazor;
using TerritoryAtlas.Web.Indicators;

namespace TerritoryAtlas.Tests.Indicators;

public sealed class CatalogueBrowserTests : BunitTest
{
    private static readonly (string Code, string Label)[] Themes =
        [("emploi", "Emploi et chômage"), ("familles", "Enfance et familles"), ("logement", "Logement"), ("sante", "Santé"), ("handicap", "Handicap et dépendance")];

    // 500 indicators, deterministic: every fifth in each theme; every third only at commune level; one in seven from DREES.
    private static List<IndicatorInfo> Generated(int count = 500) => Enumerable.Range(0, count).Select(n =>
    {
        var theme = Themes[n % Themes.Length];
        var levels = n % 3 == 0 ? new[] { "commune" } : new[] { "region", "departement" };
        var label = n == 123 ? "Bénéficiaires de l'allocation d'éducation de l'enfant handicapé" : $"Indicateur numéro {n}";
        return new IndicatorInfo($"ind_{n:000}", theme.Code, theme.Label, theme.Label, label, label, null, "%", "%", "share", 1,
            $"Définition de l'indicateur {n}.", "Definition", n % 7 == 0 ? "DREES, minima sociaux" : "INSEE, Filosofi", n % 7 == 0 ? "DREES" : "INSEE",
            "Licence Ouverte", 0, null, null, null, null, [], levels, [2015, 2019], levels.ToDictionary(l => l, _ => new[] { 2015, 2019 }));
    }).ToList();

    private IRenderedComponent<CatalogueBrowser> Render(List<IndicatorInfo> indicators)
    {
        Context.Render<MudPopoverProvider>();
        return Context.Render<CatalogueBrowser>(p => p.Add(x => x.Indicators, indicators));
    }

    [Fact]
    public void Five_hundred_indicators_render_a_page_at_a_time_quickly()
    {
        var watch = Stopwatch.StartNew();
        var browser = Render(Generated());
        watch.Stop();

        Assert.Equal("500 indicateurs", browser.Find("[data-testid=catalogue-count]").TextContent.Trim());
        Assert.Equal(CatalogueBrowser.PageSize, browser.FindAll("[data-testid=catalogue-item]").Count);
        Assert.NotEmpty(browser.FindAll("[data-testid=catalogue-pages]"));
        Assert.True(watch.ElapsedMilliseconds < 2000, $"rendering took {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public void Search_ignores_accents_and_case()
    {
        var browser = Render(Generated());

        browser.Find("input[data-testid=catalogue-search], [data-testid=catalogue-search] input").Input("EDUCATION de l'enfant handicape");

        var item = Assert.Single(browser.FindAll("[data-testid=catalogue-item]"));
        Assert.Equal("ind_123", item.GetAttribute("data-indicator"));
        Assert.Equal("1 indicateur", browser.Find("[data-testid=catalogue-count]").TextContent.Trim());
    }

    [Fact]
    public async Task Filters_by_theme_level_and_producer_combine()
    {
        var browser = Render(Generated());
        var filters = browser.FindComponents<MudSelect<string>>();

        // Theme "Santé" = n % 5 == 3 → 100; at département level (n % 3 != 0) → 66; from DREES (n % 7 == 0) → 9.
        // Awaited: the filter's change must be rendered before the count is read.
        await browser.InvokeAsync(() => filters[0].Instance.ValueChanged.InvokeAsync("sante"));
        Assert.Equal("100 indicateurs", browser.Find("[data-testid=catalogue-count]").TextContent.Trim());
        await browser.InvokeAsync(() => filters[1].Instance.ValueChanged.InvokeAsync("departement"));
        Assert.Equal("66 indicateurs", browser.Find("[data-testid=catalogue-count]").TextContent.Trim());
        await browser.InvokeAsync(() => filters[2].Instance.ValueChanged.InvokeAsync("DREES"));
        Assert.Equal("9 indicateurs", browser.Find("[data-testid=catalogue-count]").TextContent.Trim());

        var expected = Generated().Where(i => i.Theme == "sante" && i.Levels.Contains("departement") && i.Producer == "DREES").Select(i => i.Code);
        Assert.Equal(expected, browser.FindAll("[data-testid=catalogue-item]").Select(e => e.GetAttribute("data-indicator")));
    }

    [Fact]
    public void Each_indicator_links_to_its_map_at_a_level_it_has()
    {
        var browser = Render(Generated(6));

        var links = browser.FindAll("[data-testid=catalogue-map-link]").Select(a => a.GetAttribute("href")).ToList();
        Assert.Contains("/?indicator=ind_000&level=commune", links);
        Assert.Contains("/?indicator=ind_001&level=departement", links);
    }
}
