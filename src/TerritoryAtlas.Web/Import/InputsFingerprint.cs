using System.Security.Cryptography;
using System.Text;
using Dapper;
using Npgsql;
using TerritoryAtlas.Web.Data;

namespace TerritoryAtlas.Web.Import;

/// <summary>
/// What `import --if-changed` compares: the importer's version, the manifests and catalogue, and each data file's path,
/// size and time (a shapefile's .dbf, .shx, .prj and .cpg too), kept in data_version by the import that read them.
/// </summary>
public static class InputsFingerprint
{
    // Bump when the import logic changes what it writes, so `--if-changed` re-imports unchanged files.
    private const string ImporterVersion = "3";

    private static readonly string[] Manifests = ["geodata/manifest.json", "indicators/manifest.json", "indicators/catalogue.json"];

    /// <summary>The data files the manifests name, in the data directory; an absent one stops the import before anything is written.</summary>
    public static List<string> DataFiles(GeodataManifest geodata, IndicatorManifest indicators, string dataDirectory)
    {
        var dataFiles = geodata.Layers.Select(l => l.Path)
            .Concat(geodata.Correspondences.Select(c => c.Path))
            .Concat(indicators.Datasets.Select(d => d.Path))
            .Select(p => Path.Combine(dataDirectory, p))
            .ToList();
        foreach (var file in dataFiles.Where(f => !File.Exists(f)))
        {
            throw new ImportException(file, "file", $"not found in the data directory {dataDirectory} (set ATLAS_DATA)");
        }

        return dataFiles;
    }

    public static string Of(string catalogueDirectory, string dataDirectory, GeodataManifest geodata, IReadOnlyList<string> dataFiles)
    {
        // A shapefile is several files: its attributes (.dbf) and coordinate system (.prj, .cpg) count as much as its shapes.
        var sidecars = geodata.Layers.Where(l => l.Format == "shapefile")
            .SelectMany(l => new[] { ".dbf", ".shx", ".prj", ".cpg" }.Select(e => Path.ChangeExtension(Path.Combine(dataDirectory, l.Path), e)))
            .Where(File.Exists);
        var text = new StringBuilder(ImporterVersion);
        foreach (var manifest in Manifests)
        {
            text.Append(File.ReadAllText(Path.Combine(catalogueDirectory, manifest)));
        }

        foreach (var file in dataFiles.Concat(sidecars))
        {
            var info = new FileInfo(file);
            text.Append($"|{file}|{info.Length}|{info.LastWriteTimeUtc.Ticks}");
        }

        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    public static async Task<bool> IsStoredAsync(NpgsqlDataSource db, string fingerprint, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var stored = await connection.ExecuteScalarAsync<string?>(
            new CommandDefinition("select inputs_fingerprint from data_version", cancellationToken: ct));
        return stored == fingerprint;
    }

    /// <summary>Moves the data version (every instance's caches follow) and keeps what this import read.</summary>
    public static async Task StoreAsync(NpgsqlDataSource db, string fingerprint, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await DataVersion.MoveAsync(connection, transaction, ct);
        await connection.ExecuteAsync(new CommandDefinition("update data_version set inputs_fingerprint = @fingerprint",
            new { fingerprint }, transaction, cancellationToken: ct));
        await transaction.CommitAsync(ct);
    }
}
