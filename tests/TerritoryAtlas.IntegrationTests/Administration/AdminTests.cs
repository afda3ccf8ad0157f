using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TerritoryAtlas.Web.Accounts;

namespace TerritoryAtlas.IntegrationTests.Administration;

/// <summary>
/// The administration API on the real database, as a script holding an admin's token calls it: each change is made,
/// refused with a sentence when it breaks a rule (and then changes nothing), and leaves one audit line with the state
/// before and after.
/// </summary>
[Collection(nameof(AtlasCollection))]
public sealed class AdminTests(AtlasFixture atlas)
{
    private const string Shared = "indice_gini";

    private async Task<(Guid Id, string Email, string Token)> AccountAsync(string role, string? organisation = null)
    {
        var email = $"adm{Guid.NewGuid():N}@example.org";
        await using var scope = atlas.App.Services.CreateAsyncScope();
        var (account, _) = await scope.ServiceProvider.GetRequiredService<AccountService>().CreateAsync(email, role, organisation, CancellationToken.None);
        var token = (await atlas.App.Services.GetRequiredService<AccessTokens>().CreateAsync(account.Id, "test", 1, CancellationToken.None)).Token;
        return (account.Id, email, token);
    }

    private HttpClient Client(string? token)
    {
        var client = atlas.App.CreateClient();
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    private async Task<long> AuditCountAsync()
    {
        await using var connection = await atlas.Db.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>("select count(*) from audit_event");
    }

    private static async Task<JsonElement> LastAuditAsync(HttpClient admin, string action)
    {
        var events = await admin.GetFromJsonAsync<JsonElement>($"/api/admin/audit?action={action}&limit=1");
        return events[0];
    }

    [Theory]
    [InlineData("GET", "/api/admin/users")]
    [InlineData("GET", "/api/admin/indicators")]
    [InlineData("GET", "/api/admin/audit?format=csv")]
    [InlineData("POST", "/api/admin/organisations")]
    [InlineData("PUT", "/api/admin/indicators/indice_gini/visibility")]
    public async Task Only_admins_reach_the_administration(string method, string path)
    {
        var member = await AccountAsync(AtlasRoles.Member, "CAF test admin");
        var producer = await AccountAsync(AtlasRoles.Producer, "CAF test admin");
        HttpRequestMessage Request() => new(new HttpMethod(method), path)
        {
            Content = method == "GET" ? null : JsonContent.Create(new { name = "Intrus", visibility = "public" }),
        };

        using (var anonymous = Client(null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.SendAsync(Request())).StatusCode);
        }

        foreach (var token in new[] { member.Token, producer.Token })
        {
            using var client = Client(token);
            var response = await client.SendAsync(Request());
            Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task The_administration_page_sends_visitors_to_sign_in_refuses_members_and_opens_for_admins()
    {
        var member = await AccountAsync(AtlasRoles.Member);
        var admin = await AccountAsync(AtlasRoles.Admin);
        using var anonymous = atlas.App.CreateClient(new() { AllowAutoRedirect = false });
        var signIn = await anonymous.GetAsync("/admin");
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.StartsWith("/compte/connexion", signIn.Headers.Location?.PathAndQuery, StringComparison.Ordinal);

        using var asMember = atlas.App.CreateClient(new() { AllowAutoRedirect = false });
        asMember.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", member.Token);
        // A token is a program's: it gets the status, not a page to read.
        Assert.Equal(HttpStatusCode.Forbidden, (await asMember.GetAsync("/admin")).StatusCode);

        using var asAdmin = Client(admin.Token);
        var page = await asAdmin.GetStringAsync("/admin");
        Assert.Contains("Inviter une personne", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_admin_creates_an_organisation_invites_a_member_changes_the_role_and_disables_the_account_each_step_audited()
    {
        var admin = await AccountAsync(AtlasRoles.Admin);
        using var client = Client(admin.Token);
        var name = $"CPAM {Guid.NewGuid():N}"[..13];

        var created = await client.PostAsJsonAsync("/api/admin/organisations", new { name });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var organisationId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt32();
        var audit = await LastAuditAsync(client, "organisation.create");
        Assert.Equal(admin.Email, audit.GetProperty("actor").GetString());
        Assert.Equal(name, audit.GetProperty("target").GetString());

        var email = $"invite{Guid.NewGuid():N}@example.org";
        var invited = await client.PostAsJsonAsync("/api/admin/users", new { email, role = "member", organisationId });
        Assert.Equal(HttpStatusCode.Created, invited.StatusCode);
        var invitation = await invited.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("/compte/reinitialiser?email=", invitation.GetProperty("link").GetString(), StringComparison.Ordinal);
        var accountId = invitation.GetProperty("accountId").GetGuid();
        audit = await LastAuditAsync(client, "user.invite");
        Assert.Equal(email, audit.GetProperty("target").GetString());
        Assert.Contains(name, audit.GetProperty("after").GetString(), StringComparison.Ordinal);

        // The new account reads through its own token as a member of the organisation.
        var memberToken = (await atlas.App.Services.GetRequiredService<AccessTokens>().CreateAsync(accountId, "t", 1, CancellationToken.None)).Token;
        using var member = Client(memberToken);
        var me = await member.GetFromJsonAsync<JsonElement>("/api/account");
        Assert.Equal([organisationId], me.GetProperty("organisations").EnumerateArray().Select(o => o.GetInt32()));

        Assert.Equal(HttpStatusCode.NoContent, (await client.PatchAsJsonAsync($"/api/admin/users/{accountId}", new { role = "producer" })).StatusCode);
        audit = await LastAuditAsync(client, "user.role");
        Assert.Contains("\"roles\": \"member\"", audit.GetProperty("before").GetString(), StringComparison.Ordinal);
        Assert.Contains("\"roles\": \"producer\"", audit.GetProperty("after").GetString(), StringComparison.Ordinal);
        me = await member.GetFromJsonAsync<JsonElement>("/api/account");
        Assert.Equal(["producer"], me.GetProperty("roles").EnumerateArray().Select(r => r.GetString()));

        // An organisation with members cannot go: a sentence, and nothing changes (not even the log).
        var before = await AuditCountAsync();
        var refused = await client.DeleteAsync($"/api/admin/organisations/{organisationId}");
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("member account", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await AuditCountAsync());

        Assert.Equal(HttpStatusCode.NoContent, (await client.PatchAsJsonAsync($"/api/admin/users/{accountId}", new { disabled = true })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await member.GetAsync("/api/account")).StatusCode);
        audit = await LastAuditAsync(client, "user.disable");
        Assert.Contains("\"disabled\": true", audit.GetProperty("after").GetString(), StringComparison.Ordinal);

        var users = await client.GetFromJsonAsync<JsonElement>("/api/admin/users");
        var row = users.EnumerateArray().Single(u => u.GetProperty("email").GetString() == email);
        Assert.True(row.GetProperty("disabled").GetBoolean());
        Assert.Equal(name, row.GetProperty("organisationName").GetString());
    }

    [Fact]
    public async Task Bad_changes_are_refused_with_a_sentence_and_leave_no_trace()
    {
        var admin = await AccountAsync(AtlasRoles.Admin);
        var other = await AccountAsync(AtlasRoles.Member);
        using var client = Client(admin.Token);
        var before = await AuditCountAsync();

        var cases = new (HttpResponseMessage Response, string Detail)[]
        {
            (await client.PostAsJsonAsync("/api/admin/organisations", new { name = "   " }), "1 to 200 characters"),
            (await client.PostAsJsonAsync("/api/admin/users", new { email = "not an address", role = "member" }), "not an e-mail address"),
            (await client.PostAsJsonAsync("/api/admin/users", new { email = other.Email, role = "member" }), "already exists"),
            (await client.PostAsJsonAsync("/api/admin/users", new { email = $"x{Guid.NewGuid():N}@example.org", role = "king" }), "Unknown role"),
            (await client.PostAsJsonAsync("/api/admin/users", new { email = $"x{Guid.NewGuid():N}@example.org", role = "member", organisationId = -5 }), "no organisation"),
            (await client.PatchAsJsonAsync($"/api/admin/users/{admin.Id}", new { disabled = true }), "your own account"),
            (await client.PatchAsJsonAsync($"/api/admin/users/{Guid.NewGuid()}", new { role = "member" }), "no such account"),
            (await client.PutAsJsonAsync($"/api/admin/indicators/{Shared}/visibility", new { visibility = "organisations", organisations = Array.Empty<int>() }), "at least one organisation"),
            (await client.PutAsJsonAsync($"/api/admin/indicators/{Shared}/visibility", new { visibility = "secret" }), "unknown visibility"),
        };

        foreach (var (response, detail) in cases)
        {
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains(detail, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await client.PutAsJsonAsync("/api/admin/indicators/no_such/visibility", new { visibility = "public" })).StatusCode);
        Assert.Equal(before, await AuditCountAsync());
    }

    [Fact]
    public async Task Sharing_an_indicator_with_one_organisation_shows_it_to_its_members_only_and_the_log_says_who_did_it()
    {
        var admin = await AccountAsync(AtlasRoles.Admin);
        var organisation = $"Département {Guid.NewGuid():N}"[..20];
        var inside = await AccountAsync(AtlasRoles.Member, organisation);
        var outside = await AccountAsync(AtlasRoles.Member, "Autre organisation admin");
        using var client = Client(admin.Token);
        var organisationId = (await client.GetFromJsonAsync<JsonElement>("/api/admin/organisations"))
            .EnumerateArray().Single(o => o.GetProperty("name").GetString() == organisation).GetProperty("id").GetInt32();
        try
        {
            var shared = await client.PutAsJsonAsync($"/api/admin/indicators/{Shared}/visibility", new { visibility = "organisations", organisations = new[] { organisationId } });
            Assert.Equal(HttpStatusCode.NoContent, shared.StatusCode);

            async Task<bool> ListsAsync(string? token)
            {
                using var reader = Client(token);
                var catalogue = await reader.GetStringAsync("/api/indicators");
                return catalogue.Contains($"\"{Shared}\"", StringComparison.Ordinal);
            }

            Assert.True(await ListsAsync(inside.Token));
            Assert.False(await ListsAsync(outside.Token));
            Assert.False(await ListsAsync(null));

            // The admins' list (and their page's table) says it, with the indicator's labels.
            var listed = (await client.GetFromJsonAsync<JsonElement>("/api/admin/indicators")).EnumerateArray()
                .Single(i => i.GetProperty("code").GetString() == Shared);
            Assert.Equal("organisations", listed.GetProperty("visibility").GetString());
            Assert.Equal([organisationId], listed.GetProperty("organisations").EnumerateArray().Select(o => o.GetInt32()));
            Assert.Equal("Indice de Gini du niveau de vie", listed.GetProperty("label").GetString());
            Assert.Equal("Gini index of standard of living", listed.GetProperty("labelEn").GetString());

            var audit = await LastAuditAsync(client, "indicator");
            Assert.Equal(Shared, audit.GetProperty("target").GetString());
            Assert.Equal(admin.Email, audit.GetProperty("actor").GetString());
            Assert.Contains("\"visibility\": \"public\"", audit.GetProperty("before").GetString(), StringComparison.Ordinal);
            Assert.Contains($"[{organisationId}]", audit.GetProperty("after").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            await client.PutAsJsonAsync($"/api/admin/indicators/{Shared}/visibility", new { visibility = "public" });
        }
    }

    [Fact]
    public async Task The_log_exports_as_csv_a_spreadsheet_opens_without_running_formulas_and_cannot_be_rewritten()
    {
        var admin = await AccountAsync(AtlasRoles.Admin);
        using var client = Client(admin.Token);
        var mark = Guid.NewGuid().ToString("N");
        var name = $"=HYPERLINK(\"http://x\";\"{mark}\")";
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync("/api/admin/organisations", new { name })).StatusCode);

        var response = await client.GetAsync("/api/admin/audit?format=csv&action=organisation");
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("attachment", response.Content.Headers.ContentDisposition?.ToString() ?? response.Headers.ToString(), StringComparison.Ordinal);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        var lines = System.Text.Encoding.UTF8.GetString(bytes[3..]).Split("\r\n");
        Assert.Equal("id,at_utc,actor,action,target,before,after", lines[0]);
        var line = lines.First(l => l.Contains(mark, StringComparison.Ordinal) && l.Contains("organisation.create", StringComparison.Ordinal));
        Assert.Contains($",\"'=HYPERLINK(", line, StringComparison.Ordinal);
        Assert.DoesNotContain(",=", line, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/admin/audit?since=yesterday")).StatusCode);

        await using var connection = await atlas.Db.OpenConnectionAsync();
        var error = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync("delete from audit_event"));
        Assert.Contains("append-only", error.MessageText, StringComparison.Ordinal);
    }
}
