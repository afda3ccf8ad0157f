using Dapper;
using Npgsql;
using TerritoryAtlas.Testing;
using TerritoryAtlas.Web.Data;

namespace TerritoryAtlas.IntegrationTests.Workshops;

/// <summary>
/// Migration 0026 renames the workshop's tables in place (room → workshop, room_id → workshop_id): a workshop opened
/// before it, with its participants, annotations, log and viewers, is the same workshop after it. Runs in a
/// throwaway database on the test cluster (the migrations on an empty database take a few seconds).
/// </summary>
public sealed class WorkshopRenameMigrationTests
{
    private static readonly Guid Workshop = Guid.Parse("6f1c0a52-8a43-4d0b-9a49-0c1e2b3d4f50");
    private static readonly Guid Host = Guid.Parse("0b7a3c1e-5d2f-4e6a-8b9c-1d2e3f4a5b6c");

    [Fact]
    public async Task A_workshop_opened_before_the_rename_is_still_there_after_it()
    {
        var ct = CancellationToken.None;
        var name = $"atlas_rename_{Guid.NewGuid():N}"[..30];
        var cluster = new NpgsqlConnectionStringBuilder(TestDatabase.ConnectionString) { Database = "postgres", Pooling = false };
        var scratch = new NpgsqlConnectionStringBuilder(TestDatabase.ConnectionString) { Database = name, Pooling = false };
        await using (var admin = new NpgsqlConnection(cluster.ConnectionString))
        {
            await admin.ExecuteAsync($"create database {name}");
        }

        try
        {
            var scripts = typeof(AtlasDatabase).Assembly.GetManifestResourceNames()
                .Where(n => n.Contains(".Data.Migrations.", StringComparison.Ordinal))
                .Order(StringComparer.Ordinal)
                .ToList();
            var rename = scripts.Single(n => n.EndsWith("0026_workshop_name.sql", StringComparison.Ordinal));
            await using var connection = new NpgsqlConnection(scratch.ConnectionString);
            await connection.OpenAsync(ct);
            foreach (var script in scripts.TakeWhile(n => n != rename))
            {
                await connection.ExecuteAsync(Read(script));
            }

            await connection.ExecuteAsync("""
                insert into room (id, title, join_code, host_secret_hash, view, last_seq, locked)
                values (@Workshop, 'Atelier d''avant', 'AB2CD3EF', '\x0102'::bytea, '{"lon":2.5,"lat":46.6,"zoom":5}', 2, true);
                insert into participant (id, room_id, display_name, token_hash, colour, is_host)
                values (@Host, @Workshop, 'Animation', '\x0102'::bytea, '#222222', true);
                insert into annotation (room_id, author_id, kind, geom, note, colour, seq)
                values (@Workshop, @Host, 'point', st_geomfromtext('POINT(4.83 45.76)', 4326), 'Lyon', '#222222', 1);
                insert into annotation_event (room_id, seq, type, actor_id, annotation_id, payload)
                select @Workshop, 1, 'created', @Host, id, jsonb_build_object('roomId', @Workshop, 'seq', 1) from annotation;
                insert into annotation_event (room_id, seq, type, actor_id, payload)
                values (@Workshop, 2, 'locked', @Host, jsonb_build_object('roomId', @Workshop, 'seq', 2));
                insert into room_viewer (room_id, cache_key, is_member, is_admin, organisations) values (@Workshop, 'anonymous', false, false, '{}');
                """, new { Workshop, Host });

            await connection.ExecuteAsync(Read(rename));

            var after = await connection.QuerySingleAsync<(string Title, string JoinCode, long LastSeq, bool Locked)>(
                "select title, join_code, last_seq, locked from workshop where id = @Workshop", new { Workshop });
            Assert.Equal(("Atelier d'avant", "AB2CD3EF", 2L, true), after);
            Assert.Equal(Host, await connection.ExecuteScalarAsync<Guid>("select id from participant where workshop_id = @Workshop", new { Workshop }));
            Assert.Equal("Lyon", await connection.ExecuteScalarAsync<string>("select note from annotation where workshop_id = @Workshop", new { Workshop }));
            Assert.Equal([1L, 2L], await connection.QueryAsync<long>("select seq from annotation_event where workshop_id = @Workshop order by seq", new { Workshop }));
            Assert.Equal("anonymous", await connection.ExecuteScalarAsync<string>("select cache_key from workshop_viewer where workshop_id = @Workshop", new { Workshop }));
            // The stored messages are the wire's, untouched.
            Assert.Equal(Workshop.ToString(), await connection.ExecuteScalarAsync<string>(
                "select payload ->> 'roomId' from annotation_event where workshop_id = @Workshop and seq = 2", new { Workshop }));
            // Nothing keeps the old name: tables, columns, constraints, indexes.
            Assert.Empty(await connection.QueryAsync<string>("""
                select relname from pg_class where relname like '%room%' and relnamespace = 'public'::regnamespace
                union all select conname from pg_constraint where conname like '%room%'
                union all select table_name || '.' || column_name from information_schema.columns where table_schema = 'public' and column_name like '%room%'
                """));
            // The keys still hold: a second workshop with the same join code is refused, a cascade still cascades.
            await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(
                "insert into workshop (title, join_code, host_secret_hash, view) values ('Copie', 'AB2CD3EF', '\\x03'::bytea, '{}')"));
            await connection.ExecuteAsync("delete from workshop where id = @Workshop", new { Workshop });
            Assert.Equal(0, await connection.ExecuteScalarAsync<long>("select count(*) from annotation_event"));
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(cluster.ConnectionString);
            await admin.ExecuteAsync($"drop database if exists {name} with (force)");
        }
    }

    private static string Read(string resource)
    {
        using var stream = typeof(AtlasDatabase).Assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
