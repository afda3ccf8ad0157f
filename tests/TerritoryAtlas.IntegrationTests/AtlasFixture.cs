using Microsoft.AspNetCore.Mvc.Testing;
using Npgsql;
using TerritoryAtlas.Testing;
using TerritoryAtlas.Web.Data;

namespace TerritoryAtlas.IntegrationTests;

/// <summary>
/// The test database: a real PostGIS holding the full import of the real data, named by ATLAS_TEST_DB and made ready
/// by <see cref="TestDatabase.PrepareAsync"/> (migrate, import unless done). Tests read it; tests that write use a
/// scratch database.
/// </summary>
public sealed class AtlasFixture : IAsyncLifetime
{
    public string ConnectionString { get; } = TestDatabase.ConnectionString;

    public NpgsqlDataSource Db { get; private set; } = null!;

    public WebApplicationFactory<Program> App { get; private set; } = null!;

    public static string RepositoryRoot => TestDatabase.RepositoryRoot;

    public static string DataDirectory => TestDatabase.DataDirectory;

    public async Task InitializeAsync()
    {
        await TestDatabase.PrepareAsync(ConnectionString, CancellationToken.None);
        Db = AtlasDatabase.CreateDataSource(ConnectionString);
        // Every test's requests come from one (test server) address: the room creation and export limits are off
        // here, and their own tests (WorkshopHubTests, RateLimitTests) run apps with limits of their own. Workshop tests open rooms without an account; AccountsTests checks
        // the default (members only) on an app of its own.
        App = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b.UseSetting("ATLAS_DB", ConnectionString)
            .UseSetting("RateLimits:WorkshopsPerHour", "0")
            .UseSetting("RateLimits:ExportsPerMinute", "0")
            .UseSetting("Workshops:AnonymousMayOpen", "true"));
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Db.DisposeAsync();
    }
}

[CollectionDefinition(nameof(AtlasCollection))]
public sealed class AtlasCollection : ICollectionFixture<AtlasFixture>;

/// <summary>An empty, migrated database of its own for a test that imports, dropped afterwards.</summary>
public sealed class ScratchDatabase : IAsyncDisposable
{
    private readonly string _adminConnectionString;

    private ScratchDatabase(string adminConnectionString, string name, string connectionString)
    {
        _adminConnectionString = adminConnectionString;
        Name = name;
        ConnectionString = connectionString;
        Db = AtlasDatabase.CreateDataSource(connectionString);
    }

    public string Name { get; }
    public string ConnectionString { get; }
    public NpgsqlDataSource Db { get; }

    /// <param name="options">what follows `create database name`, e.g. a collation other than the cluster's.</param>
    public static async Task<ScratchDatabase> CreateAsync(string testConnectionString, string options = "")
    {
        var name = $"atlas_scratch_{Guid.NewGuid():N}";
        var admin = new NpgsqlConnectionStringBuilder(testConnectionString) { Database = "postgres", Pooling = false }.ConnectionString;
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
#pragma warning disable CA2100 // A database name cannot be a parameter; this one is a generated GUID, options are the tests' own.
            await using var command = new NpgsqlCommand($"create database {name} {options}", connection);
#pragma warning restore CA2100
            await command.ExecuteNonQueryAsync();
        }

        var connectionString = new NpgsqlConnectionStringBuilder(testConnectionString) { Database = name }.ConnectionString;
        AtlasDatabase.Migrate(connectionString);
        return new ScratchDatabase(admin, name, connectionString);
    }

    public async ValueTask DisposeAsync()
    {
        await Db.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync();
#pragma warning disable CA2100 // A database name cannot be a parameter; this one is a generated GUID.
        await using var command = new NpgsqlCommand($"drop database if exists {Name} with (force)", connection);
#pragma warning restore CA2100
        await command.ExecuteNonQueryAsync();
    }
}
