using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;

namespace TerritoryAtlas.Web.Accounts;

public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        // Who the caller is, as the atlas sees it: lets a script check its token, and shows the claims every
        // reader's visibility rule receives.
        app.MapGet("/api/account", (ClaimsPrincipal user) => TypedResults.Ok(new AccountSummary(
                user.FindFirstValue(ClaimTypes.NameIdentifier)!,
                user.FindFirstValue(ClaimTypes.Email),
                [.. user.FindAll(ClaimTypes.Role).Select(c => c.Value).Order(StringComparer.Ordinal)],
                Viewer.From(user).OrganisationIds)))
            .RequireAuthorization();

        // A form post (antiforgery-checked, as every form-bound endpoint is) from the account page and the app bar.
        app.MapPost("/compte/deconnexion", async (SignInManager<Account> signIns, [FromForm] string? returnUrl) =>
            {
                await signIns.SignOutAsync();
                return TypedResults.LocalRedirect(SignInPage.SafeReturnUrl(returnUrl ?? "/compte/connexion?deconnecte=1"));
            })
            .ExcludeFromDescription();
        SingleSignOn.MapSingleSignOn(app);
        return app;
    }
}

public sealed record AccountSummary(string Id, string? Email, IReadOnlyList<string> Roles, IReadOnlyList<int> Organisations);
