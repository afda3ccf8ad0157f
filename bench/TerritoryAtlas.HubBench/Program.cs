using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

// Load rig for the workshop hub, on loopback. It starts the app itself (so it knows its process for memory
// figures), with the bare re-broadcasting hub mapped (Bench:BareHub=true), then measures with one client rig:
//   1. broadcast latency to N clients, workshop hub (validated + committed to PostGIS) vs bare hub, p50/p99;
//   2. sustained annotations per second accepted with N clients, each writing at its rate limit;
//   3. server memory per connected participant (RSS delta / N).
// Usage: dotnet run -c Release --project bench/TerritoryAtlas.HubBench -- --db "<npgsql connection string>"
//        [--app src/TerritoryAtlas.Web/bin/Release/net10.0/TerritoryAtlas.Web.dll] [--clients 200] [--messages 100]
var options = Options.Parse(args);
var port = FreePort();
var baseUrl = new Uri($"http://127.0.0.1:{port}/");
using var app = await StartAppAsync(options, baseUrl);
try
{
    Console.WriteLine($"app pid {app.Id} on {baseUrl}, {options.Clients} clients, {options.Messages} messages, {Environment.ProcessorCount} cores");
    using var http = new HttpClient { BaseAddress = baseUrl };

    var bare = await BareLatencyAsync(baseUrl, options);
    Report("bare hub", bare);
    var workshop = await WorkshopLatencyAsync(http, baseUrl, options);
    Report("workshop hub", workshop);
    Console.WriteLine($"p99 ratio workshop/bare: {Percentile(workshop, 0.99) / Percentile(bare, 0.99):0.00}");

    await ThroughputAsync(http, baseUrl, options);
    await MemoryAsync(http, baseUrl, options, app);
}
finally
{
    app.Kill(entireProcessTree: true);
    await app.WaitForExitAsync();
}

return 0;

static async Task<List<double>> BareLatencyAsync(Uri baseUrl, Options options)
{
    var samples = new List<double>();
    var clients = await ConnectManyAsync(new Uri(baseUrl, "/hubs/bare"), options.Clients + 1);
    try
    {
        foreach (var c in clients)
        {
            c.On<string, long>("Message", (_, stamp) => Record(samples, stamp));
            await c.InvokeAsync("Enter", "bench");
        }

        // ~400 bytes, the size of a workshop event with a point and a short note.
        var message = new string('x', 400);
        await WarmUpAsync(samples, options, i => clients[0].InvokeAsync<long>("Broadcast", "bench", message, Stopwatch.GetTimestamp()));
        await SendPacedAsync(options, _ => clients[0].InvokeAsync<long>("Broadcast", "bench", message, Stopwatch.GetTimestamp()));
        await WaitForAsync(() => samples.Count >= options.Messages * options.Clients);
    }
    finally
    {
        await DisposeAllAsync(clients);
    }

    return samples;
}

static async Task<List<double>> WorkshopLatencyAsync(HttpClient http, Uri baseUrl, Options options)
{
    var samples = new List<double>();
    var code = await CreateWorkshopAsync(http, "bench latency");
    var clients = await ConnectManyAsync(new Uri(baseUrl, "/hubs/workshop"), options.Clients + 1);
    try
    {
        var sessions = new List<JsonElement>();
        for (var i = 0; i < clients.Count; i++)
        {
            clients[i].On<JsonElement>("Event", e =>
            {
                var note = e.GetProperty("annotation").GetProperty("note").GetString()!;
                Record(samples, long.Parse(note, CultureInfo.InvariantCulture));
            });
            sessions.Add(await clients[i].InvokeAsync<JsonElement>("Join", code, $"p{i}"));
        }

        var roomId = sessions[0].GetProperty("roomId").GetGuid();
        await WarmUpAsync(samples, options, i => clients[0].InvokeAsync<JsonElement>("AddAnnotation", roomId, Annotation(i, Stopwatch.GetTimestamp().ToString(CultureInfo.InvariantCulture))));
        await SendPacedAsync(options, i => clients[0].InvokeAsync<JsonElement>("AddAnnotation", roomId, Annotation(i, Stopwatch.GetTimestamp().ToString(CultureInfo.InvariantCulture))));
        await WaitForAsync(() => samples.Count >= options.Messages * options.Clients);
    }
    finally
    {
        await DisposeAllAsync(clients);
    }

    return samples;
}

