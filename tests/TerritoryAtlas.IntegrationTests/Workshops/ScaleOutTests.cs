using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Mvc.Testing;
using TerritoryAtlas.Testing;
using TerritoryAtlas.Web.Workshops;

namespace TerritoryAtlas.IntegrationTests.Workshops;

/// <summary>A real redis-server on a free loopback port, for the life of one test.</summary>
public sealed class RedisServer : IAsyncDisposable
{
    private readonly Process _process;

    private RedisServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string Connection => $"127.0.0.1:{Port}";

    public static async Task<RedisServer> StartAsync()
    {
        var port = FreePort();
        var process = Process.Start(new ProcessStartInfo("redis-server", $"--port {port} --bind 127.0.0.1 --save \"\" --appendonly no")
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("redis-server did not start (apt-get install redis-server).");
        try
        {
            await Eventually.HoldsAsync(async () =>
            {
                try
                {
                    using var client = new TcpClient();
                    await client.ConnectAsync(IPAddress.Loopback, port);
                    return true;
                }
                catch (SocketException)
                {
                    return false;
                }
            }, $"redis-server listens on port {port}");
        }
        catch
        {
            process.Kill();
            throw;
        }

        return new RedisServer(process, port);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}

[Collection(nameof(AtlasCollection))]
public sealed class ScaleOutTests(AtlasFixture atlas)
{
    [Fact]
    public async Task Two_instances_sharing_redis_deliver_an_annotation_made_through_one_to_a_client_of_the_other()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var first = Instance(redis);
        await using var second = Instance(redis);

        using var http = first.CreateClient();
        var room = await WorkshopClient.CreateWorkshopAsync(http, "Deux instances");
        await using var onFirst = await WorkshopClient.ConnectAsync(first.Server);
        await onFirst.JoinAsync(room.JoinCode, "Sur la première");
        await using var onSecond = await WorkshopClient.ConnectAsync(second.Server);
        await onSecond.JoinAsync(room.JoinCode, "Sur la seconde");

        var made = await onFirst.AddAsync("point", Drawings.Lyon, "traverse Redis");
        var received = await onSecond.NextEventAsync();
        Assert.Equal(made.Seq, received.Seq);
        Assert.Equal("traverse Redis", received.Annotation!.Note);

        var back = await onSecond.AddAsync("line", Drawings.ParisToLyon, "et revient");
        Assert.Equal(back.Seq, (await onFirst.NextEventAsync()).Seq);
    }

    private WebApplicationFactory<Program> Instance(RedisServer redis) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("ATLAS_DB", atlas.ConnectionString);
            b.UseSetting("Redis:Connection", redis.Connection);
            b.UseSetting("Workshops:AnonymousMayOpen", "true");
        });
}
