using System.Globalization;
using Dapper;
using Npgsql;
using TerritoryAtlas.Web.Data;
using TerritoryAtlas.Web.Import;
using TerritoryAtlas.Web.Indicators;

namespace TerritoryAtlas.Web.Datasets;

/// <summary>
/// Uploaded boundary layers (<see cref="BoundaryUpload"/>) as versions of one dataset per level
/// ("boundaries:departement"): staged as a draft, published in the publication's transaction (the level's outlines,
/// its Web Mercator copies and its prebuilt tiles rebuilt with the importer's <see cref="LevelTiles"/>), rolled back
/// to exactly what was there before.
/// </summary>
public static class BoundaryLayers
{
    private const string Prefix = "boundaries:";

    public static string DatasetName(string level) => Prefix + level;

    public static bool IsBoundaries(string datasetName) => datasetName.StartsWith(Prefix, StringComparison.Ordinal);

    public static string LevelOf(string datasetName) => datasetName[Prefix.Length..];

    /// <summary>What a zip may inflate to: shapefiles deflate 2–6 times, so ten times the upload limit is generous.</summary>
    public static long MaxInflatedBytes(long maxUploadBytes) => 10 * maxUploadBytes;

    /// <summary>Stages the features as draft <paramref name="versionId"/> and fills the report's comparison with the level in force.</summary>
    /// <returns>the features staged.</returns>
    public static async Task<int> StageAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long versionId, string level,
        IReadOnlyList<BoundaryFeature> features, BoundaryReport report, CancellationToken ct)
    {
        await BoundaryStaging.StageAsync(connection, transaction, features, ct);
        var unusable = (await connection.QueryAsync<(int Feature, string Code)>(new CommandDefinition(AtlasDatabase.Sql("Datasets.boundary_stage.sql"),
            new { version_id = versionId }, transaction, commandTimeout: 0, cancellationToken: ct))).ToList();
        if (unusable.Count > 0)
        {
            report.Empty += unusable.Count;
            throw new ImportException(report.Layer, $"feature {unusable[0].Feature} ({unusable[0].Code})",
                $"no polygon is left once its geometry is made valid{(unusable.Count > 1 ? $" (and {unusable.Count - 1} more: {string.Join(", ", unusable.Skip(1).Take(20).Select(u => u.Code))})" : "")}");
        }

        // Fresh rows without statistics: the planner took the 35,000 staged communes for one row and compared every
        // territory with every feature (56 s) where a hash join takes a tenth of a second.
        await connection.ExecuteAsync(new CommandDefinition("analyze boundary_row", transaction: transaction, cancellationToken: ct));
        foreach (var row in await connection.QueryAsync<(string Status, string Code, string Name, int? Repaired)>(new CommandDefinition(
                     AtlasDatabase.Sql("Datasets.boundary_compare.sql"), new { version_id = versionId, level }, transaction, commandTimeout: 0, cancellationToken: ct)))
        {
            switch (row.Status)
            {
                case "matched":
                    report.Matched++;
                    break;
                case "new":
                    report.New++;
                    if (report.NewCodes.Count < BoundaryReport.MaxListed)
                    {
                        report.NewCodes.Add(row.Code);
                    }

                    break;
                default:
                    report.Missing++;
                    if (report.MissingTerritories.Count < BoundaryReport.MaxListed)
                    {
                        report.MissingTerritories.Add(new MissingTerritory(row.Code, row.Name, row.Status));
                    }

                    break;
            }

            if (row.Repaired is { } feature)
            {
                report.Repaired++;
                if (report.RepairedFeatures.Count < BoundaryReport.MaxListed)
                {
                    report.RepairedFeatures.Add(new RepairedFeature(feature, row.Code));
                }
            }
        }

        report.RepairedFeatures.Sort((a, b) => a.Feature.CompareTo(b.Feature));
        // What publishing would link again (boundary_relink.sql): territories placed by their point in a territory of the
        // level whose outline this layer redraws or takes away.
        var below = await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
            with redrawn as materialized (
                select t.id
                from territory t
                left join boundary_row b on b.version_id = @version_id and b.code = t.code
                where t.level = @level and t.geom is not null
                  and (b.code is null and exists (select 1 from boundary_row c where c.version_id = @version_id and ST_Intersects(c.geom, t.label_point))
                       or ST_AsEWKB(b.geom) <> ST_AsEWKB(t.geom))
            )
            select count(distinct p.territory_id)
            from territory_parent p
            join redrawn r on r.id = p.parent_id
            where p.method in ('spatial', 'derived')
            """, new { version_id = versionId, level }, transaction, commandTimeout: 0, cancellationToken: ct));
        if (below > 0)
        {
            report.Warnings.Add($"{below} territories below (placed by their point: communes in their arrondissement and EPCI, EPCI in their département…) will be linked again on the new outlines, and the figures summed along those links computed again");
        }

        return features.Count;
    }

    /// <summary>
    /// Publishes draft <paramref name="versionId"/>: the level's outlines replaced (boundary_publish.sql), the
    /// territories below them linked again where the outlines moved, its map geometry and tiles rebuilt.
    /// </summary>
    /// <returns>how many links of territories below changed: the caller recomputes the figures summed along them.</returns>
    public static async Task<int> PublishAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long versionId, string level, string by,
        Action<string, string> phase, CancellationToken ct)
    {
        var version = await connection.QuerySingleAsync<(string File, string Metadata)>(new CommandDefinition(
            "select file_name, metadata::text from dataset_version where id = @versionId", new { versionId }, transaction, cancellationToken: ct));
        var vintage = System.Text.Json.JsonSerializer.Deserialize<ContributionMetadata>(version.Metadata, ManifestFiles.Options)?.Vintage
                      ?? throw new InvalidOperationException($"boundary version {versionId} has no vintage");
        phase("Remplacement des contours", "Replacing the outlines");
        await connection.ExecuteAsync(new CommandDefinition(AtlasDatabase.Sql("Datasets.boundary_publish.sql"), new
        {
            version_id = versionId,
            level,
            vintage = string.Create(CultureInfo.InvariantCulture, $"COG {vintage}"),
            source = string.Create(CultureInfo.InvariantCulture, $"IGN, ADMIN EXPRESS COG {vintage} ({version.File}), version {versionId}"),
            by,
        }, transaction, commandTimeout: 0, cancellationToken: ct));
        // A code new to the level (an EPCI or a commune of a later COG) gets its parents as an imported territory does:
        // the within filters, parent comparisons and sums of parts read them. A roll back deletes it, and its links
        // with it, unless a figure names it meanwhile: then it keeps them, so that figure counts where it was counted.
        var added = (await connection.QueryAsync<int>(new CommandDefinition(
            "select territory_id from boundary_displaced where version_id = @versionId and not existed",
            new { versionId }, transaction, cancellationToken: ct))).ToArray();
        if (added.Length > 0)
        {
            await Groupings.LinkParentsAsync(connection, transaction, added, ct);
        }

        var relinked = await RelinkBelowAsync(connection, transaction, versionId, level, phase, ct);
        await RebuildTilesAsync(connection, transaction, versionId, level, phase, ct);
        return relinked;
    }

    /// <summary>
    /// The territories below the level whose parent there was found by place (a commune's arrondissement and EPCI, an
    /// EPCI's département, a département's région) linked again against the new outlines, as the import links them
    /// (hierarchy.sql), their IRIS after them; their former links kept for a roll back (boundary_relink.sql).
    /// </summary>
    /// <returns>how many links changed.</returns>
    private static async Task<int> RelinkBelowAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long versionId, string level,
        Action<string, string> phase, CancellationToken ct)
    {
        phase("Rattachement des territoires inclus", "Linking the territories below");
        var below = (await connection.QueryAsync<(int Id, bool Placed)>(new CommandDefinition(AtlasDatabase.Sql("Datasets.boundary_relink.sql"),
            new { version_id = versionId, level }, transaction, commandTimeout: 0, cancellationToken: ct))).ToList();
        if (below.Count == 0)
        {
            return 0;
        }

        // Those placed by their point first: the others derive their links from theirs (a département's new région).
        var placed = below.Where(b => b.Placed).Select(b => b.Id).ToArray();
        if (placed.Length > 0)
        {
            await Groupings.LinkParentsAsync(connection, transaction, placed, ct);
        }

        var derived = below.Where(b => !b.Placed).Select(b => b.Id).ToArray();
        if (derived.Length > 0)
        {
            await Groupings.DeriveParentsAsync(connection, transaction, derived, ct);
        }

        await connection.ExecuteAsync(new CommandDefinition(AtlasDatabase.Sql("Datasets.boundary_relink_iris.sql"),
            new { communes = below.Select(b => b.Id).ToArray() }, transaction, commandTimeout: 0, cancellationToken: ct));
        return await LinksChangedAsync(connection, transaction, versionId, ct);
    }

    /// <summary>
    /// Rolls <paramref name="versionId"/> back: the outlines before it (boundary_rollback.sql) and the links of the
    /// territories below it (boundary_relink_back.sql), their map geometry and tiles rebuilt.
    /// </summary>
    /// <returns>how many links of territories below changed back: the caller recomputes the figures summed along them.</returns>
    public static async Task<int> RollbackAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long versionId, long datasetId, string level,
        Action<string, string> phase, CancellationToken ct)
    {
        phase("Retour des contours précédents", "Bringing the previous outlines back");
        await connection.ExecuteScalarAsync<long?>(new CommandDefinition(AtlasDatabase.Sql("Datasets.boundary_rollback.sql"),
            new { version_id = versionId, dataset_id = datasetId }, transaction, commandTimeout: 0, cancellationToken: ct));
        var relinked = await LinksChangedAsync(connection, transaction, versionId, ct);
        await connection.ExecuteAsync(new CommandDefinition(AtlasDatabase.Sql("Datasets.boundary_relink_back.sql"),
            new { version_id = versionId }, transaction, commandTimeout: 0, cancellationToken: ct));
        await RebuildTilesAsync(connection, transaction, versionId, level, phase, ct);
        return relinked;
    }

    private static Task<int> LinksChangedAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long versionId, CancellationToken ct) =>
        connection.ExecuteScalarAsync<int>(new CommandDefinition(AtlasDatabase.Sql("Datasets.boundary_links_changed.sql"),
            new { version_id = versionId }, transaction, cancellationToken: ct));

    /// <summary>The level's zoom-band copies and prebuilt tiles, rebuilt as the importer and the zonings build them (same code).</summary>
    /// <remarks>Also the grouping levels (france, zone) whose outline the version changed.</remarks>
    private static async Task RebuildTilesAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long versionId, string level,
        Action<string, string> phase, CancellationToken ct)
    {
        var groupings = await connection.QueryAsync<string>(new CommandDefinition("""
            select distinct t.level from boundary_displaced d join territory t on t.id = d.territory_id
            where d.version_id = @versionId and t.level <> @level
            """, new { versionId, level }, transaction, cancellationToken: ct));
        // The level's territories the version redraws, adds or takes the polygon of, and where their outlines were and
        // are (the staged features, the outlines kept aside): only those copies and the tiles over them are rebuilt,
        // unless they are most of the level (a whole layer), which is rebuilt as the import builds it.
        var changed = (await connection.QueryAsync<int>(new CommandDefinition("""
            select d.territory_id from boundary_displaced d join territory t on t.id = d.territory_id and t.level = @level
            where d.version_id = @versionId and d.redrawn
            """, new { versionId, level }, transaction, cancellationToken: ct))).ToArray();
        var all = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "select count(*)::int from territory where level = @level", new { level }, transaction, cancellationToken: ct));
        var whole = changed.Length * 2 > all;
        foreach (var rebuilt in groupings.Prepend(level))
        {
            phase("Géométrie de la carte", "Map geometry");
            if (rebuilt == level && !whole)
            {
                var areas = (await connection.QueryAsync<(double, double, double, double)>(new CommandDefinition("""
                    select ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b)
                    from (select ST_Transform(ST_Envelope(g.geom), 3857) as b
                          from boundary_displaced d
                          cross join lateral (values (d.geom), ((select r.geom from boundary_row r
                                                                 where r.version_id = @versionId and r.code = d.code))) g (geom)
                          -- Not the groupings kept aside with the level (France…: their own levels are rebuilt whole); a
                          -- territory the version added and its roll back deleted is the level's.
                          where d.version_id = @versionId and d.redrawn and g.geom is not null
                            and not exists (select 1 from territory o where o.id = d.territory_id and o.level <> @level)) boxes
                    """, new { versionId, level }, transaction, cancellationToken: ct))).ToList();
                phase("Tuiles vectorielles", "Vector tiles");
                await LevelTiles.RebuildPartAsync(connection, level, changed, areas, ct);
                continue;
            }

            await LevelTiles.BuildGeometryAsync(connection, rebuilt, ct);
            phase("Tuiles vectorielles", "Vector tiles");
            await LevelTiles.RebuildTilesAsync(connection, rebuilt, ct);
        }
    }

    /// <summary>
    /// Where a level's outlines come from, one entry per source in force: the data directory's import (its source
    /// text) or a published boundary version (file, uploaded and published when; who, for admins only: personal data).
    /// </summary>
    public static async Task<IReadOnlyList<BoundarySource>> SourcesAsync(NpgsqlDataSource db, string level, bool admin, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<BoundarySourceRow>(new CommandDefinition("""
            select t.vintage, t.source, t.boundary_version_id as versionid, count(*) as territories,
                   count(*) filter (where t.geom is null) as withoutpolygon,
                   v.file_name as filename, v.uploaded_by as uploadedby, v.uploaded_at as uploadedat, v.published_by as publishedby,
                   v.published_at as publishedat
            from territory t
            left join dataset_version v on v.id = t.boundary_version_id
            where t.level = @level
            group by t.vintage, t.source, t.boundary_version_id, v.file_name, v.uploaded_by, v.uploaded_at, v.published_by, v.published_at
            order by t.vintage desc, t.source
            """, new { level }, cancellationToken: ct));
        return rows.Select(r => new BoundarySource(r.Vintage, r.Source, r.Territories, r.WithoutPolygon,
            r.VersionId is null
                ? new FigureProvenance("import", Dataset: "geodata/manifest.json")
                : new FigureProvenance("contribution", Dataset: DatasetName(level), File: r.FileName, DatasetVersionId: r.VersionId,
                    UploadedAt: r.UploadedAt, UploadedBy: admin ? r.UploadedBy : null, PublishedAt: r.PublishedAt, PublishedBy: admin ? r.PublishedBy : null)))
            .ToList();
    }

    private sealed class BoundarySourceRow
    {
        public string Vintage { get; init; } = "";
        public string Source { get; init; } = "";
        public long? VersionId { get; init; }
        public long Territories { get; init; }
        public long WithoutPolygon { get; init; }
        public string? FileName { get; init; }
        public string? UploadedBy { get; init; }
        public DateTime? UploadedAt { get; init; }
        public string? PublishedBy { get; init; }
        public DateTime? PublishedAt { get; init; }
    }
}

/// <summary>One source of a level's outlines: its vintage and source text, how many territories it draws (and how many have no polygon in it), and its provenance.</summary>
public sealed record BoundarySource(string Vintage, string Source, long Territories, long WithoutPolygon, FigureProvenance Provenance);