static async Task ThroughputAsync(HttpClient http, Uri baseUrl, Options options)
{
    var code = await CreateWorkshopAsync(http, "bench throughput");
    var clients = await ConnectManyAsync(new Uri(baseUrl, "/hubs/workshop"), options.Clients);
    long delivered = 0, accepted = 0, refused = 0;
    try
    {
        var roomId = Guid.Empty;
        for (var i = 0; i < clients.Count; i++)
        {
            clients[i].On<JsonElement>("Event", _ => Interlocked.Increment(ref delivered));
            roomId = (await clients[i].InvokeAsync<JsonElement>("Join", code, $"w{i}")).GetProperty("roomId").GetGuid();
        }

        // Every client writes as fast as its rate limit allows (10 a second): 200 clients offer up to 2,000 a second.
        var duration = TimeSpan.FromSeconds(10);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(clients.Select(async (c, index) =>
        {
            var n = 0;
            while (clock.Elapsed < duration)
            {
                var started = clock.Elapsed;
                try
                {
                    await c.InvokeAsync<JsonElement>("AddAnnotation", roomId, Annotation(index + n++, "débit"));
                    Interlocked.Increment(ref accepted);
                }
                catch (HubException)
                {
                    Interlocked.Increment(ref refused);
                }

                var wait = TimeSpan.FromMilliseconds(100) - (clock.Elapsed - started);
                if (wait > TimeSpan.Zero) await Task.Delay(wait);
            }
        }));
        var seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"throughput: {accepted / seconds:0} annotations/s accepted (committed + acknowledged) with {options.Clients} clients writing, " +
                          $"{refused} refused, {delivered / seconds:0} events/s delivered to clients");
    }
    finally
    {
        await DisposeAllAsync(clients);
    }
}

static async Task MemoryAsync(HttpClient http, Uri baseUrl, Options options, Process app)
{
    var code = await CreateWorkshopAsync(http, "bench memory");
    var warm = await ConnectManyAsync(new Uri(baseUrl, "/hubs/workshop"), 1);
    await warm[0].InvokeAsync<JsonElement>("Join", code, "warm");
    await Task.Delay(2000);
    var before = Rss(app);
    var clients = await ConnectManyAsync(new Uri(baseUrl, "/hubs/workshop"), options.Clients);
    foreach (var (c, i) in clients.Select((c, i) => (c, i))) await c.InvokeAsync<JsonElement>("Join", code, $"m{i}");
    await Task.Delay(3000);
    var after = Rss(app);
    Console.WriteLine($"memory: server RSS {before / 1048576.0:0.0} MB with 1 participant, {after / 1048576.0:0.0} MB with {options.Clients + 1}: " +
                      $"{(after - before) / 1024.0 / options.Clients:0.0} KB per connected participant (WebSockets)");
    await DisposeAllAsync(clients);
    await DisposeAllAsync(warm);
}

static object Annotation(int i, string note) => new
{
    kind = "point",
    geometry = new { type = "Point", coordinates = new[] { 2.0 + (i % 100 * 0.01), 46.5 + (i / 100 % 50 * 0.01) } },
    note,
    colour = (string?)null,
};

static async Task SendPacedAsync(Options options, Func<int, Task> send)
{
    // 8 a second: under the workshop hub's rate limit (10/s), so no message is refused and both hubs get the same load.
    for (var i = 0; i < options.Messages; i++)
    {
        var started = Stopwatch.GetTimestamp();
        await send(i);
        var wait = TimeSpan.FromMilliseconds(125) - Stopwatch.GetElapsedTime(started);
        if (wait > TimeSpan.Zero) await Task.Delay(wait);
    }
}

