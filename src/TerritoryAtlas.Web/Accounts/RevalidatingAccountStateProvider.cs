using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace TerritoryAtlas.Web.Accounts;

/// <summary>
/// An open circuit outlives the cookie check of the request that opened it: every
/// <c>Accounts:RevalidationSeconds</c> (60) it checks again that the account exists, is not disabled and that its
/// security stamp is unchanged (signing out all sessions, a password reset or an administrator's change renews it);
/// otherwise the circuit becomes anonymous and restricted components stop showing their data.
/// </summary>
public sealed class RevalidatingAccountStateProvider(
    ILoggerFactory loggerFactory, IServiceScopeFactory scopes, IOptions<IdentityOptions> options, IConfiguration configuration)
    : RevalidatingServerAuthenticationStateProvider(loggerFactory)
{
    protected override TimeSpan RevalidationInterval { get; } =
        TimeSpan.FromSeconds(Math.Max(1, configuration.GetValue("Accounts:RevalidationSeconds", 60)));

    protected override async Task<bool> ValidateAuthenticationStateAsync(AuthenticationState state, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await IsStillValidAsync(scope.ServiceProvider.GetRequiredService<UserManager<Account>>(), state.User, options.Value);
    }

    public static async Task<bool> IsStillValidAsync(UserManager<Account> users, ClaimsPrincipal principal, IdentityOptions options)
    {
        if (principal.Identity?.IsAuthenticated != true)
        {
            return true;
        }

        var account = await users.GetUserAsync(principal);
        if (account is null || account.Disabled)
        {
            return false;
        }

        // Bearer principals carry the stamp too (same claims factory); an account without stamps has nothing to compare.
        var stamp = principal.FindFirstValue(options.ClaimsIdentity.SecurityStampClaimType);
        return stamp is null || stamp == await users.GetSecurityStampAsync(account);
    }
}
