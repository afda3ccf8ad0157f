using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TerritoryAtlas.Web.Accounts;

namespace TerritoryAtlas.IntegrationTests;

/// <summary>An account made for one test, with its bearer token.</summary>
public sealed record TestAccount(string Token, string Email, int? OrganisationId);

/// <summary>
/// Accounts made through the app's own services, each with a bearer token valid one day, and the requests and uploads
/// that carry the token: what the tests of the HTTP API with accounts (datasets, uploads) share.
/// </summary>
public static class TestAccounts
{
    /// <summary>A new account (an address of its own) with <paramref name="role"/>, in <paramref name="organisation"/> (created if new).</summary>
    public static async Task<TestAccount> AccountAsync(this AtlasFixture atlas, string role, string? organisation = null)
    {
        var email = $"t{Guid.NewGuid():N}@example.org";
        await using var scope = atlas.App.Services.CreateAsyncScope();
        var (account, _) = await scope.ServiceProvider.GetRequiredService<AccountService>().CreateAsync(email, role, organisation, CancellationToken.None);
        var token = await atlas.App.Services.GetRequiredService<AccessTokens>().CreateAsync(account.Id, "test", 1, CancellationToken.None);
        return new TestAccount(token.Token, email, account.OrganisationId);
    }

    /// <summary>The bearer token of a new account (<see cref="AccountAsync"/>).</summary>
    public static async Task<string> TokenAsync(this AtlasFixture atlas, string role, string? organisation = null) =>
        (await atlas.AccountAsync(role, organisation)).Token;

    /// <summary>A client of the app that waits for a publication: it recomputes figures, minutes on a loaded 2-core machine.</summary>
    public static HttpClient PatientClient(this AtlasFixture atlas)
    {
        var http = atlas.App.CreateClient();
        http.Timeout = TimeSpan.FromMinutes(10);
        return http;
    }

    /// <summary>A request carrying <paramref name="token"/> (none: an anonymous one).</summary>
    public static HttpRequestMessage Request(HttpMethod method, string url, string? token, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, url) { Content = content };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return request;
    }

    /// <summary>POST /api/datasets's body: the file, and the metadata JSON when there is one.</summary>
    public static MultipartFormDataContent Upload(byte[] file, string fileName, string? metadata = null)
    {
        var content = new MultipartFormDataContent { { new ByteArrayContent(file), "file", fileName } };
        if (metadata is not null)
        {
            content.Add(new StringContent(metadata, Encoding.UTF8), "metadata");
        }

        return content;
    }

    /// <summary>POST /api/datasets's body, with <paramref name="metadata"/> serialised as JSON (none: no metadata).</summary>
    public static MultipartFormDataContent Upload(byte[] file, string fileName, object? metadata) =>
        Upload(file, fileName, metadata is null ? null : JsonSerializer.Serialize(metadata));
}
