using System.Net;
using System.Text.Json;
using TerritoryAtlas.Testing;

namespace TerritoryAtlas.IntegrationTests.Fuzz;

/// <summary>
/// Every GET operation of the committed openapi.json, one parameter at a time given malformed, boundary and hostile
/// values while the others stay plausible (so the value reaches the code behind the first check): never a 5xx, and
/// every 400, 404 or 422 explains itself as problem+json. A fixed seed here; bench/fuzz.sh runs more with a random one
/// (FUZZ_SEED, FUZZ_ROUNDS).
/// </summary>
[Collection(nameof(AtlasCollection))]
public sealed class OpenApiFuzzTests(AtlasFixture atlas)
{
    private static readonly string[] Hostile =
    [
        "", " ", "abc", "-1", "0", "2.5", "99999999999999999999", "1e308", "NaN", "' or 1=1--", "<script>alert(1)</script>",
        "%00", "../../etc/passwd", new string('a', 3000), "é☃😀", ",,,", "departement:", ":", "null", "[]", "{}",
        "\u202e\u0000", "-9223372036854775809", "departement:93,region:11",
    ];

    // Plausible values, so that a fuzzed parameter is the only wrong one.
    private static readonly Dictionary<string, string> Plausible = new()
    {
        ["level"] = "departement",
        ["indicator"] = "taux_pauvrete_60",
        ["year"] = "2019",
        ["code"] = "93",
        ["region"] = "11",
        ["z"] = "5",
        ["x"] = "16",
        ["y"] = "11",
        ["id"] = "1",
        ["roomId"] = "00000000-0000-0000-0000-000000000000",
    };

    [Fact]
    public async Task Hostile_values_in_every_documented_get_never_give_a_server_error()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("FUZZ_SEED"), out var s) ? s : 20261205;
        var rounds = int.TryParse(Environment.GetEnvironmentVariable("FUZZ_ROUNDS"), out var r) ? r : 1;
        var random = new Random(seed);
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(TestDatabase.RepositoryRoot, "openapi.json")));
        using var client = atlas.App.CreateClient();
        var failures = new List<string>();
        var requests = 0;
        var limited = 0;

        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
        {
            if (!path.Value.TryGetProperty("get", out var get) || path.Name is "/health" or "/embed")
            {
                continue; // /embed answers an HTML page by design (EmbedTests check its refusals)
            }

            var parameters = get.TryGetProperty("parameters", out var p)
                ? p.EnumerateArray().Select(x => (Name: x.GetProperty("name").GetString()!, In: x.GetProperty("in").GetString()!)).ToList()
                : [];
            foreach (var target in parameters)
            {
                for (var round = 0; round < rounds; round++)
                {
                    foreach (var value in Hostile.OrderBy(_ => random.Next()).Take(8))
                    {
                        if (target.In == "path" && value.Contains('\0', StringComparison.Ordinal))
                        {
                            continue; // a NUL in a path never reaches the app: Kestrel refuses the request line
                        }

                        var url = Url(path.Name, parameters, target.Name, value);
                        using var response = await client.GetAsync(url);
                        requests++;
                        var status = (int)response.StatusCode;
                        var type = response.Content.Headers.ContentType?.MediaType;
                        if (status == 429)
                        {
                            limited++;
                        }
                        else if (status >= 500)
                        {
                            failures.Add($"{status} {url}");
                        }
                        else if (status is 400 or 404 or 422 && type != "application/problem+json")
                        {
                            failures.Add($"{status} without problem+json ({type}) {url}");
                        }
                    }
                }
            }
        }

        Assert.True(requests > 200, $"only {requests} requests: is openapi.json read?");
        // A fuzz answered by the rate limiter tests nothing.
        Assert.True(limited < requests / 10, $"{limited} of {requests} requests were rate-limited");
        Assert.True(failures.Count == 0, $"{failures.Count} of {requests} requests failed (seed {seed}):\n{string.Join('\n', failures.Take(30))}");
    }

    [Theory]
    [InlineData("/api/export/departement.csv?within=departement%3A9%003")]
    [InlineData("/ogc/collections/departement/items?indicator=taux%00")]
    [InlineData("/api/territories?q=Saint%00Denis")]
    public async Task A_nul_character_in_a_query_is_refused_before_any_endpoint(string url)
    {
        using var client = atlas.App.CreateClient();
        using var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private static string Url(string template, List<(string Name, string In)> parameters, string target, string value)
    {
        string Value(string name) => name == target ? value : Plausible.GetValueOrDefault(name, "");
        var path = template;
        foreach (var (name, location) in parameters.Where(x => x.In == "path"))
        {
            // An empty path segment would be another route, not this operation with a bad value.
            var v = Value(name);
            path = path.Replace($"{{{name}}}", Uri.EscapeDataString(v.Length == 0 ? "_" : v), StringComparison.Ordinal);
        }

        var query = parameters.Where(x => x.In == "query" && (x.Name == target || Plausible.ContainsKey(x.Name)))
            .Select(x => $"{Uri.EscapeDataString(x.Name)}={Uri.EscapeDataString(Value(x.Name))}");
        return path + "?" + string.Join('&', query);
    }
}
