using Microsoft.AspNetCore.Components.Authorization;

namespace TerritoryAtlas.Web.Accounts;

/// <summary>The <see cref="Viewer"/> of a page: the prerendering request's user, then the circuit's.</summary>
public static class ViewerState
{
    /// <summary>Where the sign-in prompts of pages lead (the accounts' sign-in page, which returns to ReturnUrl).</summary>
    public const string SignInPath = Accounts.SignInPath;

    public static async Task<Viewer> ViewerAsync(this AuthenticationStateProvider authentication) =>
        Viewer.From((await authentication.GetAuthenticationStateAsync()).User);

    public static string SignInUrl(string returnUrl) => $"{SignInPath}?ReturnUrl={Uri.EscapeDataString(returnUrl)}";
}
