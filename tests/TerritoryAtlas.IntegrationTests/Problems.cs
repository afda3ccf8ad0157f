using System.Net.Http.Json;
using System.Text.Json;

namespace TerritoryAtlas.IntegrationTests;

/// <summary>Error answers as the API's contract has them: application/problem+json naming the parameter at fault.</summary>
public static class Problems
{
    /// <summary>GETs <paramref name="url"/>, checks the answer is a problem with <paramref name="status"/> naming <paramref name="parameter"/>, and returns it.</summary>
    public static async Task<JsonElement> ProblemNamingAsync(this AtlasFixture atlas, string url, int status, string parameter)
    {
        using var client = atlas.App.CreateClient();
        var response = await client.GetAsync(url);
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(parameter, problem.GetProperty("parameter").GetString());
        return problem;
    }
}
