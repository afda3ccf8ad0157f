using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using StackExchange.Redis;

namespace TerritoryAtlas.Web.Accounts;

public static class Accounts
{
    /// <summary>The default scheme: bearer when an Authorization: Bearer header is present, else Identity's cookie.</summary>
    public const string Scheme = "Atlas";

    public const string SignInPath = "/compte/connexion";

    public static IServiceCollection AddAccounts(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddDbContext<AccountsDbContext>((sp, options) => options.UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>()));
        services.AddIdentity<Account, IdentityRole<Guid>>(options =>
            {
                options.User.RequireUniqueEmail = true;
                options.Password.RequiredLength = 12;
                options.Password.RequireNonAlphanumeric = false;
                options.Lockout.MaxFailedAccessAttempts = 5;
                options.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(15);
                options.Lockout.AllowedForNewUsers = true;
                // "Confirmed" means "not disabled" (EnabledAccountConfirmation): Identity then refuses every sign-in of
                // a disabled account in one place.
                options.SignIn.RequireConfirmedAccount = true;
            })
            .AddEntityFrameworkStores<AccountsDbContext>()
            .AddDefaultTokenProviders()
            .AddClaimsPrincipalFactory<AtlasClaimsPrincipalFactory>();
        services.AddScoped<IUserConfirmation<Account>, EnabledAccountConfirmation>();

        services.ConfigureApplicationCookie(options =>
        {
            options.Cookie.Name = ".TerritoryAtlas.Auth";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.LoginPath = SignInPath;
            options.LogoutPath = "/compte/deconnexion";
            options.AccessDeniedPath = "/compte/refuse";
            options.ExpireTimeSpan = TimeSpan.FromHours(12);
            options.SlidingExpiration = true;
            // APIs and hubs answer 401/403 problem+json; only pages redirect to the sign-in form.
            options.Events.OnRedirectToLogin = context => MachineEndpoints.Serve(context.Request)
                ? Results.Problem(title: "Authentication required",
                    detail: "Sign in, or send a personal access token: Authorization: Bearer <token>.",
                    statusCode: StatusCodes.Status401Unauthorized).ExecuteAsync(context.HttpContext)
                : Redirect(context);
            options.Events.OnRedirectToAccessDenied = context => MachineEndpoints.Serve(context.Request)
                ? Results.Problem(title: "Forbidden", detail: "Your account's role does not allow this.",
                    statusCode: StatusCodes.Status403Forbidden).ExecuteAsync(context.HttpContext)
                : Redirect(context);
        });
        // A disabled account or a signed-out session (security stamp changed) loses its cookie within a minute.
        services.Configure<SecurityStampValidatorOptions>(options => options.ValidationInterval = TimeSpan.FromMinutes(1));

        var authentication = services.AddAuthentication(options =>
            {
                options.DefaultScheme = Scheme;
                options.DefaultAuthenticateScheme = Scheme;
                options.DefaultChallengeScheme = Scheme;
                options.DefaultForbidScheme = Scheme;
            })
            .AddPolicyScheme(Scheme, "Cookie or bearer token", options => options.ForwardDefaultSelector = context =>
                BearerTokenHandler.HasBearerHeader(context.Request) ? BearerTokenHandler.SchemeName : IdentityConstants.ApplicationScheme)
            .AddScheme<AuthenticationSchemeOptions, BearerTokenHandler>(BearerTokenHandler.SchemeName, null);
        SingleSignOn.AddSingleSignOn(authentication, services, configuration);
        services.AddAuthorization();
        services.AddCascadingAuthenticationState();
        services.AddScoped<AuthenticationStateProvider, RevalidatingAccountStateProvider>();
        services.AddSingleton<SignInThrottle>();
        services.AddScoped<PasswordResetLinks>();
        // Replace this registration with a real sender (SMTP…) to mail the links; see LoggingEmailSender.
        services.AddSingleton<IEmailSender<Account>, LoggingEmailSender>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<AccessTokens>();
        services.AddScoped<AccountService>();

        // One key ring for every instance behind the proxy, or cookies and antiforgery tokens minted by one instance
        // would be refused by the next: in Redis when the app has one, else in PostgreSQL.
        var dataProtection = services.AddDataProtection().SetApplicationName("TerritoryAtlas");
        if (configuration["Redis:Connection"] is { Length: > 0 } redis)
        {
            var connection = new Lazy<IConnectionMultiplexer>(() => ConnectionMultiplexer.Connect(redis));
            dataProtection.PersistKeysToStackExchangeRedis(() => connection.Value.GetDatabase(), "territoryatlas:data-protection-keys");
        }
        else
        {
            dataProtection.PersistKeysToDbContext<AccountsDbContext>();
        }

        return services;
    }

    /// <summary>The property UseAuthentication sets on its builder (ASP.NET Core's own key, not a public constant).</summary>
    private const string AuthenticationMiddlewareSetKey = "__AuthenticationMiddlewareSet";

    /// <summary>
    /// For a request that may carry an identity: authentication, the refusal of bad bearer tokens on every endpoint
    /// (public ones included) and private caching of what it is answered; then, for every request, authorisation.
    /// </summary>
    public static WebApplication UseAccounts(this WebApplication app)
    {
        // Public readers' tiles and map values are asked for thousands of times a second and carry nothing to
        // authenticate (no cookie, no Authorization header): they skip the whole branch, whose every step would find
        // nothing to do for them (the rule: anonymous readers must not pay for accounts).
        app.UseWhen(MayCarryIdentity, identified =>
        {
            identified.UseAuthentication();
            identified.Use((context, next) => BearerTokenHandler.HasBearerHeader(context.Request) ? RefuseBadTokenAsync(context, next) : next(context));
            identified.UsePrivateResponses();
        });
        // WebApplication puts its own UseAuthentication at the head of the pipeline unless the root builder is marked
        // as having one; the branch above marks only its own copy of the properties, so without this every request
        // (the skip above included) was authenticated anyway.
        ((IApplicationBuilder)app).Properties[AuthenticationMiddlewareSetKey] = true;
        app.UseAuthorization();
        return app;
    }

    private static async Task RefuseBadTokenAsync(HttpContext context, RequestDelegate next)
    {
        if ((await context.AuthenticateAsync(BearerTokenHandler.SchemeName)).Failure is not null)
        {
            await context.ChallengeAsync(BearerTokenHandler.SchemeName);
            return;
        }

        await next(context);
    }

    /// <summary>
    /// Whether a request can be anyone but an anonymous reader: it carries a cookie (the session's, or a sign-in
    /// provider's correlation cookies on its way back) or an Authorization header. Without either, every scheme would
    /// answer "no result", so authenticating it is skipped.
    /// </summary>
    public static bool MayCarryIdentity(HttpContext context) =>
        context.Request.Headers.Cookie.Count > 0 || context.Request.Headers.Authorization.Count > 0;

    private static Task Redirect(RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}
