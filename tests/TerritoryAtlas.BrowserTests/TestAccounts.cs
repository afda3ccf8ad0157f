using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using TerritoryAtlas.Web.Accounts;

namespace TerritoryAtlas.BrowserTests;

/// <summary>An account made for one test: its address, its one-time password and its organisation.</summary>
public sealed record TestAccount(string Email, string Password, int? OrganisationId);

/// <summary>
/// Accounts made through the app's own <see cref="AccountService"/> (an address of their own each), and the sign-in
/// form filled as a person does: what the browser tests of members, contributions and study areas share.
/// </summary>
public static class TestAccounts
{
    /// <summary>A new account with <paramref name="role"/>, in <paramref name="organisation"/> (created if new).</summary>
    public static async Task<TestAccount> AccountAsync(this AtlasApp app, string role, string? organisation = null)
    {
        var email = $"b{Guid.NewGuid():N}@example.org";
        await using var scope = app.Services.CreateAsyncScope();
        var (account, password) = await scope.ServiceProvider.GetRequiredService<AccountService>().CreateAsync(email, role, organisation, CancellationToken.None);
        return new TestAccount(email, password, account.OrganisationId);
    }

    /// <summary>Fills the sign-in form the page shows and sends it.</summary>
    public static async Task FillSignInAsync(this IPage page, string email, string password)
    {
        await page.GetByTestId("sign-in-email").FillAsync(email);
        await page.GetByTestId("sign-in-password").FillAsync(password);
        await page.GetByTestId("sign-in-submit").ClickAsync();
    }

    /// <summary>A new page of <paramref name="context"/> signed in from the form that goes back to <paramref name="returnUrl"/>.</summary>
    public static async Task<IPage> SignInAsync(this IBrowserContext context, AtlasApp app, string email, string password, string returnUrl)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(app.BaseAddress, $"/compte/connexion?ReturnUrl={Uri.EscapeDataString(returnUrl)}").ToString());
        await page.FillSignInAsync(email, password);
        return page;
    }
}