// A few unmeasured messages first: JIT, connection pools and the France outline's first load are not what we measure.
static async Task WarmUpAsync(List<double> samples, Options options, Func<int, Task> send)
{
    for (var i = 0; i < 5; i++)
    {
        await send(i);
        await Task.Delay(150);
    }

    await WaitForAsync(() => samples.Count >= 5 * options.Clients);
    await Task.Delay(500);
    lock (samples) samples.Clear();
}

static void Record(List<double> samples, long stamp)
{
    var ms = Stopwatch.GetElapsedTime(stamp).TotalMilliseconds;
    lock (samples) samples.Add(ms);
}

static async Task WaitForAsync(Func<bool> done)
{
    var watch = Stopwatch.StartNew();
    while (!done() && watch.Elapsed < TimeSpan.FromSeconds(30)) await Task.Delay(50);
}

static async Task<List<HubConnection>> ConnectManyAsync(Uri url, int count)
{
    var clients = new List<HubConnection>();
    for (var i = 0; i < count; i++)
    {
        var c = new HubConnectionBuilder().WithUrl(url, o => o.Transports = HttpTransportType.WebSockets).Build();
        await c.StartAsync();
        clients.Add(c);
    }

    return clients;
}

static async Task DisposeAllAsync(IEnumerable<HubConnection> clients)
{
    foreach (var c in clients) await c.DisposeAsync();
}

static async Task<string> CreateWorkshopAsync(HttpClient http, string title)
{
    var response = await http.PostAsJsonAsync("/api/workshops", new { title });
    response.EnsureSuccessStatusCode();
    return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("joinCode").GetString()!;
}

static void Report(string name, List<double> samples) =>
    Console.WriteLine($"{name}: {samples.Count} deliveries, p50 {Percentile(samples, 0.5):0.0} ms, p99 {Percentile(samples, 0.99):0.0} ms, max {samples.Max():0.0} ms");

static double Percentile(List<double> samples, double p)
{
    var sorted = samples.Order().ToList();
    return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}

static long Rss(Process process)
{
    var line = File.ReadLines($"/proc/{process.Id}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
    return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
}

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

static async Task<Process> StartAppAsync(Options options, Uri baseUrl)
{
    var start = new ProcessStartInfo("dotnet", $"\"{Path.GetFullPath(options.App)}\"")
    {
        WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(options.App))!,
        UseShellExecute = false,
        RedirectStandardOutput = true,
        RedirectStandardError = true,
    };
    start.Environment["ATLAS_DB"] = options.Db;
    start.Environment["ASPNETCORE_URLS"] = baseUrl.ToString().TrimEnd('/');
    start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
    start.Environment["Bench__BareHub"] = "true";
    // The bench opens its room without an account.
    start.Environment["Workshops__AnonymousMayOpen"] = "true";
    start.Environment["Logging__LogLevel__Default"] = "Warning";
    var process = Process.Start(start)!;
    process.OutputDataReceived += (_, _) => { };
    process.ErrorDataReceived += (_, e) => { if (e.Data is not null) Console.Error.WriteLine($"[app] {e.Data}"); };
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    using var http = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(2) };
    for (var i = 0; i < 150; i++)
    {
        try
        {
            if ((await http.GetAsync("/health")).IsSuccessStatusCode) return process;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            await Task.Delay(200);
        }
    }

    process.Kill(entireProcessTree: true);
    throw new InvalidOperationException("the app did not answer /health within 30 s");
}

internal sealed record Options(string App, string Db, int Clients, int Messages)
{
    public static Options Parse(string[] args)
    {
        string Value(string name, string fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }

        var db = Value("--db", Environment.GetEnvironmentVariable("ATLAS_DB") ?? "");
        if (db.Length == 0) throw new ArgumentException("--db <npgsql connection string of an imported database> is required");
        return new Options(
            Value("--app", "src/TerritoryAtlas.Web/bin/Release/net10.0/TerritoryAtlas.Web.dll"), db,
            int.Parse(Value("--clients", "200"), CultureInfo.InvariantCulture),
            int.Parse(Value("--messages", "100"), CultureInfo.InvariantCulture));
    }
}
