using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TerritoryAtlas.Web.Accounts;

namespace TerritoryAtlas.BrowserTests;

/// <summary>
/// The atlas behind a reverse proxy on the same machine (loopback is trusted), over real Kestrel: the client's
/// address and scheme come from X-Forwarded-For and X-Forwarded-Proto, so many people behind one proxy do not share
/// one rate limit, and the links the atlas writes start with https when the proxy terminated TLS.
/// </summary>
[Collection(AtlasCollection.Name)]
public sealed class ReverseProxyTests(AtlasApp app)
{
    private HttpRequestMessage ThroughProxy(HttpMethod method, string path, string client, string proto = "http")
    {
        var request = new HttpRequestMessage(method, new Uri(app.BaseAddress, path));
        request.Headers.Add("X-Forwarded-For", client);
        request.Headers.Add("X-Forwarded-Proto", proto);
        return request;
    }

    [Fact]
    public async Task Two_people_behind_one_proxy_have_a_rate_limit_each()
    {
        // The exports' budget (60 a minute per address) spent by one person behind the proxy…
        const string export = "/api/export/region.csv";
        var limited = 0;
        var sent = 0;
        while (limited == 0 && sent < 200)
        {
            var batch = await Task.WhenAll(Enumerable.Range(0, 10).Select(async _ =>
                (await app.Http.SendAsync(ThroughProxy(HttpMethod.Get, export, "198.51.100.7"))).StatusCode));
            sent += batch.Length;
            limited += batch.Count(s => s == HttpStatusCode.TooManyRequests);
        }

        Assert.True(limited > 0, $"no 429 after {sent} requests");
        Assert.InRange(sent, 60, 70);
        // …leaves the next person behind the same proxy their own.
        Assert.Equal(HttpStatusCode.OK, (await app.Http.SendAsync(ThroughProxy(HttpMethod.Get, export, "198.51.100.8"))).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await app.Http.SendAsync(ThroughProxy(HttpMethod.Get, export, "198.51.100.7"))).StatusCode);
    }

    [Fact]
    public async Task Links_the_atlas_writes_start_with_https_when_the_proxy_terminated_tls()
    {
        var email = $"proxy{Guid.NewGuid():N}@example.org";
        await using var scope = app.Services.CreateAsyncScope();
        var (admin, _) = await scope.ServiceProvider.GetRequiredService<AccountService>().CreateAsync(email, AtlasRoles.Admin, (string?)null, CancellationToken.None);
        var token = (await app.Services.GetRequiredService<AccessTokens>().CreateAsync(admin.Id, "proxy", 1, CancellationToken.None)).Token;

        var request = ThroughProxy(HttpMethod.Post, "/api/admin/users", "203.0.113.5", "https");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Content = JsonContent.Create(new { email = $"invite{Guid.NewGuid():N}@example.org", role = "member" });
        var invited = await app.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, invited.StatusCode);
        var link = (await invited.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("link").GetString()!;
        Assert.StartsWith($"https://{app.BaseAddress.Authority}/compte/reinitialiser", link, StringComparison.Ordinal);
    }
}
