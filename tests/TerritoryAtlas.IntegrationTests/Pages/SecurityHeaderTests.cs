using System.Net.Http.Json;
using System.Text.Json;
using TerritoryAtlas.Web;

namespace TerritoryAtlas.IntegrationTests.Pages;

[Collection(nameof(AtlasCollection))]
public sealed class SecurityHeaderTests(AtlasFixture atlas)
{
    [Theory]
    [InlineData("/")]
    [InlineData("/indicateurs")]
    [InlineData("/api/indicators")]
    [InlineData("/ogc/collections")]
    [InlineData("/nexistepas")]
    public async Task Every_response_refuses_sniffing_keeps_its_url_and_names_its_correlation_id(string path)
    {
        using var client = atlas.App.CreateClient();
        using var response = await client.GetAsync(path);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("strict-origin-when-cross-origin", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
        Assert.Contains("geolocation=()", Assert.Single(response.Headers.GetValues("Permissions-Policy")), StringComparison.Ordinal);
        Assert.Matches("^[0-9a-f]{32}$|^[A-Z0-9:]+$", Assert.Single(response.Headers.GetValues(SecurityHeaders.CorrelationHeader)));
    }

    [Fact]
    public async Task A_problem_carries_the_same_correlation_id_as_its_header()
    {
        using var client = atlas.App.CreateClient();
        using var response = await client.GetAsync("/api/maps/departement/no_such_indicator/2020");
        var id = Assert.Single(response.Headers.GetValues(SecurityHeaders.CorrelationHeader));
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(id, problem.GetProperty("traceId").GetString(), StringComparison.Ordinal);
    }
}
