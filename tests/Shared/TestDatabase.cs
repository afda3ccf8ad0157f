using Microsoft.Extensions.Configuration;
using Npgsql;
using TerritoryAtlas.Web.Data;
using TerritoryAtlas.Web.Import;

namespace TerritoryAtlas.Testing;

/// <summary>
/// The database the integration and browser tests read, named by ATLAS_TEST_DB, made ready by whichever test project
/// starts first: migrated, then imported from the data directory unless an import already finished there. `./atlas
/// test` imports before running the tests, so this finds the work done; a plain `dotnet test` against a fresh
/// database does it once (about a minute) and then starts in seconds.
/// </summary>
public static class TestDatabase
{
    // Any fixed number: the test projects run at the same time and must not import into one database twice.
    private const long PrepareLock = 0x41544C4153;

    public static string ConnectionString => Environment.GetEnvironmentVariable("ATLAS_TEST_DB") is { Length: > 0 } cs
        ? cs
        : throw new InvalidOperationException(
            "ATLAS_TEST_DB is not set: point it at a PostGIS database the tests may fill (e.g. " +
            "Host=127.0.0.1;Port=55432;Database=atlas_dev_test;Username=postgres) and run dotnet test, or run ./atlas test.");

    public static string RepositoryRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "TerritoryAtlas.sln")))
                {
                    return dir.FullName;
                }
            }

            throw new InvalidOperationException("TerritoryAtlas.sln not found above the test assembly");
        }
    }

    public static string DataDirectory => Environment.GetEnvironmentVariable("ATLAS_DATA") is { Length: > 0 } configured
        ? configured
        : Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "data"));

    /// <summary>Migrates, then imports when no import has finished in this database yet.</summary>
    public static async Task PrepareAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using (var take = new NpgsqlCommand("select pg_advisory_lock(@key)", connection))
        {
            take.Parameters.AddWithValue("key", PrepareLock);
            await take.ExecuteNonQueryAsync(ct);
        }

        try
        {
            AtlasDatabase.Migrate(connectionString);
            if (!await ImportedAsync(connection, ct))
            {
                // The `import` verb itself, as ./atlas test runs it, with the repository's catalogue and manifests.
                var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["ATLAS_DB"] = connectionString,
                    ["ATLAS_DATA"] = DataDirectory,
                    ["ATLAS_CATALOGUE"] = RepositoryRoot,
                }).Build();
                if (await ImportCommand.RunAsync(configuration, ["import"], Console.Out, Console.Error) != 0)
                {
                    throw new InvalidOperationException("the import into the test database failed (its message is above)");
                }
            }
        }
        finally
        {
            await using var release = new NpgsqlCommand("select pg_advisory_unlock(@key)", connection);
            release.Parameters.AddWithValue("key", PrepareLock);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    // An import writes its report and, last, the fingerprint of its inputs: both present means one finished.
    private static async Task<bool> ImportedAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            "select (select inputs_fingerprint from data_version) is not null and exists (select from import_report)", connection);
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// Removes a test's contributed indicator with its figures and datasets, holding the publication lock: without it
    /// the cascade into the derived tables deadlocks with another test's publication recomputing them.
    /// </summary>
    public static async Task RemoveContributedIndicatorAsync(string indicator)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var command = new NpgsqlCommand("""
            select pg_advisory_xact_lock(@lock);
            delete from observation where indicator_code = @indicator;
            delete from dataset where name like '%:' || @indicator;
            delete from indicator where code = @indicator;
            update data_version set version = version + 1, updated_at = now();
            """, connection, transaction))
        {
            command.Parameters.AddWithValue("lock", TerritoryAtlas.Web.Datasets.DatasetPublication.PublicationLock);
            command.Parameters.AddWithValue("indicator", indicator);
            await command.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
    }
}
