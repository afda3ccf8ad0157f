using System.Net;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TerritoryAtlas.Web.Accounts;

namespace TerritoryAtlas.IntegrationTests.Accounts;

[Collection(nameof(AtlasCollection))]
public sealed class SignInTests(AtlasFixture atlas)
{
    private async Task<(Account Account, string Password)> CreateAccountAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AccountService>()
            .CreateAsync($"s{Guid.NewGuid():N}@example.org", AtlasRoles.Member, null, CancellationToken.None);
    }

    private static Task<HttpResponseMessage> PostSignInAsync(HttpClient http, string email, string password) =>
        SignInForm.PostAsync(http, email, password);

    private static HttpClient Browser(WebApplicationFactory<Program> app) =>
        app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    [Fact]
    public async Task The_right_password_sets_an_http_only_lax_cookie_and_opens_the_account_page()
    {
        var (account, password) = await CreateAccountAsync(atlas.App.Services);
        using var http = Browser(atlas.App);

        var response = await PostSignInAsync(http, account.Email!, password);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("http://localhost/compte", new Uri(http.BaseAddress!, response.Headers.Location!).ToString());
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith(".TerritoryAtlas.Auth=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        var page = await http.GetStringAsync("/compte");
        Assert.Contains(account.Email!, page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_address_and_a_wrong_password_get_the_same_answer_and_five_failures_lock_the_account()
    {
        var (account, password) = await CreateAccountAsync(atlas.App.Services);
        using var http = Browser(atlas.App);

        var unknown = await (await PostSignInAsync(http, $"nobody{Guid.NewGuid():N}@example.org", "whatever password")).Content.ReadAsStringAsync();
        var wrong = await (await PostSignInAsync(http, account.Email!, "whatever password")).Content.ReadAsStringAsync();
        Assert.Contains("incorrect", unknown, StringComparison.Ordinal);
        Assert.Equal(ErrorOf(unknown), ErrorOf(wrong));

        for (var i = 0; i < 4; i++)
        {
            await PostSignInAsync(http, account.Email!, "whatever password");
        }

        // Locked: even the right password is refused, with the same words.
        var locked = await PostSignInAsync(http, account.Email!, password);
        Assert.Equal(HttpStatusCode.OK, locked.StatusCode);
        Assert.Equal(ErrorOf(unknown), ErrorOf(await locked.Content.ReadAsStringAsync()));
        await using var connection = await atlas.Db.OpenConnectionAsync();
        Assert.True(await connection.ExecuteScalarAsync<bool>("select lockout_end > now() from account where id = @id", new { id = account.Id }));
    }

    [Fact]
    public async Task A_disabled_account_cannot_sign_in()
    {
        var (account, password) = await CreateAccountAsync(atlas.App.Services);
        await using (var connection = await atlas.Db.OpenConnectionAsync())
        {
            await connection.ExecuteAsync("update account set disabled = true where id = @id", new { id = account.Id });
        }

        using var http = Browser(atlas.App);
        var response = await PostSignInAsync(http, account.Email!, password);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("incorrect", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sign_in_attempts_are_limited_per_account_before_any_password_check()
    {
        await using var app = atlas.App.WithWebHostBuilder(b => b.UseSetting("RateLimits:SignInsPerAccountPerMinute", "2"));
        var (account, password) = await CreateAccountAsync(app.Services);
        using var http = Browser(app);

        await PostSignInAsync(http, account.Email!, "wrong password one");
        await PostSignInAsync(http, account.Email!, "wrong password two");
        var refused = await PostSignInAsync(http, account.Email!, password);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.DoesNotContain(refused.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : [], c => c.StartsWith(".TerritoryAtlas.Auth=", StringComparison.Ordinal));
        await using var connection = await atlas.Db.OpenConnectionAsync();
        Assert.Equal(2, await connection.ExecuteScalarAsync<int>("select access_failed_count from account where id = @id", new { id = account.Id }));
    }

    [Fact]
    public async Task A_sign_in_form_posted_without_its_antiforgery_token_is_refused()
    {
        var (account, password) = await CreateAccountAsync(atlas.App.Services);
        using var http = Browser(atlas.App);

        var response = await http.PostAsync("/compte/connexion", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "sign-in",
            ["Input.Email"] = account.Email!,
            ["Input.Password"] = password,
        }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith(".TerritoryAtlas.Auth=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Revalidation_refuses_a_principal_whose_account_was_disabled_or_signed_out_everywhere()
    {
        var (created, _) = await CreateAccountAsync(atlas.App.Services);
        await using var scope = atlas.App.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Account>>();
        var options = scope.ServiceProvider.GetRequiredService<IOptions<IdentityOptions>>().Value;
        var account = (await users.FindByIdAsync(created.Id.ToString()))!;
        var principal = await scope.ServiceProvider.GetRequiredService<IUserClaimsPrincipalFactory<Account>>().CreateAsync(account);

        Assert.True(await RevalidatingAccountStateProvider.IsStillValidAsync(users, principal, options));
        await users.UpdateSecurityStampAsync(account);
        Assert.False(await RevalidatingAccountStateProvider.IsStillValidAsync(users, principal, options));

        var fresh = await scope.ServiceProvider.GetRequiredService<IUserClaimsPrincipalFactory<Account>>().CreateAsync(account);
        Assert.True(await RevalidatingAccountStateProvider.IsStillValidAsync(users, fresh, options));
        account.Disabled = true;
        await users.UpdateAsync(account);
        Assert.False(await RevalidatingAccountStateProvider.IsStillValidAsync(users, fresh, options));
    }

    [Fact]
    public async Task Only_local_return_urls_are_followed_after_signing_in()
    {
        Assert.Equal("/carte?x=1", SignInPage.SafeReturnUrl("/carte?x=1"));
        Assert.Equal("/compte", SignInPage.SafeReturnUrl("https://evil.example/"));
        Assert.Equal("/compte", SignInPage.SafeReturnUrl("//evil.example/"));
        Assert.Equal("/compte", SignInPage.SafeReturnUrl("/\\evil.example/"));
        Assert.Equal("/compte", SignInPage.SafeReturnUrl(null));
        await Task.CompletedTask;
    }

    private static string ErrorOf(string page) => Regex.Match(page, "data-testid=\"sign-in-error\">([^<]*)<").Groups[1].Value;
}
