using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TerritoryAtlas.Web.Accounts;

namespace TerritoryAtlas.IntegrationTests.Accounts;

/// <summary>
/// Anonymous readers do not pay for accounts (issue #13): a request with neither cookie nor Authorization header is
/// never authenticated. Counted at the scheme provider every authentication run asks first, so the test fails
/// whether the atlas's own pipeline or one ASP.NET Core inserts by itself runs it.
/// </summary>
[Collection(nameof(AtlasCollection))]
public sealed class AnonymousCostTests(AtlasFixture atlas)
{
    private sealed class CountingSchemes(IOptions<AuthenticationOptions> options) : AuthenticationSchemeProvider(options)
    {
        public int Asked;

        public override Task<IEnumerable<AuthenticationScheme>> GetRequestHandlerSchemesAsync()
        {
            Interlocked.Increment(ref Asked);
            return base.GetRequestHandlerSchemesAsync();
        }
    }

    [Fact]
    public async Task Public_tiles_and_map_values_are_served_without_authenticating_and_a_bearer_request_still_is()
    {
        await using var app = atlas.App.WithWebHostBuilder(b => b.ConfigureTestServices(s =>
        {
            s.AddSingleton<CountingSchemes>();
            s.AddSingleton<IAuthenticationSchemeProvider>(p => p.GetRequiredService<CountingSchemes>());
        }));
        var schemes = app.Services.GetRequiredService<CountingSchemes>();
        using var http = app.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });

        foreach (var url in new[] { "/api/maps/departement/mediane_niveau_vie/2019", "/tiles/departement/5/16/11.mvt", "/api/indicators" })
        {
            var response = await http.GetAsync(url);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {response.StatusCode}");
        }

        Assert.Equal(0, schemes.Asked);

        // The same provider is the one authentication uses: a request carrying a token is authenticated (and refused).
        using var bearer = new HttpRequestMessage(HttpMethod.Get, "/api/indicators");
        bearer.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "ata_not_a_token");
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(bearer)).StatusCode);
        Assert.True(schemes.Asked > 0);
    }
}
