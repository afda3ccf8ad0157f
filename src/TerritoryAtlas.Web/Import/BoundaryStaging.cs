using Dapper;
using Npgsql;
using NpgsqlTypes;
using TerritoryAtlas.Web.Data;

namespace TerritoryAtlas.Web.Import;

/// <summary>
/// A boundary layer's features staged for the caller's transaction, the one way both the import of the data directory's
/// layers (<see cref="BoundaryLayerImport"/>) and an uploaded layer (Datasets/BoundaryLayers.cs) bring outlines in:
/// copied into the temporary table staged_boundary (feature, its number from 1 in the file; code; name; parent_code;
/// geom; repaired), dropped at commit, each geometry made valid and normalised to MultiPolygon (boundary_staging.sql).
/// </summary>
public static class BoundaryStaging
{
    public static async Task StageAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<BoundaryFeature> features,
        CancellationToken ct)
    {
        // The primary key refuses a code given twice before anything is written.
        await connection.ExecuteAsync(new CommandDefinition("""
            create temporary table staged_boundary (feature integer not null, code text primary key, name text not null, parent_code text,
                geom geometry(Geometry, 4326) not null, repaired boolean not null default false) on commit drop
            """, transaction: transaction, cancellationToken: ct));
        await using (var writer = await connection.BeginBinaryImportAsync(
                         "copy staged_boundary (feature, code, name, parent_code, geom) from stdin (format binary)", ct))
        {
            var number = 0;
            foreach (var f in features)
            {
                await writer.StartRowAsync(ct);
                await writer.WriteAsync(++number, NpgsqlDbType.Integer, ct);
                await writer.WriteAsync(f.Code, NpgsqlDbType.Text, ct);
                await writer.WriteAsync(f.Name, NpgsqlDbType.Text, ct);
                await writer.WriteAsync(f.ParentCode, NpgsqlDbType.Text, ct);
                await writer.WriteAsync(f.Geometry, NpgsqlDbType.Geometry, ct);
            }

            await writer.CompleteAsync(ct);
        }

        await connection.ExecuteAsync(new CommandDefinition(AtlasDatabase.Sql("Import.boundary_staging.sql"), transaction: transaction,
            commandTimeout: 0, cancellationToken: ct));
    }
}
