using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using TerritoryAtlas.Web.Accounts;

namespace TerritoryAtlas.IntegrationTests.Accounts;

[Collection(nameof(AtlasCollection))]
public sealed class AccountsTests(AtlasFixture atlas)
{
    private static string NewEmail() => $"t{Guid.NewGuid():N}@example.org";

    // The platform's default: opening a workshop is for members only.
    private WebApplicationFactory<Program> MembersOnly() =>
        atlas.App.WithWebHostBuilder(b => b.UseSetting("Workshops:AnonymousMayOpen", "false"));

    private async Task<(Account Account, string Password)> CreateAccountAsync(string role, string? organisation = null)
    {
        await using var scope = atlas.App.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AccountService>().CreateAsync(NewEmail(), role, organisation, CancellationToken.None);
    }

    private async Task<string> TokenAsync(Guid accountId, int days = 30)
    {
        var tokens = atlas.App.Services.GetRequiredService<AccessTokens>();
        return (await tokens.CreateAsync(accountId, "test", days, CancellationToken.None)).Token;
    }

    private static HttpRequestMessage WithBearer(HttpMethod method, string url, string token, object? body = null)
    {
        var request = new HttpRequestMessage(method, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        return request;
    }

    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        return problem;
    }

    [Fact]
    public async Task The_identity_model_matches_the_migrated_tables_and_round_trips_every_kind_of_row()
    {
        var email = NewEmail();
        var id = Guid.Empty;
        await using (var scope = atlas.App.Services.CreateAsyncScope())
        {
            var context = scope.ServiceProvider.GetRequiredService<AccountsDbContext>();
            // Every mapped column is read once: a column EF expects and 0010 lacks fails here.
            Assert.NotNull(await context.Users.Take(0).ToListAsync());
            Assert.NotNull(await context.Roles.Take(0).ToListAsync());
            Assert.NotNull(await context.UserRoles.Take(0).ToListAsync());
            Assert.NotNull(await context.UserClaims.Take(0).ToListAsync());
            Assert.NotNull(await context.RoleClaims.Take(0).ToListAsync());
            Assert.NotNull(await context.UserLogins.Take(0).ToListAsync());
            Assert.NotNull(await context.UserTokens.Take(0).ToListAsync());
            Assert.NotNull(await context.DataProtectionKeys.Take(0).ToListAsync());

            var users = scope.ServiceProvider.GetRequiredService<UserManager<Account>>();
            var account = new Account { UserName = email, Email = email };
            Assert.True((await users.CreateAsync(account, "a-long-Passw0rd")).Succeeded);
            id = account.Id;
            Assert.True((await users.AddToRoleAsync(account, AtlasRoles.Producer)).Succeeded);
            Assert.True((await users.AddClaimAsync(account, new Claim("atlas:test", "kept"))).Succeeded);
            Assert.True((await users.AddLoginAsync(account, new UserLoginInfo("oidc", "subject-" + id, "SSO"))).Succeeded);
            Assert.True((await users.SetAuthenticationTokenAsync(account, "oidc", "refresh", "r-token")).Succeeded);
        }

        await using (var scope = atlas.App.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<Account>>();
            var account = await users.FindByLoginAsync("oidc", "subject-" + id);
            Assert.NotNull(account);
            Assert.Equal(email, account.Email);
            Assert.Equal([AtlasRoles.Producer], await users.GetRolesAsync(account));
            Assert.Contains(await users.GetClaimsAsync(account), c => c.Type == "atlas:test" && c.Value == "kept");
            Assert.Equal("r-token", await users.GetAuthenticationTokenAsync(account, "oidc", "refresh"));
            Assert.True(await users.CheckPasswordAsync(account, "a-long-Passw0rd"));
            Assert.False(await users.CheckPasswordAsync(account, "a-long-Passw0rd!"));
            Assert.True((await users.DeleteAsync(account)).Succeeded);
        }

        await using var connection = await atlas.Db.OpenConnectionAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("select count(*) from account_login where user_id = @id", new { id }));
    }

    [Fact]
    public async Task The_principal_carries_a_role_claim_per_role_and_the_organisation()
    {
        var organisation = $"CAF test {Guid.NewGuid():N}";
        var (created, _) = await CreateAccountAsync(AtlasRoles.Producer, organisation);
        await using var scope = atlas.App.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Account>>();
        var account = (await users.FindByIdAsync(created.Id.ToString()))!;
        Assert.True((await users.AddToRoleAsync(account, AtlasRoles.Member)).Succeeded);

        var principal = await scope.ServiceProvider.GetRequiredService<IUserClaimsPrincipalFactory<Account>>().CreateAsync(account);

        Assert.True(principal.IsInRole(AtlasRoles.Producer));
        Assert.True(principal.IsInRole(AtlasRoles.Member));
        Assert.False(principal.IsInRole(AtlasRoles.Admin));
        Assert.Equal(account.Id.ToString(), principal.FindFirstValue(ClaimTypes.NameIdentifier));
        var viewer = Viewer.From(principal);
        Assert.Equal([account.OrganisationId!.Value], viewer.OrganisationIds);
        Assert.False(viewer.IsAdmin);
        await using var connection = await atlas.Db.OpenConnectionAsync();
        Assert.Equal(organisation, await connection.ExecuteScalarAsync<string>(
            "select name from organisation where id = @id", new { id = account.OrganisationId }));
    }

    [Fact]
    public async Task A_bearer_token_opens_its_account_on_the_api_and_remembers_its_last_use()
    {
        var (account, _) = await CreateAccountAsync(AtlasRoles.Admin, $"Org {Guid.NewGuid():N}");
        var token = await TokenAsync(account.Id);
        using var http = atlas.App.CreateClient();

        var response = await http.SendAsync(WithBearer(HttpMethod.Get, "/api/account", token));

        response.EnsureSuccessStatusCode();
        var me = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(account.Email, me.GetProperty("email").GetString());
        Assert.Equal([AtlasRoles.Admin], me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal([account.OrganisationId!.Value], me.GetProperty("organisations").EnumerateArray().Select(o => o.GetInt32()));
        await using var connection = await atlas.Db.OpenConnectionAsync();
        Assert.NotNull(await connection.ExecuteScalarAsync<DateTime?>(
            "select last_used_at from access_token where token_hash = @hash", new { hash = AccessTokens.Hash(token) }));
    }

    [Fact]
    public async Task Expired_revoked_unknown_tokens_and_disabled_accounts_get_401_problem_json_even_on_public_endpoints()
    {
        var (account, _) = await CreateAccountAsync(AtlasRoles.Member);
        var expired = await TokenAsync(account.Id);
        var revoked = await TokenAsync(account.Id);
        await using var connection = await atlas.Db.OpenConnectionAsync();
        await connection.ExecuteAsync("update access_token set created_at = now() - interval '3 days', expires_at = now() - interval '1 day' where token_hash = @hash",
            new { hash = AccessTokens.Hash(expired) });
        var revokedId = await connection.ExecuteScalarAsync<int>("select id from access_token where token_hash = @hash", new { hash = AccessTokens.Hash(revoked) });
        Assert.True(await atlas.App.Services.GetRequiredService<AccessTokens>().RevokeAsync(account.Id, revokedId, CancellationToken.None));
        using var http = atlas.App.CreateClient();

        foreach (var (token, words) in new[] { (expired, "expired"), (revoked, "revoked"), ("ata_" + new string('x', 43), "unknown"), ("not-ours", "not a TerritoryAtlas") })
        {
            foreach (var url in new[] { "/api/indicators", "/api/account" })
            {
                var problem = await AssertProblemAsync(await http.SendAsync(WithBearer(HttpMethod.Get, url, token)), HttpStatusCode.Unauthorized);
                Assert.Contains(words, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            }
        }

        var valid = await TokenAsync(account.Id);
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(WithBearer(HttpMethod.Get, "/api/account", valid))).StatusCode);
        await connection.ExecuteAsync("update account set disabled = true where id = @id", new { id = account.Id });
        await AssertProblemAsync(await http.SendAsync(WithBearer(HttpMethod.Get, "/api/account", valid)), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Without_a_cookie_or_token_the_api_answers_401_problem_json_not_a_redirect()
    {
        using var http = atlas.App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        await AssertProblemAsync(await http.GetAsync("/api/account"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task By_default_only_members_open_workshops_and_a_refusal_writes_nothing()
    {
        await using var app = MembersOnly();
        using var http = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var title = $"Membres {Guid.NewGuid():N}";

        await AssertProblemAsync(await http.PostAsJsonAsync("/api/workshops", new { title }), HttpStatusCode.Unauthorized);
        await using var connection = await atlas.Db.OpenConnectionAsync();
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("select count(*) from workshop where title = @title", new { title }));

        var (account, _) = await CreateAccountAsync(AtlasRoles.Member);
        var created = await http.SendAsync(WithBearer(HttpMethod.Post, "/api/workshops", await TokenAsync(account.Id), new { title }));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("select count(*) from workshop where title = @title", new { title }));

        // The host's account page lists the workshop; another member's does not.
        var joinCode = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("joinCode").GetString()!;
        var accountPage = await (await http.SendAsync(WithBearer(HttpMethod.Get, "/compte", await TokenAsync(account.Id)))).Content.ReadAsStringAsync();
        Assert.Contains(title, accountPage, StringComparison.Ordinal);
        Assert.Contains($"/atelier/{joinCode}/projection", accountPage, StringComparison.Ordinal);
        var (other, _) = await CreateAccountAsync(AtlasRoles.Member);
        var otherPage = await (await http.SendAsync(WithBearer(HttpMethod.Get, "/compte", await TokenAsync(other.Id)))).Content.ReadAsStringAsync();
        Assert.Contains("data-testid=\"no-workshops\"", otherPage, StringComparison.Ordinal);
        Assert.DoesNotContain(title, otherPage, StringComparison.Ordinal);

        // The start page still lets anyone join with a code, and tells an anonymous visitor to sign in to open one.
        var page = await http.GetStringAsync("/atelier");
        Assert.Contains("data-testid=\"sign-in-to-open\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("data-testid=\"create-room\"", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_cli_creates_an_account_with_its_organisation_and_a_token_that_works()
    {
        var email = NewEmail();
        var organisation = $"Département test {Guid.NewGuid():N}";
        var output = new StringWriter();
        var error = new StringWriter();

        Assert.Equal(0, await AccountsCommand.RunAsync(atlas.App.Services, ["user", "add", email, "--role", "producer", "--organisation", organisation], output, error));
        var password = output.ToString().Split('\n').Single(l => l.StartsWith("one-time password: ", StringComparison.Ordinal))["one-time password: ".Length..].Trim();
        await using (var scope = atlas.App.Services.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<Account>>();
            var account = await users.FindByEmailAsync(email);
            Assert.NotNull(account);
            Assert.True(await users.CheckPasswordAsync(account, password));
            Assert.Equal([AtlasRoles.Producer], await users.GetRolesAsync(account));
        }

        // Same organisation name, other case: the existing organisation, not a second one.
        var second = NewEmail();
        Assert.Equal(0, await AccountsCommand.RunAsync(atlas.App.Services, ["user", "add", second, "--role", "member", "--organisation", organisation.ToUpperInvariant()], new StringWriter(), error));
        await using var connection = await atlas.Db.OpenConnectionAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("select count(distinct organisation_id) from account where email in (@email, @second)", new { email, second }));

        output = new StringWriter();
        Assert.Equal(0, await AccountsCommand.RunAsync(atlas.App.Services, ["token", "create", email, "--days", "7"], output, error));
        var token = output.ToString().Split('\n').Single(l => l.StartsWith(AccessTokens.Prefix, StringComparison.Ordinal)).Trim();
        using var http = atlas.App.CreateClient();
        var me = await (await http.SendAsync(WithBearer(HttpMethod.Get, "/api/account", token))).Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(email, me.GetProperty("email").GetString());
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>(
            "select count(*) from access_token where token_hash = @hash and expires_at between now() + interval '6 days 23 hours' and now() + interval '7 days'",
            new { hash = AccessTokens.Hash(token) }));

        // Bad input: a clear message, a non-zero exit, nothing written.
        error = new StringWriter();
        Assert.Equal(1, await AccountsCommand.RunAsync(atlas.App.Services, ["user", "add", NewEmail(), "--role", "boss"], new StringWriter(), error));
        Assert.Contains("Unknown role", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(1, await AccountsCommand.RunAsync(atlas.App.Services, ["user", "add", email, "--role", "member"], new StringWriter(), error));
        Assert.Equal(1, await AccountsCommand.RunAsync(atlas.App.Services, ["token", "create", email, "--days", "4000"], new StringWriter(), error));
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("select count(*) from access_token t join account a on a.id = t.account_id where a.email = @email", new { email }));
    }

    [Fact]
    public async Task Two_instances_share_the_data_protection_key_ring_in_postgresql()
    {
        await using var first = atlas.App.WithWebHostBuilder(_ => { });
        await using var second = atlas.App.WithWebHostBuilder(_ => { });
        var secret = $"cookie {Guid.NewGuid():N}";

        var protectedByFirst = first.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect(secret);

        Assert.Equal(secret, second.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(protectedByFirst));
        await using var connection = await atlas.Db.OpenConnectionAsync();
        Assert.True(await connection.ExecuteScalarAsync<long>("select count(*) from data_protection_key") > 0);
    }
}
