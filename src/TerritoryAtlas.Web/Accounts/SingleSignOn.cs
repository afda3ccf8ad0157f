using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Identity;
using Npgsql;
using Dapper;

namespace TerritoryAtlas.Web.Accounts;

/// <summary>
/// Settings of the optional OpenID Connect sign-in ("Authentication:OpenIdConnect:…"): the observatory's identity
/// provider (Keycloak, ProConnect, Entra ID…). Enabled when Authority and ClientId are set.
/// </summary>
public sealed class SingleSignOnOptions
{
    public string? Authority { get; set; }
    public string? ClientId { get; set; }
    public string? ClientSecret { get; set; }

    /// <summary>The button's words: "Se connecter avec {DisplayName}".</summary>
    public string DisplayName { get; set; } = "l'authentification unique";

    /// <summary>Scopes beyond openid, profile and email, space-separated (e.g. "roles" or "groups").</summary>
    public string? Scopes { get; set; }

    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>Ask the userinfo endpoint too (ProConnect gives most claims only there); skipped when the provider has none.</summary>
    public bool UserInfo { get; set; } = true;

    /// <summary>The claim naming the person's organisation: matched by name, without case, to an existing organisation.</summary>
    public string OrganisationClaim { get; set; } = "organisation";

    /// <summary>The claim (one or several values) carrying the person's roles or groups at the provider.</summary>
    public string RoleClaim { get; set; } = "roles";

    /// <summary>Atlas role → the provider's value meaning it, e.g. admin = "atlas-admin"; anyone else is a member.</summary>
    public Dictionary<string, string> RoleMap { get; set; } = [];

    /// <summary>True when the provider's claims decide roles (a RoleMap is set); otherwise the admins do, in /admin.</summary>
    public bool ManagesRoles => RoleMap.Values.Any(v => !string.IsNullOrWhiteSpace(v));

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority) && !string.IsNullOrWhiteSpace(ClientId);

    /// <summary>The atlas role the provider's role values give: the highest one mapped, else member.</summary>
    public string RoleFrom(IEnumerable<string> values)
    {
        var set = values.ToHashSet(StringComparer.Ordinal);
        foreach (var role in AtlasRoles.All)
        {
            if (RoleMap.TryGetValue(role, out var value) && !string.IsNullOrEmpty(value) && set.Contains(value))
            {
                return role;
            }
        }

        return AtlasRoles.Member;
    }
}

/// <summary>
/// OpenID Connect sign-in: the provider signs the person in, then <see cref="CompleteAsync"/> finds or creates the
/// local account (by the provider's subject, then by a verified e-mail address) and brings its role and organisation in
/// line with the provider's claims at every sign-in, so the identity provider stays the one place they are managed.
/// </summary>
public sealed class SingleSignOn(UserManager<Account> users, NpgsqlDataSource db, SingleSignOnOptions settings, ILogger<SingleSignOn> logger)
{
    public const string Scheme = "oidc";
    public const string StartPath = "/compte/sso";
    public const string ReturnPath = "/compte/sso/retour";
    private const string ReturnUrlItem = "returnUrl";

    public static SingleSignOnOptions Options(IConfiguration configuration) =>
        configuration.GetSection("Authentication:OpenIdConnect").Get<SingleSignOnOptions>() ?? new();

    public static void AddSingleSignOn(AuthenticationBuilder authentication, IServiceCollection services, IConfiguration configuration)
    {
        var settings = Options(configuration);
        services.AddSingleton(settings);
        services.AddScoped<SingleSignOn>();
        if (!settings.Enabled)
        {
            return;
        }

        authentication.AddOpenIdConnect(Scheme, settings.DisplayName, options =>
        {
            options.SignInScheme = IdentityConstants.ExternalScheme;
            options.Authority = settings.Authority;
            options.ClientId = settings.ClientId;
            options.ClientSecret = settings.ClientSecret;
            options.RequireHttpsMetadata = settings.RequireHttpsMetadata;
            options.ResponseType = "code";
            options.UsePkce = true;
            options.SaveTokens = false;
            // The claims keep the provider's names ("sub", "email", the configured organisation and role claims).
            options.MapInboundClaims = false;
            options.GetClaimsFromUserInfoEndpoint = settings.UserInfo;
            options.ClaimActions.MapJsonKey(settings.OrganisationClaim, settings.OrganisationClaim);
            options.ClaimActions.MapJsonKey(settings.RoleClaim, settings.RoleClaim);
            options.ClaimActions.MapJsonKey("email_verified", "email_verified");
            options.Scope.Clear();
            foreach (var scope in $"openid profile email {settings.Scopes}".Split(' ', StringSplitOptions.RemoveEmptyEntries).Distinct())
            {
                options.Scope.Add(scope);
            }

            // A refusal or a broken answer from the provider: back to the sign-in page with a sentence, never an error page.
            options.Events.OnRemoteFailure = context =>
            {
                context.HandleResponse();
                context.Response.Redirect($"{Accounts.SignInPath}?sso=echec");
                return Task.CompletedTask;
            };
        });
    }

