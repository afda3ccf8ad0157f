using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace TerritoryAtlas.Web.Accounts;

/// <summary>
/// <c>Authorization: Bearer ata_…</c>: a personal access token opens its account with the same claims as the cookie
/// (<see cref="AtlasClaimsPrincipalFactory"/>). Without such a header it has nothing to say; with an unknown, expired or
/// revoked token it fails, and the request answers 401 problem+json (also on public endpoints: a script whose token
/// ran out should hear so, not quietly receive what anonymous readers get).
/// </summary>
public sealed class BearerTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    AccessTokens tokens, UserManager<Account> users, IUserClaimsPrincipalFactory<Account> principals, IMemoryCache cache)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    public static bool HasBearerHeader(HttpRequest request) =>
        request.Headers.Authorization.FirstOrDefault() is { } header && header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!HasBearerHeader(Request))
        {
            return AuthenticateResult.NoResult();
        }

        var token = Request.Headers.Authorization.First()!["Bearer ".Length..].Trim();
        var check = await tokens.CheckAsync(token, Context.RequestAborted);
        if (check.AccountId is not { } accountId)
        {
            return AuthenticateResult.Fail(check.Problem!);
        }

        // Building the principal reads the account, its roles and claims through EF (four queries): a script's thousand
        // requests reuse it for as long as the account's concurrency stamp, which any change of the account renews,
        // stays the same. The token itself (revoked, expired, account disabled) is checked on every request.
        var key = $"bearer-principal:{accountId}:{check.AccountStamp}";
        if (!cache.TryGetValue(key, out Claim[]? claims) || claims is null)
        {
            var account = await users.FindByIdAsync(accountId.ToString());
            if (account is null)
            {
                return AuthenticateResult.Fail("The account of this bearer token no longer exists.");
            }

            claims = [.. (await principals.CreateAsync(account)).Claims];
            cache.Set(key, claims, new MemoryCacheEntryOptions { SlidingExpiration = TimeSpan.FromMinutes(5), Size = 1 });
        }

        var identity = new ClaimsIdentity(claims, SchemeName, ClaimTypes.Name, ClaimTypes.Role);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var failure = (await HandleAuthenticateOnceSafeAsync()).Failure?.Message;
        Response.Headers.WWWAuthenticate = failure is null ? "Bearer" : "Bearer error=\"invalid_token\"";
        await Results.Problem(
            title: failure is null ? "Authentication required" : "Invalid bearer token",
            detail: failure ?? "Sign in, or send a personal access token: Authorization: Bearer <token>.",
            statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        Results.Problem(title: "Forbidden", detail: "Your account's role does not allow this.",
            statusCode: StatusCodes.Status403Forbidden).ExecuteAsync(Context);
}
