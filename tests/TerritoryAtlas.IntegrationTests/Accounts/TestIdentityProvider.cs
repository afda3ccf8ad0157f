using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace TerritoryAtlas.IntegrationTests.Accounts;

/// <summary>
/// A real OpenID Connect provider for the tests: OpenIddict's server on Kestrel (loopback, a free port), authorization
/// code flow with PKCE, signed id_tokens, one client. Instead of a login form it signs in whoever the test put in
/// <see cref="User"/> (or refuses, like a person clicking "deny", when <see cref="Deny"/> is set). Degraded mode: no
/// store, the client and its redirect address are checked by the handlers below.
/// </summary>
public sealed class TestIdentityProvider : IAsyncDisposable
{
    public const string ClientId = "territoryatlas";
    public const string ClientSecret = "a-test-secret-for-the-atlas-client";
    public const string RedirectUri = "https://localhost/signin-oidc";

    private WebApplication _app = null!;

    public Uri Authority { get; private set; } = null!;

    /// <summary>The claims the next sign-in issues (sub, email, email_verified, organisation, roles…).</summary>
    public IReadOnlyList<Claim> User { get; set; } = [];

    public bool Deny { get; set; }

    public static async Task<TestIdentityProvider> StartAsync()
    {
        var provider = new TestIdentityProvider();
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddOpenIddict().AddServer(options =>
        {
            options.SetAuthorizationEndpointUris("connect/authorize").SetTokenEndpointUris("connect/token");
            options.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
            options.AddEphemeralEncryptionKey().AddEphemeralSigningKey().DisableAccessTokenEncryption();
            options.RegisterScopes(Scopes.OpenId, Scopes.Email, Scopes.Profile, Scopes.Roles);
            options.EnableDegradedMode().DisableTokenStorage().DisableAuthorizationStorage();
            options.UseAspNetCore().DisableTransportSecurityRequirement();

            options.AddEventHandler<ValidateAuthorizationRequestContext>(handler => handler.UseInlineHandler(context =>
            {
                if (context.ClientId != ClientId)
                {
                    context.Reject(Errors.InvalidClient, "unknown client");
                }
                else if (context.RedirectUri != RedirectUri)
                {
                    context.Reject(Errors.InvalidRequest, "redirect_uri not registered for this client");
                }

                return default;
            }));
            options.AddEventHandler<HandleAuthorizationRequestContext>(handler => handler.UseInlineHandler(context =>
            {
                if (provider.Deny)
                {
                    context.Reject(Errors.AccessDenied, "the person refused to share their identity");
                    return default;
                }

                var identity = new ClaimsIdentity(provider.User, "test-provider", Claims.Name, Claims.Role);
                var principal = new ClaimsPrincipal(identity);
                principal.SetScopes(context.Request.GetScopes());
                principal.SetDestinations(_ => [Destinations.IdentityToken, Destinations.AccessToken]);
                context.Principal = principal;
                return default;
            }));
            options.AddEventHandler<ValidateTokenRequestContext>(handler => handler.UseInlineHandler(context =>
            {
                if (context.ClientId != ClientId || context.ClientSecret != ClientSecret)
                {
                    context.Reject(Errors.InvalidClient, "wrong client credentials");
                }

                return default;
            }));
        });
        provider._app = builder.Build();
        provider._app.UseAuthentication();
        await provider._app.StartAsync();
        var address = provider._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        provider.Authority = new Uri(address.TrimEnd('/') + "/");
        return provider;
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
