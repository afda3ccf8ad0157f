using System.Net;
using System.Net.Sockets;
using Npgsql;
using TerritoryAtlas.IntegrationTests.Workshops;

namespace TerritoryAtlas.IntegrationTests;

/// <summary>
/// A TCP relay between the app and PostgreSQL that a test can cut and restore: cut, every open connection is reset
/// and new ones are refused, as during a PostgreSQL restart or a network failure; restored, it relays again. The real
/// server and its data are untouched, so other tests sharing it go on.
/// </summary>
public sealed class PostgresCut : IAsyncDisposable
{
    private readonly IPEndPoint _upstream;
    private readonly List<Socket> _open = [];
    private TcpListener? _listener;
    private CancellationTokenSource _accepting = new();

    private PostgresCut(IPEndPoint upstream, int port)
    {
        _upstream = upstream;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The connection string that goes through the relay.</summary>
    public string ConnectionString(string direct) =>
        new NpgsqlConnectionStringBuilder(direct) { Host = "127.0.0.1", Port = Port, Pooling = true }.ConnectionString;

    public static PostgresCut Start(string direct)
    {
        var builder = new NpgsqlConnectionStringBuilder(direct);
        var host = builder.Host is null or "localhost" ? IPAddress.Loopback : IPAddress.Parse(builder.Host);
        var relay = new PostgresCut(new IPEndPoint(host, builder.Port), RedisServer.FreePort());
        relay.Restore();
        return relay;
    }

    public void Restore()
    {
        _accepting = new CancellationTokenSource();
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start();
        _ = AcceptAsync(_listener, _accepting.Token);
    }

    public void Cut()
    {
        _accepting.Cancel();
        _listener?.Stop();
        lock (_open)
        {
            foreach (var socket in _open)
            {
                // A reset, not a polite close: what a killed server or a dropped link looks like.
                socket.LingerState = new LingerOption(true, 0);
                socket.Close();
            }

            _open.Clear();
        }
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await listener.AcceptSocketAsync(ct);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var server = new Socket(SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await server.ConnectAsync(_upstream, ct);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException)
            {
                client.Close();
                server.Close();
                continue;
            }

            lock (_open)
            {
                _open.Add(client);
                _open.Add(server);
            }

            _ = PumpAsync(client, server);
            _ = PumpAsync(server, client);
        }
    }

    private static async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16384];
        try
        {
            while (true)
            {
                var read = await from.ReceiveAsync(buffer, SocketFlags.None);
                if (read == 0) break;
                await to.SendAsync(buffer.AsMemory(0, read), SocketFlags.None);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }

        try
        {
            to.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
    }

    public ValueTask DisposeAsync()
    {
        Cut();
        return ValueTask.CompletedTask;
    }
}
