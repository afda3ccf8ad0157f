using System.Globalization;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Npgsql;
using TerritoryAtlas.Web.Accounts;

namespace TerritoryAtlas.BrowserTests;

/// <summary>A member makes a study area from pasted codes on the page, opens its portrait, and a bad list is explained.</summary>
[Collection(AtlasCollection.Name)]
public sealed class StudyAreaTests(AtlasApp app) : IAsyncLifetime
{
    private IBrowserContext _context = null!;

    public async Task InitializeAsync() =>
        _context = await app.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 }, Locale = "fr-FR" });

    public async Task DisposeAsync() => await _context.DisposeAsync();

    [Fact]
    public async Task A_member_pastes_codes_names_the_area_and_reads_its_portrait()
    {
        var email = $"b{Guid.NewGuid():N}@example.org";
        string password;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            (_, password) = await scope.ServiceProvider.GetRequiredService<AccountService>()
                .CreateAsync(email, AtlasRoles.Member, null, CancellationToken.None);
        }

        string[] codes = ["93001", "93005", "93006", "93007"];
        double population;
        await using (var db = NpgsqlDataSource.Create(Environment.GetEnvironmentVariable("ATLAS_TEST_DB")!))
        await using (var connection = await db.OpenConnectionAsync())
        {
            population = await connection.ExecuteScalarAsync<double>("""
                select sum(o.value) from published_observation o join territory c on c.id = o.territory_id
                where c.level = 'commune' and c.code = any(@codes) and o.indicator_code = 'population_municipale' and o.year = 2023
                """, new { codes });
        }

        var page = await _context.NewPageAsync();
        await page.GotoAsync(new Uri(app.BaseAddress, "/compte/connexion?ReturnUrl=%2Fzones-etude").ToString());
        await page.GetByTestId("sign-in-email").FillAsync(email);
        await page.GetByTestId("sign-in-password").FillAsync(password);
        await page.GetByTestId("sign-in-submit").ClickAsync();

        // A bad list first: the page says which code is wrong.
        await page.Locator("#area-name").FillAsync("Nord-Ouest du 93");
        await page.Locator("#area-codes").FillAsync("93001 99999");
        await page.GetByTestId("study-area-create").ClickAsync();
        await Assertions.Expect(page.GetByTestId("study-area-error")).ToContainTextAsync("99999");
        // In the reader's language (the API says it in English).
        await Assertions.Expect(page.GetByTestId("study-area-error")).ToContainTextAsync("ne sont pas des communes de l'atlas");

        await page.Locator("#area-name").FillAsync("Nord-Ouest du 93");
        await page.Locator("#area-codes").FillAsync(string.Join("\n", codes));
        await page.GetByTestId("study-area-create").ClickAsync();
        await Assertions.Expect(page.GetByTestId("study-area-name")).ToHaveTextAsync("Nord-Ouest du 93");
        await Assertions.Expect(page.GetByTestId("study-area-communes")).ToHaveTextAsync("4");
        var row = page.Locator("tr[data-indicator=population_municipale] [data-testid=study-area-value]");
        await Assertions.Expect(row).ToHaveTextAsync(population.ToString("N0", CultureInfo.GetCultureInfo("fr-FR")));

        // Listed among the member's areas.
        await page.GotoAsync(new Uri(app.BaseAddress, "/zones-etude").ToString());
        await Assertions.Expect(page.GetByTestId("study-area-list")).ToContainTextAsync("Nord-Ouest du 93");
    }
}
