using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Npgsql;
using TerritoryAtlas.Web.Accounts;

namespace TerritoryAtlas.BrowserTests;

[Collection(AtlasCollection.Name)]
public sealed class AccountTests(AtlasApp app) : IAsyncLifetime
{
    private IBrowserContext _context = null!;

    public async Task InitializeAsync() =>
        _context = await app.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 }, Locale = "fr-FR" });

    public async Task DisposeAsync() => await _context.DisposeAsync();

    private Task<TestAccount> NewAccountAsync() => app.AccountAsync(AtlasRoles.Member, $"Organisation {Guid.NewGuid():N}");

    private Task<IPage> SignInAsync(string email, string password, string returnUrl = "/compte") => _context.SignInAsync(app, email, password, returnUrl);

    [Fact]
    public async Task An_admin_reads_a_refusal_in_french()
    {
        var organisation = $"Organisation {Guid.NewGuid():N}";
        var email = $"a{Guid.NewGuid():N}@example.org";
        string password;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var accounts = scope.ServiceProvider.GetRequiredService<AccountService>();
            await accounts.CreateAsync($"m{Guid.NewGuid():N}@example.org", AtlasRoles.Member, organisation, CancellationToken.None);
            (_, password) = await accounts.CreateAsync(email, AtlasRoles.Admin, (string?)null, CancellationToken.None);
        }

        var page = await SignInAsync(email, password, "/admin");
        await Assertions.Expect(page.GetByTestId("admin")).ToHaveAttributeAsync("data-live", "true", new() { Timeout = 20_000 });
        await page.GetByRole(AriaRole.Tab, new() { Name = "Organisations" }).ClickAsync();
        await page.Locator("input[data-testid=organisation-name], [data-testid=organisation-name] input").First.FillAsync(organisation);
        await page.GetByTestId("organisation-create").ClickAsync();
        // The API says it in English; the page, in the reader's language.
        await Assertions.Expect(page.Locator(".mud-snackbar")).ToContainTextAsync($"Une organisation s'appelle déjà « {organisation} ».", new() { Timeout = 10_000 });
    }

    [Fact]
    public async Task An_admin_finds_an_indicator_by_its_label_in_the_visibility_tab()
    {
        var email = $"a{Guid.NewGuid():N}@example.org";
        string password;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            (_, password) = await scope.ServiceProvider.GetRequiredService<AccountService>()
                .CreateAsync(email, AtlasRoles.Admin, (string?)null, CancellationToken.None);
        }

        var page = await SignInAsync(email, password, "/admin");
        await Assertions.Expect(page.GetByTestId("admin")).ToHaveAttributeAsync("data-live", "true", new() { Timeout = 20_000 });
        await page.GetByRole(AriaRole.Tab, new() { Name = "Visibilité des indicateurs" }).ClickAsync();
        var table = page.GetByTestId("visibility");
        await table.GetByPlaceholder("Filtrer (code, libellé)").FillAsync("Gini du niveau");
        // One row: the indicator, by its French label, with the choice of its visibility (which AdminTests changes meanwhile).
        await Assertions.Expect(table.Locator("tbody tr")).ToHaveCountAsync(1, new() { Timeout = 10_000 });
        await Assertions.Expect(table.Locator("tbody tr")).ToContainTextAsync("indice_gini Indice de Gini du niveau de vie");
        await Assertions.Expect(page.GetByTestId("visibility-indice_gini")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task A_member_signs_in_through_the_page_sees_the_account_page_creates_a_token_and_signs_out()
    {
        var (email, password, _) = await NewAccountAsync();

        var page = await SignInAsync(email, "wrong password 123");
        await Assertions.Expect(page.GetByTestId("sign-in-error")).ToContainTextAsync("incorrect");
        page = await SignInAsync(email, password);

        await Assertions.Expect(page.GetByTestId("account-email")).ToHaveTextAsync(email);
        await Assertions.Expect(page.GetByTestId("account-roles")).ToHaveTextAsync("member");
        await page.GetByTestId("token-name").FillAsync("navigateur");
        await page.GetByTestId("create-token").ClickAsync();
        var token = await page.GetByTestId("created-token").TextContentAsync();
        Assert.StartsWith(AccessTokens.Prefix, token, StringComparison.Ordinal);
        await Assertions.Expect(page.GetByTestId("tokens")).ToContainTextAsync("navigateur");

        await page.GetByTestId("sign-out").ClickAsync();
        await Assertions.Expect(page.GetByTestId("sign-in-submit")).ToBeVisibleAsync();
        // Signed out: the account page sends the browser back to the sign-in form.
        await page.GotoAsync(new Uri(app.BaseAddress, "/compte").ToString());
        await Assertions.Expect(page.GetByTestId("sign-in-submit")).ToBeVisibleAsync();
        Assert.Contains("/compte/connexion", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_open_page_notices_within_seconds_that_its_account_was_disabled()
    {
        var (email, password, _) = await NewAccountAsync();
        var page = await SignInAsync(email, password, "/atelier");
        // The workshop start page is interactive: its app bar lives in a circuit.
        await Assertions.Expect(page.GetByTestId("nav-account")).ToHaveTextAsync(email);
        await page.WaitForFunctionAsync("() => window.Blazor && document.querySelector('[data-testid=join-code]')");

        await using (var db = NpgsqlDataSource.Create(Environment.GetEnvironmentVariable("ATLAS_TEST_DB")!))
        await using (var connection = await db.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("update account set disabled = true where email = @email", new { email });
        }

        // Revalidation (every 2 s in these tests) turns the circuit anonymous: the app bar offers to sign in again.
        await Assertions.Expect(page.GetByTestId("nav-sign-in")).ToBeVisibleAsync(new() { Timeout = 20_000 });
    }
}
