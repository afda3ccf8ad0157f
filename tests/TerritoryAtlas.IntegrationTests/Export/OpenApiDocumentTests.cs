using System.Text.Json;
using System.Text.Json.Nodes;

namespace TerritoryAtlas.IntegrationTests.Export;

[Collection(nameof(AtlasCollection))]
public sealed class OpenApiDocumentTests(AtlasFixture atlas)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The committed openapi.json is the contract partners script against; BLESS=1 rewrites it.</summary>
    [Fact]
    public async Task The_served_openapi_document_equals_the_committed_one()
    {
        using var client = atlas.App.CreateClient();
        var served = JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json"))!.AsObject();
        // The server URL is the host the request came to, not part of the contract.
        served.Remove("servers");
        var text = served.ToJsonString(Indented).ReplaceLineEndings("\n") + "\n";

        var path = Path.Combine(AtlasFixture.RepositoryRoot, "openapi.json");
        if (Environment.GetEnvironmentVariable("BLESS") == "1")
        {
            await File.WriteAllTextAsync(path, text);
        }

        Assert.True(File.Exists(path), "openapi.json is missing at the repository root: run this test with BLESS=1");
        var committed = (await File.ReadAllTextAsync(path)).ReplaceLineEndings("\n");
        Assert.True(committed == text,
            "The served OpenAPI document differs from the committed openapi.json: review the API change, then run this test with BLESS=1");
        Assert.Contains("/api/export/{level}.geojson", text, StringComparison.Ordinal);
        Assert.Contains("/ogc/collections/{level}/items", text, StringComparison.Ordinal);
    }
}
