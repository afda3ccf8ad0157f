using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using TerritoryAtlas.Web.Accounts;
using TerritoryAtlas.Web.Indicators;

namespace TerritoryAtlas.IntegrationTests.Accounts;

/// <summary>
/// Single sign-on against a real OpenID Connect provider (OpenIddict, see <see cref="TestIdentityProvider"/>): the
/// test plays the browser, following each redirect and posting the provider's form_post page as a browser would, with
/// the atlas on https so its Secure correlation and nonce cookies travel.
/// </summary>
[Collection(nameof(AtlasCollection))]
public sealed partial class SingleSignOnTests(AtlasFixture atlas) : IAsyncLifetime
{
    private TestIdentityProvider _provider = null!;
    private WebApplicationFactory<Program> _app = null!;

    public async Task InitializeAsync()
    {
        _provider = await TestIdentityProvider.StartAsync();
        _app = atlas.App.WithWebHostBuilder(b => b
            .UseSetting("Authentication:OpenIdConnect:Authority", _provider.Authority.ToString())
            .UseSetting("Authentication:OpenIdConnect:ClientId", TestIdentityProvider.ClientId)
            .UseSetting("Authentication:OpenIdConnect:ClientSecret", TestIdentityProvider.ClientSecret)
            .UseSetting("Authentication:OpenIdConnect:RequireHttpsMetadata", "false")
            .UseSetting("Authentication:OpenIdConnect:DisplayName", "Fournisseur de test")
            .UseSetting("Authentication:OpenIdConnect:RoleMap:admin", "atlas-admin")
            .UseSetting("Authentication:OpenIdConnect:RoleMap:producer", "atlas-producteur"));
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _provider.DisposeAsync();
    }

    private static List<Claim> Person(string subject, string email, string? organisation = null, bool verified = true, params string[] roles)
    {
        var claims = new List<Claim> { new("sub", subject), new("email", email), new("name", "Camille Test"),
            new("email_verified", verified ? "true" : "false", ClaimValueTypes.Boolean) };
        if (organisation is not null)
        {
            claims.Add(new Claim("organisation", organisation));
        }

        claims.AddRange(roles.Select(r => new Claim("roles", r)));
        return claims;
    }

    private HttpClient Browser() => _app.CreateClient(new WebApplicationFactoryClientOptions
    {
        BaseAddress = new Uri("https://localhost"),
        AllowAutoRedirect = false,
        HandleCookies = true,
    });

    /// <summary>The whole round trip; returns the atlas's last answer (the redirect after the callback).</summary>
    private async Task<HttpResponseMessage> SignInThroughTheProviderAsync(HttpClient browser, string returnUrl = "/compte")
    {
        var start = await browser.GetAsync($"/compte/sso?returnUrl={Uri.EscapeDataString(returnUrl)}");
        Assert.Equal(HttpStatusCode.Redirect, start.StatusCode);
        var authorize = start.Headers.Location!;
        Assert.StartsWith(_provider.Authority.ToString(), authorize.ToString(), StringComparison.Ordinal);

        using var toProvider = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var page = await toProvider.GetAsync(authorize);
        var html = await page.Content.ReadAsStringAsync();
        // OpenIddict answers the code (or the error) as a self-posting form (response_mode=form_post).
        var action = WebUtility.HtmlDecode(FormAction().Match(html).Groups[1].Value);
        Assert.Equal(TestIdentityProvider.RedirectUri, action);
        var fields = HiddenInput().Matches(html).ToDictionary(m => WebUtility.HtmlDecode(m.Groups[1].Value), m => WebUtility.HtmlDecode(m.Groups[2].Value));
        var callback = await browser.PostAsync(new Uri(action).PathAndQuery, new FormUrlEncodedContent(fields));
        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        var next = callback.Headers.Location!.OriginalString;
        if (!next.StartsWith(SingleSignOn.ReturnPath, StringComparison.Ordinal))
        {
            return callback;
        }

        return await browser.GetAsync(next);
    }

    [GeneratedRegex("<form[^>]*action=\"([^\"]*)\"", RegexOptions.IgnoreCase)]
    private static partial Regex FormAction();

    [GeneratedRegex("<input[^>]*name=\"([^\"]*)\"[^>]*value=\"([^\"]*)\"", RegexOptions.IgnoreCase)]
    private static partial Regex HiddenInput();

