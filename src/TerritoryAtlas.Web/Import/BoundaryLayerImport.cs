using System.Diagnostics;
using Dapper;
using Npgsql;
using TerritoryAtlas.Web.Data;

namespace TerritoryAtlas.Web.Import;

/// <summary>
/// One boundary layer of geodata/manifest.json into territory, in one transaction: the file read whole first (a
/// malformed one changes nothing), staged as an upload's is (<see cref="BoundaryStaging"/>), moved in
/// (upsert_territories.sql), the level's territories it no longer holds removed, and its départements linked when the
/// file names them.
/// </summary>
public static class BoundaryLayerImport
{
    public static async Task RunAsync(NpgsqlDataSource db, BoundaryLayer layer, string dataDirectory, ImportReport report, TextWriter output,
        CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var path = Path.Combine(dataDirectory, layer.Path);
        await output.WriteLineAsync($"import: boundaries {layer.Level} from {layer.Path}…");
        await using var connection = await db.OpenConnectionAsync(ct);
        // An admin's published boundary layer (Datasets/BoundaryLayers.cs) is newer than the data directory's: it stays,
        // and so do the territories it added or left without polygon, until it is rolled back.
        if (await connection.ExecuteScalarAsync<long?>(new CommandDefinition("""
                select v.id from dataset_version v join dataset d on d.id = v.dataset_id
                where d.name = 'boundaries:' || @level and v.status = 'published'
                """, new { level = layer.Level }, cancellationToken: ct)) is { } uploaded)
        {
            await report.AddAsync(new DatasetReport($"boundaries-{layer.Level}", "boundaries", layer.Path, 0, 0, 0, 0, [],
                $"kept the published boundary upload (dataset version {uploaded}) rather than the data directory's layer"), ct);
            await output.WriteLineAsync($"import: boundaries {layer.Level}: the published upload (version {uploaded}) is kept");
            return;
        }

        var features = BoundaryFile.Read(path, layer.Path, layer);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await BoundaryStaging.StageAsync(connection, transaction, features, ct);
        var (repaired, written) = await connection.QuerySingleAsync<(long, long)>(new CommandDefinition(
            AtlasDatabase.Sql("Import.upsert_territories.sql"),
            new { level = layer.Level, vintage = layer.Vintage, source = layer.Source }, transaction, commandTimeout: 0, cancellationToken: ct));
        var stale = await connection.ExecuteAsync(new CommandDefinition("""
            delete from territory t where t.level = @level and not exists (select 1 from staged_boundary s where s.code = t.code)
            """, new { level = layer.Level }, transaction, commandTimeout: 0, cancellationToken: ct));

        var unmatchedParents = new List<UnmatchedCode>();
        if (layer.ParentDepartement is not null)
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                insert into territory_parent (territory_id, parent_level, parent_id, method)
                select t.id, 'departement', d.id, 'source'
                from staged_boundary s
                join territory t on t.level = @level and t.code = s.code
                join territory d on d.level = 'departement' and d.code = s.parent_code
                on conflict (territory_id, parent_level) do update set parent_id = excluded.parent_id, method = excluded.method
                """, new { level = layer.Level }, transaction, commandTimeout: 0, cancellationToken: ct));
            unmatchedParents = (await connection.QueryAsync<UnmatchedCode>(new CommandDefinition("""
                select 'departement' as level, coalesce(s.parent_code, '') as code, s.code || ' ' || s.name as name, 1 as rows
                from staged_boundary s
                where not exists (select 1 from territory d where d.level = 'departement' and d.code = s.parent_code)
                """, transaction: transaction, cancellationToken: ct))).ToList();
        }

        await transaction.CommitAsync(ct);
        var notes = new List<string>();
        if (repaired > 0)
        {
            notes.Add($"{repaired} invalid geometries repaired (ST_MakeValid)");
        }

        if (stale > 0)
        {
            notes.Add($"{stale} territories no longer in the file removed");
        }

        if (layer.ExpectedFeatures is { } expected && expected != features.Count)
        {
            notes.Add($"{features.Count} features where the manifest expects {expected}");
        }

        await report.AddAsync(new DatasetReport($"boundaries-{layer.Level}", "boundaries", layer.Path, features.Count, (int)written,
            features.Count - (int)written, 0, unmatchedParents, notes.Count > 0 ? string.Join("; ", notes) : null), ct);
        await output.WriteLineAsync(
            $"import: boundaries {layer.Level}: {features.Count} read, {written} written{(repaired > 0 ? $", {repaired} repaired" : "")} in {watch.Elapsed.TotalSeconds:0.0} s");
    }
}
