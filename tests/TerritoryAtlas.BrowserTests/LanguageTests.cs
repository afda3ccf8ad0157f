using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace TerritoryAtlas.BrowserTests;

/// <summary>
/// The whole interface in English with lang=en, numbers formatted per language, and the choice remembered: an address
/// without lang opens in the language last chosen, until the reader switches back.
/// </summary>
[Collection(AtlasCollection.Name)]
public sealed class LanguageTests(AtlasApp app) : IAsyncLifetime
{
    private IBrowserContext _context = null!;

    public async Task InitializeAsync() =>
        _context = await app.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 }, Locale = "en-GB" });

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Fact]
    public async Task English_is_remembered_across_pages_until_the_reader_switches_back()
    {
        var page = await _context.NewPageAsync();
        await page.GotoAsync(new Uri(app.BaseAddress, "/indicateurs?lang=en").ToString());
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Indicator catalogue");
        await Assertions.Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "en");

        // A typed address without lang: the remembered English, said in the address too.
        await page.GotoAsync(new Uri(app.BaseAddress, "/synthese").ToString());
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Regional social profile");
        Assert.Contains("lang=en", page.Url, StringComparison.Ordinal);
        await Assertions.Expect(page.GetByTestId("synthesis-csv")).ToHaveTextAsync("Download as CSV");

        // The switch in the app bar says French explicitly; from then on, addresses without lang are French.
        await page.GetByTestId("switch-language").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Portrait social régional", new() { Timeout = 20_000 });
        await page.GotoAsync(new Uri(app.BaseAddress, "/indicateurs").ToString());
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Catalogue des indicateurs");
        Assert.DoesNotContain("lang=", page.Url, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("fr", "Page suivante")]
    [InlineData("en", "Next page")]
    public async Task MudBlazorʼs_own_words_follow_the_language(string lang, string next)
    {
        var page = await _context.NewPageAsync();
        await page.GotoAsync(new Uri(app.BaseAddress, $"/indicateurs?lang={lang}").ToString());
        await Assertions.Expect(page.GetByTestId("catalogue-pages").GetByRole(AriaRole.Button, new() { Name = next })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_portrait_in_english_has_english_words_numbers_and_ranks()
    {
        var page = await _context.NewPageAsync();
        await page.GotoAsync(new Uri(app.BaseAddress, "/territoire/departement/93?lang=en").ToString());
        var population = page.Locator("[data-testid=portrait-indicator][data-indicator=population_totale]");
        await Assertions.Expect(population.GetByTestId("portrait-value")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d{1,3}(,\d{3})+$"));
        await Assertions.Expect(population.GetByTestId("portrait-rank")).ToContainTextAsync(new System.Text.RegularExpressions.Regex(@"\d+(st|nd|rd|th) of 101 départements"));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Time series" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Columnheader, new() { Name = "Rank" }).First).ToBeVisibleAsync();
        // Links to the parents keep the language.
        var parentLink = await page.Locator(".atlas-portrait-header a[href^='/territoire/']").First.GetAttributeAsync("href");
        Assert.Contains("lang=en", parentLink, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_download_dialog_in_english_offers_a_comma_separated_csv()
    {
        var map = new MapPage(await _context.NewPageAsync());
        await map.Page.GotoAsync(new Uri(app.BaseAddress, "/?lang=en&level=departement&indicator=taux_pauvrete_60&year=2019").ToString());
        await map.Page.WaitForFunctionAsync("() => window.atlasMaps?.[0]?.live && window.atlasMaps[0].painted > 0", null, new() { Timeout = 30_000 });
        var preview = await map.OpenExportDialogAsync();

        await Assertions.Expect(preview).ToContainTextAsync("101 territories, about");
        await map.Page.GetByText("CSV (spreadsheet, R, Python)").ClickAsync();
        await Assertions.Expect(map.Page.GetByTestId("export-download"))
            .ToHaveAttributeAsync("href", "/api/export/departement.csv?indicator=taux_pauvrete_60&year=2019&bom=true");
    }

    [Fact]
    public async Task A_workshop_in_english_speaks_english_from_the_name_form_to_the_tools()
    {
        var response = await app.Http.PostAsJsonAsync("/api/workshops", new { title = "Workshop in English" });
        var code = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("joinCode").GetString()!;
        var page = await _context.NewPageAsync();
        await page.GotoAsync(new Uri(app.BaseAddress, $"/atelier/{code}?lang=en").ToString());
        await Assertions.Expect(page.GetByTestId("display-name")).ToHaveAttributeAsync("placeholder", "Your first name or a nickname", new() { Timeout = 20_000 });
        await page.GetByTestId("display-name").FillAsync("Dana");
        await page.GetByTestId("join").ClickAsync();
        await Assertions.Expect(page.GetByTestId("tool-line")).ToHaveTextAsync("Line", new() { Timeout = 20_000 });
        await page.GetByTestId("tool-point").ClickAsync();
        await Assertions.Expect(page.GetByTestId("place-centre")).ToHaveTextAsync("Place at the map's centre");
    }
}
