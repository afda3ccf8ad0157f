using System.Diagnostics;
using Dapper;
using Microsoft.AspNetCore.SignalR.Client;
using TerritoryAtlas.Testing;
using TerritoryAtlas.Web.Workshops;

namespace TerritoryAtlas.IntegrationTests.Workshops;

/// <summary>The app as a real process on a free port against a scratch database, killed with SIGKILL.</summary>
[Collection(nameof(AtlasCollection))]
public sealed class DurabilityTests(AtlasFixture atlas)
{
    [Fact]
    public async Task Every_acknowledged_annotation_survives_kill_9_and_a_reconnecting_client_gets_what_it_missed()
    {
        await using var scratch = await ScratchDatabase.CreateAsync(atlas.ConnectionString);
        await CopyFranceAsync(scratch);
        var port = RedisServer.FreePort();
        var baseAddress = new Uri($"http://127.0.0.1:{port}/");

        var app = await StartAppAsync(scratch.ConnectionString, baseAddress);
        try
        {
            using var http = new HttpClient { BaseAddress = baseAddress };
            var room = await WorkshopClient.CreateWorkshopAsync(http, "Coupure");
            await using var writer = await WorkshopClient.ConnectAsync(baseAddress, reconnect: true);
            await writer.JoinAsync(room.JoinCode, "Écrit");
            var reader = await WorkshopClient.ConnectAsync(baseAddress);
            var readerSession = await reader.JoinAsync(room.JoinCode, "Lit");

            var acknowledged = new List<WorkshopEvent>();
            for (var i = 0; i < 5; i++) acknowledged.Add(await writer.AddAsync("point", Drawings.Lyon, $"avant {i}"));
            for (var i = 0; i < 5; i++) Assert.Equal(acknowledged[i].Seq, (await reader.NextEventAsync()).Seq);
            var readerSaw = acknowledged[^1].Seq;

            // The reader goes away; the writer carries on, then the app dies without any chance to flush anything.
            await reader.DisposeAsync();
            for (var i = 0; i < 10; i++) acknowledged.Add(await writer.AddAsync("point", Drawings.Marseille, $"pendant {i}"));
            app.Kill(entireProcessTree: true);
            await app.WaitForExitAsync();
            app.Dispose();

            app = await StartAppAsync(scratch.ConnectionString, baseAddress);

            // The writer's connection comes back on its own; entering again re-establishes its room.
            await Eventually.HoldsAsync(() => writer.Connection.State == HubConnectionState.Connected, "the writer's connection is back", 60_000);
            await writer.EnterAsync(room.JoinCode, writer.Session.Token!);
            var after = await writer.AddAsync("point", Drawings.Lyon, "après");

            await using var connection = await scratch.Db.OpenConnectionAsync();
            var stored = (await connection.QueryAsync<(long Id, long Seq)>("select id, seq from annotation where workshop_id = @WorkshopId order by id", new { room.WorkshopId })).ToList();
            Assert.Equal(acknowledged.Select(e => e.Annotation!.Id).Append(after.Annotation!.Id), stored.Select(s => s.Id));
            var log = (await connection.QueryAsync<long>("select seq from annotation_event where workshop_id = @WorkshopId order by seq", new { room.WorkshopId })).ToList();
            Assert.Equal(Enumerable.Range(1, acknowledged.Count + 1).Select(i => (long)i), log);

            // The reader comes back with its token and asks for everything after the last sequence it saw.
            await using var again = await WorkshopClient.ConnectAsync(baseAddress);
            await again.EnterAsync(room.JoinCode, readerSession.Token!);
            var missed = await again.SyncSinceAsync(readerSaw);
            Assert.Equal(acknowledged.Skip(5).Select(e => e.Seq).Append(after.Seq), missed.Select(e => e.Seq));
            Assert.Equal("pendant 0", missed[0].Annotation!.Note);
        }
        finally
        {
            if (!app.HasExited) app.Kill(entireProcessTree: true);
            await app.WaitForExitAsync();
            app.Dispose();
        }
    }

    private async Task CopyFranceAsync(ScratchDatabase scratch)
    {
        await using var source = await atlas.Db.OpenConnectionAsync();
        var wkb = await source.ExecuteScalarAsync<byte[]>("select st_asbinary(geom) from territory where level = 'france'");
        await using var target = await scratch.Db.OpenConnectionAsync();
        await target.ExecuteAsync("""
            insert into territory (level, code, name, search_name, vintage, source, geom)
            values ('france', 'FR', 'France', 'france', 'test', 'copied from the test database', st_multi(st_geomfromwkb(@wkb, 4326)))
            """, new { wkb });
    }

    private static Task<Process> StartAppAsync(string connectionString, Uri baseAddress) =>
        AppProcess.StartAsync(connectionString, baseAddress, new Dictionary<string, string> { ["Workshops__AnonymousMayOpen"] = "true" });
}
