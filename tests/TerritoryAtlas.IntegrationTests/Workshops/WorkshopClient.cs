using System.Net.Http.Json;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using TerritoryAtlas.Web.Workshops;

namespace TerritoryAtlas.IntegrationTests.Workshops;

/// <summary>A SignalR .NET client of the workshop hub that records what it receives, for tests.</summary>
public sealed class WorkshopClient : IAsyncDisposable
{
    private readonly Channel<WorkshopEvent> _events = Channel.CreateUnbounded<WorkshopEvent>();

    private WorkshopClient(HubConnection connection)
    {
        Connection = connection;
        connection.On<WorkshopEvent>("Event", e => _events.Writer.TryWrite(e));
        connection.On<IReadOnlyList<PresentParticipant>>("Presence", p => Present = p);
        connection.On<WorkshopView>("ViewChanged", v => LastView = v);
        connection.On<Guid>("Removed", _ => Removed = true);
    }

    public HubConnection Connection { get; }
    public Session Session { get; private set; } = null!;
    public IReadOnlyList<PresentParticipant> Present { get; private set; } = [];
    public WorkshopView? LastView { get; private set; }
    public bool Removed { get; private set; }
    public Guid WorkshopId => Session.WorkshopId;

    /// <summary>A client of the in-process test server (long polling through the TestServer's handler).</summary>
    public static async Task<WorkshopClient> ConnectAsync(TestServer server, string? lang = null)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(server.BaseAddress, lang is null ? "/hubs/workshop" : $"/hubs/workshop?lang={lang}"), o =>
            {
                o.HttpMessageHandlerFactory = _ => server.CreateHandler();
                o.Transports = HttpTransportType.LongPolling;
            })
            .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new NetTopologySuite.IO.Converters.GeoJsonConverterFactory()))
            .Build();
        await connection.StartAsync();
        return new WorkshopClient(connection);
    }

    /// <summary>A client of a real server (Kestrel on loopback), over WebSockets, reconnecting on its own.</summary>
    public static async Task<WorkshopClient> ConnectAsync(Uri baseAddress, bool reconnect = false)
    {
        var builder = new HubConnectionBuilder()
            .WithUrl(new Uri(baseAddress, "/hubs/workshop"), o => o.Transports = HttpTransportType.WebSockets)
            .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new NetTopologySuite.IO.Converters.GeoJsonConverterFactory()));
        if (reconnect)
        {
            builder.WithAutomaticReconnect(new EveryHalfSecond());
        }

        var connection = builder.Build();
        await connection.StartAsync();
        return new WorkshopClient(connection);
    }

    public async Task<Session> JoinAsync(string code, string name) => Session = await Connection.InvokeAsync<Session>("Join", code, name);

    public async Task<Session> EnterAsync(string code, string token) => Session = await Connection.InvokeAsync<Session>("Enter", code, token);

    public async Task<Session> WatchAsync(string code) => Session = await Connection.InvokeAsync<Session>("Watch", code);

    public Task<WorkshopEvent> AddAsync(string kind, string geometry, string note = "", string? colour = null) =>
        Connection.InvokeAsync<WorkshopEvent>("AddAnnotation", WorkshopId, Input(kind, geometry, note, colour));

    public Task<WorkshopEvent> EditAsync(long id, string kind, string geometry, string note = "") =>
        Connection.InvokeAsync<WorkshopEvent>("EditAnnotation", WorkshopId, id, Input(kind, geometry, note, null));

    public Task<WorkshopEvent> DeleteAsync(long id) => Connection.InvokeAsync<WorkshopEvent>("DeleteAnnotation", WorkshopId, id);

    public Task<IReadOnlyList<WorkshopEvent>> SyncSinceAsync(long lastSeq) =>
        Connection.InvokeAsync<IReadOnlyList<WorkshopEvent>>("SyncSince", WorkshopId, lastSeq);

    public static AnnotationInput Input(string kind, string geometry, string note = "", string? colour = null) =>
        new(kind, JsonDocument.Parse(geometry).RootElement.Clone(), note, colour);

    /// <summary>The next event broadcast to this client, or a failure after the timeout.</summary>
    public async Task<WorkshopEvent> NextEventAsync(int timeoutMs = 10_000)
    {
        using var timeout = new CancellationTokenSource(timeoutMs);
        return await _events.Reader.ReadAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();

    public static async Task<CreatedWorkshop> CreateWorkshopAsync(HttpClient http, string title = "Atelier de test")
    {
        var response = await http.PostAsJsonAsync("/api/workshops", new { title });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<CreatedWorkshop>())!;
    }

    private sealed class EveryHalfSecond : IRetryPolicy
    {
        public TimeSpan? NextRetryDelay(RetryContext retryContext) => TimeSpan.FromMilliseconds(500);
    }
}

/// <summary>Geometries used by the tests, as GeoJSON.</summary>
public static class Drawings
{
    public const string Lyon = """{"type":"Point","coordinates":[4.8357,45.764]}""";
    public const string Marseille = """{"type":"Point","coordinates":[5.3698,43.2965]}""";
    public const string London = """{"type":"Point","coordinates":[-0.1276,51.5072]}""";
    public const string ParisToLyon = """{"type":"LineString","coordinates":[[2.3522,48.8566],[4.8357,45.764]]}""";
    public const string AroundParis = """{"type":"Polygon","coordinates":[[[2.25,48.8],[2.45,48.8],[2.45,48.9],[2.25,48.9],[2.25,48.8]]]}""";
    public const string Bowtie = """{"type":"Polygon","coordinates":[[[2.25,48.8],[2.45,48.9],[2.45,48.8],[2.25,48.9],[2.25,48.8]]]}""";
    public const string MultiPoint = """{"type":"MultiPoint","coordinates":[[2.35,48.85],[4.83,45.76]]}""";

    public static string LongLine(int vertices) =>
        JsonSerializer.Serialize(new
        {
            type = "LineString",
            coordinates = Enumerable.Range(0, vertices).Select(i => new[] { 2.0 + (i * 0.0001), 47.0 + (i % 2 * 0.0001) }).ToArray(),
        });
}
