using Dapper;
using Npgsql;
using TerritoryAtlas.Testing;

namespace TerritoryAtlas.IntegrationTests.Datasets;

/// <summary>
/// observation's and dataset_row's references (indicator, territory, dataset version) are checked once per statement
/// (migration 0023) rather than by per-row foreign keys: they must still refuse what a foreign key refused, remove or
/// unlink what ON DELETE removed or unlinked, and hold when a parent is deleted while figures naming it are written.
/// </summary>
[Collection(nameof(AtlasCollection))]
public sealed class ReferenceTests(AtlasFixture atlas)
{
    /// <summary>A throw-away indicator (a copy of population_municipale's row) and two communes, in the caller's transaction or committed.</summary>
    private static async Task<(string Indicator, int First, int Second)> ParentsAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction)
    {
        var indicator = $"ref_{Guid.NewGuid():N}"[..20];
        await connection.ExecuteAsync("""
            create temporary table indicator_copy as select * from indicator where code = 'population_municipale';
            update indicator_copy set code = @indicator, numerator = null, denominator = null;
            insert into indicator select * from indicator_copy;
            drop table indicator_copy;
            """, new { indicator }, transaction);
        var ids = (await connection.QueryAsync<int>("""
            insert into territory (level, code, name, search_name, vintage, source)
            values ('commune', @a, 'Essai A', 'essai a', 'test', 'ReferenceTests'), ('commune', @b, 'Essai B', 'essai b', 'test', 'ReferenceTests')
            returning id
            """, new { a = "R" + indicator[4..12], b = "S" + indicator[4..12] }, transaction)).Order().ToList();
        return (indicator, ids[0], ids[1]);
    }

    private static Task<int> InsertAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string indicator, int[] territories, long? version = null) =>
        connection.ExecuteAsync("""
            insert into observation (indicator_code, territory_id, year, value, status, origin, dataset, dataset_version_id)
            select @indicator, t, 2020, 1, 'ok', 'source', 'test', @version from unnest(@territories) as t
            """, new { indicator, territories, version }, transaction);

    /// <summary>The SQLSTATE of what <paramref name="statement"/> throws, the transaction rolled back to before it.</summary>
    private static async Task<string?> RefusedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Func<Task> statement)
    {
        await transaction.SaveAsync("before");
        try
        {
            await statement();
            await transaction.ReleaseAsync("before");
            return null;
        }
        catch (PostgresException e)
        {
            await transaction.RollbackAsync("before");
            return e.SqlState;
        }
    }

    [Fact]
    public async Task Figures_naming_an_absent_indicator_territory_or_version_are_refused_whole_and_deleting_a_parent_removes_or_unlinks_its_figures()
    {
        await using var connection = await atlas.Db.OpenConnectionAsync();
        // Never committed: the shared test database is left as it was.
        await using var transaction = await connection.BeginTransactionAsync();
        var (indicator, first, second) = await ParentsAsync(connection, transaction);
        var version = await connection.ExecuteScalarAsync<long>("""
            with d as (insert into dataset (name) values (@name) returning id)
            insert into dataset_version (dataset_id, file_name, format, report, status, uploaded_by)
            select id, 'references.csv', 'csv', '{}', 'draft', 'test' from d returning id
            """, new { name = $"contribution:test:{indicator}" }, transaction);
        var absentTerritory = await connection.ExecuteScalarAsync<int>("select max(id) + 1000 from territory", transaction: transaction);

        // One absent parent refuses the whole statement (SQLSTATE 23503, as a foreign key did): nothing of it is written.
        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation,
            await RefusedAsync(connection, transaction, () => InsertAsync(connection, transaction, indicator, [first, absentTerritory, second])));
        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation,
            await RefusedAsync(connection, transaction, () => InsertAsync(connection, transaction, indicator + "_absent", [first])));
        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation,
            await RefusedAsync(connection, transaction, () => InsertAsync(connection, transaction, indicator, [first], version + 1000)));
        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, await RefusedAsync(connection, transaction, () => connection.ExecuteAsync("""
            insert into dataset_row (version_id, indicator_code, territory_id, year, value, status) values (@absent, @indicator, @first, 2020, 1, 'ok')
            """, new { absent = version + 1000, indicator, first }, transaction)));
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("select count(*) from observation where indicator_code = @indicator", new { indicator }, transaction));

        Assert.Equal(2, await InsertAsync(connection, transaction, indicator, [first, second], version));
        await connection.ExecuteAsync("""
            insert into dataset_row (version_id, indicator_code, territory_id, year, value, status) values (@version, @indicator, @first, 2020, 1, 'ok')
            """, new { version, indicator, first }, transaction);
        // Changing a key to an absent parent, or a referenced parent's key, is refused too.
        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, await RefusedAsync(connection, transaction, () => connection.ExecuteAsync(
            "update observation set territory_id = @absentTerritory where indicator_code = @indicator and territory_id = @first",
            new { absentTerritory, indicator, first }, transaction)));
        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, await RefusedAsync(connection, transaction, () => connection.ExecuteAsync(
            "update indicator set code = @renamed where code = @indicator", new { renamed = indicator + "_r", indicator }, transaction)));
        // Updates that leave the keys alone (secrecy, sums) are not checked and pass.
        Assert.Equal(2, await connection.ExecuteAsync(
            "update observation set status = 'suppressed', computed_value = 2 where indicator_code = @indicator", new { indicator }, transaction));

        // ON DELETE as before: a deleted version's figures stay, unlinked, and its rows go; a deleted territory's and a
        // deleted indicator's figures go.
        await connection.ExecuteAsync("delete from dataset_version where id = @version", new { version }, transaction);
        Assert.Equal((2L, 0L), await connection.QuerySingleAsync<(long, long)>(
            "select count(*), count(dataset_version_id) from observation where indicator_code = @indicator", new { indicator }, transaction));
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("select count(*) from dataset_row where version_id = @version", new { version }, transaction));
        await connection.ExecuteAsync("delete from territory where id = @first", new { first }, transaction);
        Assert.Equal(new[] { second }, (await connection.QueryAsync<int>(
            "select territory_id from observation where indicator_code = @indicator", new { indicator }, transaction)).ToArray());
        await connection.ExecuteAsync("delete from indicator where code = @indicator", new { indicator }, transaction);
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("select count(*) from observation where indicator_code = @indicator", new { indicator }, transaction));
        await transaction.RollbackAsync();
    }

    [Fact]
    public async Task A_territory_deleted_while_its_figures_are_written_takes_them_with_it_or_refuses_them()
    {
        await using var writer = await atlas.Db.OpenConnectionAsync();
        await using var deleter = await atlas.Db.OpenConnectionAsync();
        var (indicator, first, second) = await ParentsAsync(writer, null);
        try
        {
            var deleterPid = await deleter.ExecuteScalarAsync<int>("select pg_backend_pid()");
            async Task WaitsForALockAsync(int pid) => await Eventually.HoldsAsync(async () => await writer.ExecuteScalarAsync<bool>(
                "select exists (select 1 from pg_stat_activity where pid = @pid and wait_event_type = 'Lock')", new { pid }), $"session {pid} waits for a lock");

            // Written first: the deletion waits for the writer's transaction, then removes the figures it committed.
            await using (var transaction = await writer.BeginTransactionAsync())
            {
                await InsertAsync(writer, transaction, indicator, [first]);
                var deleting = deleter.ExecuteAsync("delete from territory where id = @first", new { first });
                await WaitsForALockAsync(deleterPid);
                await transaction.CommitAsync();
                Assert.Equal(1, await deleting);
            }

            Assert.Equal(0, await writer.ExecuteScalarAsync<long>("select count(*) from observation where indicator_code = @indicator", new { indicator }));

            // Deleted first: the writer waits for the deletion, then is refused.
            var writerPid = await writer.ExecuteScalarAsync<int>("select pg_backend_pid()");
            await using (var deletion = await deleter.BeginTransactionAsync())
            {
                await deleter.ExecuteAsync("delete from territory where id = @second", new { second }, deletion);
                var writing = InsertAsync(writer, null, indicator, [second]);
                await Eventually.HoldsAsync(async () => writing.IsCompleted || await deleter.ExecuteScalarAsync<bool>(
                    "select exists (select 1 from pg_stat_activity where pid = @writerPid and wait_event_type = 'Lock')", new { writerPid }, deletion),
                    "the writer waits for the deletion");
                await deletion.CommitAsync();
                var refused = await Assert.ThrowsAsync<PostgresException>(() => writing);
                Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, refused.SqlState);
            }

            Assert.Equal(0, await writer.ExecuteScalarAsync<long>("select count(*) from observation where indicator_code = @indicator", new { indicator }));
        }
        finally
        {
            await writer.ExecuteAsync("delete from territory where id = any(@ids)", new { ids = new[] { first, second } });
            await writer.ExecuteAsync("delete from indicator where code = @indicator", new { indicator });
        }
    }
}
