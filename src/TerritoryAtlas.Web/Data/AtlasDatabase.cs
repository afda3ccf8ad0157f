using System.Reflection;
using DbUp;
using Npgsql;

namespace TerritoryAtlas.Web.Data;

public static class AtlasDatabase
{
    /// <summary>The connection string: ATLAS_DB, else ConnectionStrings:Atlas.</summary>
    public static string ConnectionString(IConfiguration configuration) =>
        configuration["ATLAS_DB"] is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : configuration.GetConnectionString("Atlas") is { Length: > 0 } fromSettings
                ? fromSettings
                : throw new InvalidOperationException(
                    "No database configured: set ATLAS_DB (an Npgsql connection string) or ConnectionStrings:Atlas, " +
                    "or start the app with ./atlas run, which provisions a private PostGIS cluster.");

    public static NpgsqlDataSource CreateDataSource(string connectionString)
    {
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.UseNetTopologySuite();
        return builder.Build();
    }

    public static IServiceCollection AddAtlasDatabase(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(_ => CreateDataSource(ConnectionString(configuration)));
        services.AddSingleton<DataVersion>();
        return services;
    }

    /// <summary>Applies the numbered .sql files of Data/Migrations that the database has not seen yet.</summary>
    public static void Migrate(string connectionString)
    {
        var upgrader = DeployChanges.To
            .PostgresqlDatabase(connectionString)
            .WithScriptsEmbeddedInAssembly(Assembly.GetExecutingAssembly(),
                name => name.Contains(".Data.Migrations.", StringComparison.Ordinal))
            .WithTransactionPerScript()
            .LogToConsole()
            .Build();
        var result = upgrader.PerformUpgrade();
        if (!result.Successful)
        {
            throw new InvalidOperationException($"Migration {result.ErrorScript?.Name} failed: {result.Error.Message}", result.Error);
        }

        Territories.LevelCatalogue.SyncBuiltIn(connectionString);
    }

    /// <summary>Reads an embedded .sql file that sits next to the code running it.</summary>
    public static string Sql(string resourceSuffix)
    {
        var assembly = Assembly.GetExecutingAssembly();
        var name = assembly.GetManifestResourceNames().Single(n => n.EndsWith(resourceSuffix, StringComparison.Ordinal));
        using var stream = assembly.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
