using TerritoryAtlas.Web.Data;

namespace TerritoryAtlas.Web.Import;

/// <summary>The `import` verb from the command line: options, migrations first, a readable failure.</summary>
public static class ImportCommand
{
    public static async Task<int> RunAsync(IConfiguration configuration, string[] args, TextWriter output, TextWriter error)
    {
        try
        {
            var connectionString = AtlasDatabase.ConnectionString(configuration);
            AtlasDatabase.Migrate(connectionString);
            var options = new ImportOptions(
                DataDirectory: Option(args, "--data") ?? DataDirectory(configuration),
                CatalogueDirectory: Option(args, "--catalogue") ?? configuration["ATLAS_CATALOGUE"] ?? AppContext.BaseDirectory,
                OnlyIfChanged: args.Contains("--if-changed"));
            // The import's statements run once over whole tables: JIT compilation costs more than it saves there.
            var importConnection = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
            importConnection.Options = $"{importConnection.Options} -c jit=off".Trim();
            await using var db = AtlasDatabase.CreateDataSource(importConnection.ConnectionString);
            await new Importer(db, output).RunAsync(options, CancellationToken.None);
            return 0;
        }
        catch (ImportException e)
        {
            await error.WriteLineAsync($"import failed, nothing written for this dataset: {e.Message}");
            return 1;
        }
    }

    /// <summary>ATLAS_DATA, else ../shared/data beside the repository when it exists.</summary>
    public static string DataDirectory(IConfiguration configuration)
    {
        if (configuration["ATLAS_DATA"] is { Length: > 0 } configured)
        {
            return Path.GetFullPath(configured);
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TerritoryAtlas.sln")))
            {
                var beside = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data"));
                if (Directory.Exists(beside))
                {
                    return beside;
                }
            }
        }

        throw new ImportException("ATLAS_DATA", "setting", "no data directory: set ATLAS_DATA to the folder holding geodata/ and indicators/");
    }

    private static string? Option(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}