    private async Task<int> OrganisationAsync(string name)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AccountService>().EnsureOrganisationAsync(name, CancellationToken.None);
    }

    [Fact]
    public async Task A_new_person_arrives_as_a_member_of_the_organisation_the_provider_names_and_reads_its_indicators()
    {
        var organisation = $"CAF sso {Guid.NewGuid():N}"[..16];
        var organisationId = await OrganisationAsync(organisation);
        var email = $"sso{Guid.NewGuid():N}@example.org";
        // The provider writes the name in its own case: organisations match without case.
        _provider.User = Person($"sub-{Guid.NewGuid():N}", email, organisation.ToUpperInvariant());
        var indicators = _app.Services.GetRequiredService<IndicatorQueries>();
        await indicators.SetVisibilityAsync("indice_gini", "organisations", [organisationId], CancellationToken.None);
        try
        {
            using var browser = Browser();
            var done = await SignInThroughTheProviderAsync(browser, "/indicateurs");
            Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
            Assert.Equal("/indicateurs", done.Headers.Location!.OriginalString);

            var me = await browser.GetFromJsonAsync<JsonElement>("/api/account");
            Assert.Equal(email, me.GetProperty("email").GetString());
            Assert.Equal(["member"], me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
            Assert.Equal([organisationId], me.GetProperty("organisations").EnumerateArray().Select(o => o.GetInt32()));
            Assert.Contains("\"indice_gini\"", await browser.GetStringAsync("/api/indicators"), StringComparison.Ordinal);
            using var anonymous = Browser();
            Assert.DoesNotContain("\"indice_gini\"", await anonymous.GetStringAsync("/api/indicators"), StringComparison.Ordinal);
        }
        finally
        {
            await indicators.SetVisibilityAsync("indice_gini", "public", [], CancellationToken.None);
        }
    }

    [Fact]
    public async Task Role_and_organisation_follow_the_provider_at_each_sign_in_and_an_unknown_organisation_gives_none()
    {
        var first = $"CPAM sso {Guid.NewGuid():N}"[..17];
        var firstId = await OrganisationAsync(first);
        var subject = $"sub-{Guid.NewGuid():N}";
        var email = $"sso{Guid.NewGuid():N}@example.org";

        _provider.User = Person(subject, email, first, true, "atlas-admin", "autre-groupe");
        using (var browser = Browser())
        {
            await SignInThroughTheProviderAsync(browser);
            var me = await browser.GetFromJsonAsync<JsonElement>("/api/account");
            Assert.Equal(["admin"], me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
            Assert.Equal([firstId], me.GetProperty("organisations").EnumerateArray().Select(o => o.GetInt32()));
        }

        _provider.User = Person(subject, email, "Organisation que l'atlas ne connaît pas", true, "atlas-producteur");
        using (var browser = Browser())
        {
            await SignInThroughTheProviderAsync(browser);
            var me = await browser.GetFromJsonAsync<JsonElement>("/api/account");
            Assert.Equal(["producer"], me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
            Assert.Empty(me.GetProperty("organisations").EnumerateArray());
        }

        await using var connection = await atlas.Db.OpenConnectionAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>(
            "select count(*) from account a join account_login l on l.user_id = a.id where a.email = @email and l.provider_key = @subject", new { email, subject }));
        Assert.Equal(0, await connection.ExecuteScalarAsync<int>("select count(*) from organisation where name = 'Organisation que l''atlas ne connaît pas'"));
        Assert.True(await connection.ExecuteScalarAsync<int>("select count(*) from audit_event where action = 'user.sso-sync' and target = @email", new { email }) >= 2);
    }

    [Fact]
    public async Task Without_a_role_map_the_role_an_admin_gave_survives_the_next_sign_in()
    {
        await using var withoutRoles = _app.WithWebHostBuilder(b => b
            .UseSetting("Authentication:OpenIdConnect:RoleMap:admin", "")
            .UseSetting("Authentication:OpenIdConnect:RoleMap:producer", ""));
        var email = $"sso{Guid.NewGuid():N}@example.org";
        _provider.User = Person($"sub-{Guid.NewGuid():N}", email, null, true, "atlas-admin");
        var original = _app;
        _app = withoutRoles;
        try
        {
            using (var browser = Browser())
            {
                await SignInThroughTheProviderAsync(browser);
                Assert.Equal(["member"], (await browser.GetFromJsonAsync<JsonElement>("/api/account")).GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
            }

            await using (var connection = await atlas.Db.OpenConnectionAsync())
            {
                await connection.ExecuteAsync("""
                    update account_role set role_id = (select id from role where name = 'producer')
                    where user_id = (select id from account where email = @email)
                    """, new { email });
            }

            using (var browser = Browser())
            {
                await SignInThroughTheProviderAsync(browser);
                Assert.Equal(["producer"], (await browser.GetFromJsonAsync<JsonElement>("/api/account")).GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
            }
        }
        finally
        {
            _app = original;
        }
    }

    [Fact]
    public async Task A_disabled_account_an_unverified_address_for_an_existing_account_and_a_refusal_land_on_the_sign_in_page_with_a_sentence()
    {
        var subject = $"sub-{Guid.NewGuid():N}";
        var email = $"sso{Guid.NewGuid():N}@example.org";
        _provider.User = Person(subject, email);
        using (var browser = Browser())
        {
            await SignInThroughTheProviderAsync(browser);
        }

        await using (var connection = await atlas.Db.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("update account set disabled = true where email = @email", new { email });
        }

        await AssertRefusedAsync("desactive", "Ce compte est désactivé");

        // An account made with a password, claimed by a provider identity whose address the provider does not vouch for.
        var existing = $"pwd{Guid.NewGuid():N}@example.org";
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<AccountService>().CreateAsync(existing, AtlasRoles.Member, (string?)null, CancellationToken.None);
        }

        _provider.User = Person($"sub-{Guid.NewGuid():N}", existing, verified: false);
        await AssertRefusedAsync("adresse", "ne garantit pas votre adresse");

        _provider.Deny = true;
        try
        {
            await AssertRefusedAsync("echec", "n'a pas abouti");
        }
        finally
        {
            _provider.Deny = false;
        }
    }

    private async Task AssertRefusedAsync(string reason, string sentence)
    {
        using var browser = Browser();
        var answer = await SignInThroughTheProviderAsync(browser);
        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        Assert.Equal($"/compte/connexion?sso={reason}", answer.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/account")).StatusCode);
        var page = await browser.GetStringAsync(answer.Headers.Location!.OriginalString);
        Assert.Contains(sentence, WebUtility.HtmlDecode(page), StringComparison.Ordinal);
        Assert.Contains("Se connecter avec Fournisseur de test", WebUtility.HtmlDecode(page), StringComparison.Ordinal);
    }
}