    public static IEndpointRouteBuilder MapSingleSignOn(IEndpointRouteBuilder app)
    {
        app.MapGet(StartPath, (SingleSignOnOptions settings, string? returnUrl) => settings.Enabled
                ? Results.Challenge(new AuthenticationProperties(new Dictionary<string, string?> { [ReturnUrlItem] = SignInPage.SafeReturnUrl(returnUrl) })
                {
                    RedirectUri = ReturnPath,
                }, [Scheme])
                : Results.NotFound())
            .ExcludeFromDescription();
        app.MapGet(ReturnPath, async (HttpContext http, SingleSignOn sso, SignInManager<Account> signIns) =>
            {
                var external = await http.AuthenticateAsync(IdentityConstants.ExternalScheme);
                await http.SignOutAsync(IdentityConstants.ExternalScheme);
                if (!external.Succeeded)
                {
                    return Results.Redirect($"{Accounts.SignInPath}?sso=echec");
                }

                var (account, refusal) = await sso.CompleteAsync(external.Principal, http.RequestAborted);
                if (account is null)
                {
                    return Results.Redirect($"{Accounts.SignInPath}?sso={refusal}");
                }

                await signIns.SignInAsync(account, isPersistent: false, authenticationMethod: Scheme);
                return Results.LocalRedirect(SignInPage.SafeReturnUrl(external.Properties?.Items.TryGetValue(ReturnUrlItem, out var url) == true ? url : null));
            })
            .ExcludeFromDescription();
        return app;
    }

    /// <summary>The local account of this provider identity, created or brought up to date; or why it may not sign in.</summary>
    public async Task<(Account? Account, string Refusal)> CompleteAsync(ClaimsPrincipal external, CancellationToken ct)
    {
        var subject = external.FindFirstValue("sub");
        var email = external.FindFirstValue("email")?.Trim();
        if (string.IsNullOrEmpty(subject))
        {
            return (null, "echec");
        }

        var account = await users.FindByLoginAsync(Scheme, subject);
        if (account is null && !string.IsNullOrEmpty(email))
        {
            // An existing account is linked only when the provider vouches for the address: otherwise whoever registers
            // someone else's address at a lax provider would take over their account here.
            account = await users.FindByEmailAsync(email);
            if (account is not null && external.FindFirstValue("email_verified") is not ("true" or "True"))
            {
                logger.LogWarning("Single sign-on refused: account {AccountId} exists but the provider did not verify the address.", account.Id);
                return (null, "adresse");
            }
        }

        if (account is null)
        {
            if (string.IsNullOrEmpty(email))
            {
                return (null, "adresse");
            }

            account = new Account { UserName = email, Email = email };
            if (!(await users.CreateAsync(account)).Succeeded)
            {
                return (null, "echec");
            }
        }

        if (await users.FindByLoginAsync(Scheme, subject) is null)
        {
            await users.AddLoginAsync(account, new UserLoginInfo(Scheme, subject, settings.DisplayName));
        }

        if (account.Disabled)
        {
            return (null, "desactive");
        }

        await SyncAsync(account, external, ct);
        return (account, "");
    }

    // Role and organisation follow the provider at every sign-in where it manages them — the role when a RoleMap is
    // configured, the organisation when the sign-in carries the claim — and stay as the admins set them otherwise; a
    // change is written to the audit log.
    private async Task SyncAsync(Account account, ClaimsPrincipal external, CancellationToken ct)
    {
        var roles = await users.GetRolesAsync(account);
        var before = new { roles = string.Join(',', roles.Order(StringComparer.Ordinal)), organisation = account.OrganisationId };
        var role = settings.ManagesRoles
            ? settings.RoleFrom(external.FindAll(settings.RoleClaim).Select(c => c.Value))
            : roles.Count > 0 ? null : AtlasRoles.Member;
        if (role is not null && (roles.Count != 1 || roles[0] != role))
        {
            await users.RemoveFromRolesAsync(account, roles);
            await users.AddToRoleAsync(account, role);
        }

        await using var connection = await db.OpenConnectionAsync(ct);
        if (external.FindFirstValue(settings.OrganisationClaim)?.Trim() is { } organisationName)
        {
            var organisationId = organisationName.Length == 0 ? null : await connection.ExecuteScalarAsync<int?>(new CommandDefinition(
                "select id from organisation where lower(name) = lower(@organisationName)", new { organisationName }, cancellationToken: ct));
            if (organisationId is null)
            {
                logger.LogWarning("Single sign-on: the provider names organisation {Organisation}, which the atlas does not have; account {AccountId} gets none.",
                    organisationName, account.Id);
            }

            if (account.OrganisationId != organisationId)
            {
                account.OrganisationId = organisationId;
                await users.UpdateAsync(account);
            }
        }

        var after = new { roles = string.Join(',', (await users.GetRolesAsync(account)).Order(StringComparer.Ordinal)), organisation = account.OrganisationId };
        if (before.roles != after.roles || before.organisation != after.organisation)
        {
            await Administration.AuditLog.WriteAsync(connection, null, new Administration.AuditActor(null, "authentification unique"),
                "user.sso-sync", account.Email ?? "?", before, after, ct);
        }
    }
}
