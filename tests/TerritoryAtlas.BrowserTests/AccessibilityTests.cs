using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace TerritoryAtlas.BrowserTests;

/// <summary>
/// axe-core (the npm package the build installs, WCAG 2.1 A and AA rules) on the main pages once they are interactive:
/// no serious or critical violation. A standing check: a new page or control that breaks a rule fails here, named.
/// </summary>
[Collection(AtlasCollection.Name)]
public sealed class AccessibilityTests(AtlasApp app) : IAsyncLifetime
{
    private IBrowserContext _context = null!;

    // BypassCSP: axe is injected as a script, which the embed's own policy rightly refuses.
    public async Task InitializeAsync() =>
        _context = await app.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 }, Locale = "fr-FR", BypassCSP = true });

    public async Task DisposeAsync() => await _context.DisposeAsync();

    public static TheoryData<string> Pages => new()
    {
        "/?level=departement&indicator=population_totale&year=2020",
        "/?level=departement&indicator=population_totale&year=2020&view=table",
        "/indicateurs",
        "/territoire/departement/93",
        "/synthese/84?indicateurs=taux_pauvrete_60,aah_pour_100_20_64",
        "/atelier",
        "/embed?indicator=aah_pour_100_20_64&level=departement&year=2019",
        "/compte/connexion",
    };

    [Theory]
    [MemberData(nameof(Pages))]
    public async Task A_page_has_no_serious_or_critical_accessibility_violation(string path) => await CheckAsync(path);

    [Theory]
    [InlineData("")]
    [InlineData("/projection")]
    public async Task A_workshop_room_and_its_projection_have_no_serious_or_critical_violation(string suffix)
    {
        var response = await app.Http.PostAsJsonAsync("/api/workshops", new { title = "Accessibilité" });
        var code = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("joinCode").GetString()!;
        await CheckAsync($"/atelier/{code}{suffix}");
    }

    private async Task CheckAsync(string path)
    {
        var page = await _context.NewPageAsync();
        await page.GotoAsync(new Uri(app.BaseAddress, path).ToString());
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        var violations = await Axe.SeriousViolationsAsync(page);
        Assert.True(violations.Count == 0, $"{path}:\n{string.Join('\n', violations)}");
    }
}
