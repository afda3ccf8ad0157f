using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using TerritoryAtlas.IntegrationTests.Workshops;
using TerritoryAtlas.Web.Workshops;

namespace TerritoryAtlas.IntegrationTests.Fuzz;

/// <summary>
/// Every method of the workshop hub, called by a host and by a participant of a live room with hostile arguments of
/// every JSON shape (wrong types included, as a hand-written client would send them): each call is answered, with a
/// result or a refusal in words, never SignalR's bare "An unexpected error occurred" (an exception the hub did not
/// turn into a sentence), and the connection stays up. FUZZ_SEED as for the other fuzzes.
/// </summary>
[Collection(nameof(AtlasCollection))]
public sealed class HubFuzzTests(AtlasFixture atlas)
{
    private static readonly JsonNode?[] Hostile =
    [
        null, "", "abc", new string('a', 5000), "' or 1=1--", "<script>x</script>", "é☃😀\u202e\u0000", "00000000-0000-0000-0000-000000000000",
        0, -1, long.MaxValue, long.MinValue, 1e308, -1e308, 0.5, true,
        new JsonArray(), new JsonArray(1, null), new JsonObject(),
        new JsonObject { ["kind"] = "polygon", ["geometry"] = new JsonObject { ["type"] = "Polygon", ["coordinates"] = new JsonArray(new JsonArray(new JsonArray(0, 0), new JsonArray(1e308, 1), new JsonArray(0, 0))) } },
        new JsonObject { ["kind"] = "point", ["geometry"] = "POINT(1 2)", ["note"] = new string('n', 5000), ["colour"] = "red", ["clientId"] = "nope" },
        new JsonObject { ["lon"] = double.MaxValue, ["lat"] = -1000, ["zoom"] = -5, ["level"] = "' or 1=1--", ["indicator"] = new string('i', 3000), ["year"] = -1 },
    ];

    [Fact]
    public async Task Hostile_arguments_to_every_hub_method_are_answered_never_with_an_unexpected_error()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("FUZZ_SEED"), out var s) ? s : 20261205;
        var random = new Random(seed);
        using var http = atlas.App.CreateClient();
        var room = await WorkshopClient.CreateWorkshopAsync(http, "Fuzz");
        await using var host = await WorkshopClient.ConnectAsync(atlas.App.Server);
        await host.EnterAsync(room.JoinCode, room.HostToken);
        await using var participant = await WorkshopClient.ConnectAsync(atlas.App.Server);
        await participant.JoinAsync(room.JoinCode, "Fuzz");

        var methods = typeof(WorkshopHub).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => !m.IsSpecialName && m.Name is not ("OnConnectedAsync" or "OnDisconnectedAsync" or "Dispose")).ToList();
        Assert.True(methods.Count >= 12, $"only {methods.Count} hub methods found");
        var failures = new List<string>();
        var calls = 0;
        foreach (var client in new[] { host, participant })
        {
            foreach (var method in methods)
            {
                var parameters = method.GetParameters();
                for (var target = 0; target < parameters.Length; target++)
                {
                    foreach (var value in Hostile.OrderBy(_ => random.Next()).Take(6))
                    {
                        // The others plausible: this room, an annotation id, a view, so the hostile one is the only wrong one.
                        var args = parameters.Select((p, i) => i == target ? value?.DeepClone() : Plausible(p, client.WorkshopId)).Cast<object?>().ToArray();
                        calls++;
                        try
                        {
                            await client.Connection.InvokeCoreAsync(method.Name, typeof(object), args);
                        }
                        // A refusal carries the hub's sentence after "HubException: " (SignalR prefixes it with its
                        // generic words); arguments of the wrong JSON type are SignalR's own "Failed to invoke 'X'" (binding).
                        // Anything else (no sentence) is an exception the hub let through.
                        catch (HubException e) when (e.Message.Contains("HubException: ", StringComparison.Ordinal)
                                                     || e.Message.StartsWith("Failed to invoke '", StringComparison.Ordinal))
                        {
                        }
                        catch (Exception e)
                        {
                            failures.Add($"{method.Name}({string.Join(", ", args.Select(a => a?.ToString() is { } t && t.Length > 30 ? t[..30] + "…" : a?.ToString() ?? "null"))}): {e.GetType().Name}: {e.Message}");
                        }

                        Assert.Equal(HubConnectionState.Connected, client.Connection.State);
                    }
                }
            }
        }

        Assert.True(calls >= 250, $"only {calls} calls");
        Assert.True(failures.Count == 0, $"{failures.Count} of {calls} calls failed (seed {seed}):\n{string.Join('\n', failures.Take(20))}");
    }

    private static JsonNode? Plausible(ParameterInfo parameter, Guid roomId) => parameter.ParameterType switch
    {
        var t when t == typeof(Guid) => roomId.ToString(),
        var t when t == typeof(long) => 1,
        var t when t == typeof(bool) => true,
        var t when t == typeof(string) => "Fuzz",
        var t when t == typeof(AnnotationInput) => new JsonObject { ["kind"] = "point", ["geometry"] = new JsonObject { ["type"] = "Point", ["coordinates"] = new JsonArray(2.35, 48.85) }, ["note"] = "" },
        var t when t == typeof(WorkshopView) => new JsonObject { ["lon"] = 2.35, ["lat"] = 48.85, ["zoom"] = 6, ["level"] = "departement", ["indicator"] = "taux_pauvrete_60", ["year"] = 2019 },
        _ => null,
    };
}
