using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using TerritoryAtlas.Web.Accounts;

namespace TerritoryAtlas.IntegrationTests.Accounts;

[Collection(nameof(AtlasCollection))]
public sealed partial class PasswordResetTests(AtlasFixture atlas)
{
    /// <summary>The pluggable sender, as a deployment would plug in SMTP: here it keeps the links.</summary>
    private sealed class CapturingSender : IEmailSender<Account>
    {
        public List<(string Email, string Link)> Links { get; } = [];

        public Task SendConfirmationLinkAsync(Account user, string email, string confirmationLink) => Task.CompletedTask;

        public Task SendPasswordResetCodeAsync(Account user, string email, string resetCode) => Task.CompletedTask;

        public Task SendPasswordResetLinkAsync(Account user, string email, string resetLink)
        {
            lock (Links) Links.Add((email, resetLink));
            return Task.CompletedTask;
        }
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    private static async Task<string> PostFormAsync(HttpClient http, string url, string handler, Dictionary<string, string> fields)
    {
        var form = await http.GetStringAsync(url);
        fields["_handler"] = handler;
        fields["__RequestVerificationToken"] = WebUtility.HtmlDecode(AntiforgeryField().Match(form).Groups[1].Value);
        var response = await http.PostAsync(url, new FormUrlEncodedContent(fields));
        return await response.Content.ReadAsStringAsync();
    }

    [Fact]
    public async Task A_reset_link_sets_a_new_password_once_and_an_unknown_address_gets_the_same_answer()
    {
        var sender = new CapturingSender();
        await using var app = atlas.App.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<IEmailSender<Account>>(sender)));
        string email;
        await using (var scope = app.Services.CreateAsyncScope())
        {
            email = (await scope.ServiceProvider.GetRequiredService<AccountService>()
                .CreateAsync($"r{Guid.NewGuid():N}@example.org", AtlasRoles.Member, null, CancellationToken.None)).Account.Email!;
        }

        using var http = app.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var known = await PostFormAsync(http, "/compte/mot-de-passe-oublie", "forgot-password", new() { ["Input.Email"] = email });
        var unknown = await PostFormAsync(http, "/compte/mot-de-passe-oublie", "forgot-password", new() { ["Input.Email"] = $"x{Guid.NewGuid():N}@example.org" });
        Assert.Contains("data-testid=\"reset-sent\"", known, StringComparison.Ordinal);
        Assert.Contains("data-testid=\"reset-sent\"", unknown, StringComparison.Ordinal);
        var (to, link) = Assert.Single(sender.Links);
        Assert.Equal(email, to);

        var resetUrl = new Uri(link).PathAndQuery;
        var query = System.Web.HttpUtility.ParseQueryString(new Uri(link).Query);
        var fields = new Dictionary<string, string> { ["Input.Email"] = query["email"]!, ["Input.Code"] = query["code"]!, ["Input.Password"] = "A brand new passw0rd" };
        Assert.Contains("data-testid=\"reset-done\"", await PostFormAsync(http, resetUrl, "reset-password", new(fields)), StringComparison.Ordinal);
        // Used once: the new password changed the security stamp, which voids the link.
        fields["Input.Password"] = "Another new passw0rd";
        Assert.Contains("data-testid=\"reset-error\"", await PostFormAsync(http, resetUrl, "reset-password", new(fields)), StringComparison.Ordinal);

        await using var check = app.Services.CreateAsyncScope();
        var users = check.ServiceProvider.GetRequiredService<UserManager<Account>>();
        var account = (await users.FindByEmailAsync(email))!;
        Assert.True(await users.CheckPasswordAsync(account, "A brand new passw0rd"));
        Assert.False(await users.CheckPasswordAsync(account, "Another new passw0rd"));
    }

    [Fact]
    public async Task A_forged_reset_code_changes_nothing()
    {
        await using var scope = atlas.App.Services.CreateAsyncScope();
        var (account, password) = await scope.ServiceProvider.GetRequiredService<AccountService>()
            .CreateAsync($"f{Guid.NewGuid():N}@example.org", AtlasRoles.Member, null, CancellationToken.None);
        using var http = atlas.App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var url = $"/compte/reinitialiser?email={Uri.EscapeDataString(account.Email!)}&code=Zm9yZ2Vk";

        var page = await PostFormAsync(http, url, "reset-password", new() { ["Input.Email"] = account.Email!, ["Input.Code"] = "Zm9yZ2Vk", ["Input.Password"] = "a forged passw0rd!" });

        Assert.Contains("data-testid=\"reset-error\"", page, StringComparison.Ordinal);
        var users = scope.ServiceProvider.GetRequiredService<UserManager<Account>>();
        Assert.True(await users.CheckPasswordAsync((await users.FindByIdAsync(account.Id.ToString()))!, password));
    }

    [Fact]
    public async Task An_admin_prints_a_reset_link_with_the_command_line_and_it_sets_the_password()
    {
        string email;
        await using (var scope = atlas.App.Services.CreateAsyncScope())
        {
            email = (await scope.ServiceProvider.GetRequiredService<AccountService>()
                .CreateAsync($"l{Guid.NewGuid():N}@example.org", AtlasRoles.Member, null, CancellationToken.None)).Account.Email!;
        }

        var output = new StringWriter();
        var error = new StringWriter();
        Assert.Equal(2, await AccountsCommand.RunAsync(atlas.App.Services, ["user", "reset-link", email], output, error));
        Assert.Contains("--base-url", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(1, await AccountsCommand.RunAsync(atlas.App.Services, ["user", "reset-link", "nobody@example.org", "--base-url", "https://atlas.example.org"], output, error));
        Assert.Equal(0, await AccountsCommand.RunAsync(atlas.App.Services, ["user", "reset-link", email, "--base-url", "https://atlas.example.org"], output, error));
        var link = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Last();
        Assert.StartsWith("https://atlas.example.org/compte/reinitialiser?email=", link, StringComparison.Ordinal);

        using var http = atlas.App.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var query = System.Web.HttpUtility.ParseQueryString(new Uri(link).Query);
        var page = await PostFormAsync(http, new Uri(link).PathAndQuery, "reset-password",
            new() { ["Input.Email"] = query["email"]!, ["Input.Code"] = query["code"]!, ["Input.Password"] = "Handed over passw0rd" });
        Assert.Contains("data-testid=\"reset-done\"", page, StringComparison.Ordinal);
    }
}
