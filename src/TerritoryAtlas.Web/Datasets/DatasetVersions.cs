using System.Text.Json;
using Dapper;
using Npgsql;
using TerritoryAtlas.Web.Data;
using TerritoryAtlas.Web.Import;

namespace TerritoryAtlas.Web.Datasets;

public sealed record DatasetVersionView(
    long Id, long DatasetId, string Dataset, int? OrganisationId, string Status, string FileName, string Format,
    string UploadedBy, DateTime UploadedAt, string? PublishedBy, DateTime? PublishedAt, string? RolledBackBy, DateTime? RolledBackAt,
    ValidationReport Report, IReadOnlyList<PreviewYear> Preview);

public sealed record DatasetVersionSummary(
    long Id, string Dataset, string? Organisation, string Status, string FileName, string UploadedBy, DateTime UploadedAt,
    string? PublishedBy, DateTime? PublishedAt, long Accepted, long Rejected);

public sealed record DraftValue(string Code, string Name, double? Draft, string DraftStatus, double? Published);

public sealed record DraftMapValues(string Level, double[]? Bounds, IReadOnlyList<DraftValue> Values);

public sealed record PreviewYear(string Indicator, short Year, long New, long Revised, long Unchanged);

public sealed record PreviewRow(
    string Level, string Code, string Name, string Indicator, short Year, double? Draft, string DraftStatus, double? Published,
    string? PublishedDataset);

/// <summary>
/// What producers and admins read of the dataset versions: the list, one version with its report and the comparison
/// with the figures in force, its first figures beside the published ones, and one indicator and year for a preview map.
/// </summary>
public sealed class DatasetVersions(NpgsqlDataSource db)
{
    /// <summary>The versions a contributor may see (their organisations', or all for admins), newest first.</summary>
    public async Task<IReadOnlyList<DatasetVersionSummary>> ListAsync(Contributor who, int limit, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return (await connection.QueryAsync<DatasetVersionSummary>(new CommandDefinition("""
            select v.id, d.name as dataset, o.name as organisation, v.status, v.file_name as filename, v.uploaded_by as uploadedby,
                   v.uploaded_at as uploadedat, v.published_by as publishedby, v.published_at as publishedat,
                   coalesce((v.report ->> 'accepted')::bigint, 0) as accepted, coalesce((v.report ->> 'rejected_count')::bigint, 0) as rejected
            from dataset_version v
            join dataset d on d.id = v.dataset_id
            left join organisation o on o.id = d.organisation_id
            where @admin or d.organisation_id = any(@organisations)
            order by v.uploaded_at desc, v.id desc
            limit @limit
            """, new { admin = who.IsAdmin, organisations = who.IsProducer ? who.OrganisationIds.ToArray() : [], limit }, cancellationToken: ct))).ToList();
    }

    /// <summary>A version as its producer and the admins see it (null when absent or not theirs to see).</summary>
    /// <remarks>
    /// <paramref name="withPreview"/> false: without the comparison with the figures in force (a read of every row
    /// of the version), as publication and roll back answer. Right after either, that comparison says nothing new
    /// (a version just published equals what is published), and reading it after the commit could fail and turn a
    /// publication that happened into an error; GET gives it.
    /// </remarks>
    public async Task<DatasetVersionView?> GetAsync(long id, Contributor who, CancellationToken ct, bool withPreview = true)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<VersionRow>(new CommandDefinition("""
            select v.id, v.dataset_id as datasetid, d.name as dataset, d.organisation_id as organisationid, v.status, v.file_name as filename,
                   v.format, v.uploaded_by as uploadedby, v.uploaded_at as uploadedat, v.published_by as publishedby,
                   v.published_at as publishedat, v.rolled_back_by as rolledbackby, v.rolled_back_at as rolledbackat, v.report::text as report
            from dataset_version v join dataset d on d.id = v.dataset_id
            where v.id = @id
            """, new { id }, cancellationToken: ct));
        if (row is null || !who.MaySee(row.OrganisationId))
        {
            return null;
        }

        var preview = withPreview
            ? (await connection.QueryAsync<PreviewYear>(new CommandDefinition(AtlasDatabase.Sql("Datasets.preview.sql"),
                new { version_id = id, indicators = await IndicatorsAsync(connection, null, [id], ct) }, cancellationToken: ct))).ToList()
            : [];
        return new DatasetVersionView(row.Id, row.DatasetId, row.Dataset, row.OrganisationId, row.Status, row.FileName, row.Format,
            row.UploadedBy, row.UploadedAt, row.PublishedBy, row.PublishedAt, row.RolledBackBy, row.RolledBackAt,
            JsonSerializer.Deserialize<ValidationReport>(row.Report, ManifestFiles.Options)!, preview);
    }

    public async Task<IReadOnlyList<PreviewRow>> PreviewRowsAsync(long id, Contributor who, int limit, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        if (await VisibleDatasetAsync(connection, id, who, ct) is null)
        {
            return [];
        }

        var indicators = await IndicatorsAsync(connection, null, [id], ct);
        return (await connection.QueryAsync<PreviewRow>(new CommandDefinition(
            AtlasDatabase.Sql("Datasets.preview_rows.sql"), new { version_id = id, indicators, limit }, cancellationToken: ct))).ToList();
    }

    /// <summary>
    /// One indicator and year of a version for its preview map: at the level holding most of its figures, each
    /// territory's draft and published value, and the extent that frames them.
    /// </summary>
    public async Task<DraftMapValues?> DraftValuesAsync(long id, Contributor who, string indicator, short year, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        if (await VisibleDatasetAsync(connection, id, who, ct) is null)
        {
            return null;
        }

        var rows = (await connection.QueryAsync<DraftValueRow>(new CommandDefinition(
            AtlasDatabase.Sql("Datasets.draft_values.sql"), new { version_id = id, indicator, year }, cancellationToken: ct))).ToList();
        if (rows.Count == 0)
        {
            return null;
        }

        var level = rows.GroupBy(r => r.Level).MaxBy(g => g.Count())!.Key;
        var shown = rows.Where(r => r.Level == level).ToList();
        var framed = shown.Where(r => r.XMin is not null).ToList();
        double[]? bounds = framed.Count == 0 ? null : [framed.Min(r => r.XMin!.Value), framed.Min(r => r.YMin!.Value), framed.Max(r => r.XMax!.Value), framed.Max(r => r.YMax!.Value)];
        return new DraftMapValues(level, bounds, shown.Select(r => new DraftValue(r.Code, r.Name, r.Draft, r.DraftStatus, r.Published)).ToList());
    }

    /// <summary>The indicators a version's rows feed (a dataset's versions feed the same ones; read, not assumed).</summary>
    internal static async Task<string[]> IndicatorsAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, long[] versions, CancellationToken ct) =>
        (await connection.QueryAsync<string>(new CommandDefinition(
            "select distinct indicator_code from dataset_row where version_id = any(@versions)", new { versions }, transaction, cancellationToken: ct)))
        .ToArray();

    /// <summary>
    /// One vector tile (MVT, layer <c>draft</c>) of a boundary version's outlines, each with its code, name and status
    /// against the level in force (new, reshaped, unchanged): the preview map of a layer before it is published. Null
    /// when the version is not the contributor's to see or not a boundary layer; empty where the layer has nothing.
    /// </summary>
    public async Task<byte[]?> BoundaryTileAsync(long id, Contributor who, int z, int x, int y, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        if (await VisibleDatasetAsync(connection, id, who, ct) is not { } dataset || !BoundaryLayers.IsBoundaries(dataset))
        {
            return null;
        }

        // Half a pixel of a 256-pixel tile at this zoom, in degrees at the equator (finer at France's latitudes: safe).
        var tolerance = 360.0 / (512 << Math.Min(z, 20));
        var level = BoundaryLayers.LevelOf(dataset);
        // Unchanged outlines only where they are few enough to send: a commune layer's from zoom 7 (a few hundred a tile).
        var allFromZoom = level == "commune" ? 7 : 0;
        // No JIT: the planner's estimate for a tile of thousands of polygons makes PostgreSQL compile the query, which
        // took 2.2 s of a 3.6 s zoom-5 commune tile (the query itself: 1.4 s; explain analyze, 2026-12-06).
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("select set_config('jit', 'off', true)", transaction: transaction, cancellationToken: ct));
        var tile = await connection.ExecuteScalarAsync<byte[]>(new CommandDefinition(AtlasDatabase.Sql("Datasets.boundary_draft_tile.sql"),
            new { version_id = id, level, z, x, y, tolerance, extent = 4096, all_from_zoom = allFromZoom }, transaction, cancellationToken: ct));
        await transaction.CommitAsync(ct);
        return tile ?? [];
    }

    /// <summary>
    /// The version's dataset name when the version exists and is the contributor's to see, else null: one row read,
    /// where <see cref="GetAsync"/> would also aggregate the whole version for its preview.
    /// </summary>
    private static async Task<string?> VisibleDatasetAsync(NpgsqlConnection connection, long id, Contributor who, CancellationToken ct)
    {
        var version = await connection.QuerySingleOrDefaultAsync<(string Dataset, int? Organisation)>(new CommandDefinition(
            "select d.name, d.organisation_id from dataset_version v join dataset d on d.id = v.dataset_id where v.id = @id",
            new { id }, cancellationToken: ct));
        return version.Dataset is not null && who.MaySee(version.Organisation) ? version.Dataset : null;
    }

    private sealed class DraftValueRow
    {
        public string Level { get; init; } = "";
        public string Code { get; init; } = "";
        public string Name { get; init; } = "";
        public double? Draft { get; init; }
        public string DraftStatus { get; init; } = "";
        public double? Published { get; init; }
        public double? XMin { get; init; }
        public double? YMin { get; init; }
        public double? XMax { get; init; }
        public double? YMax { get; init; }
    }
}

/// <summary>A version's row as publication and the readers load it.</summary>
internal sealed class VersionRow
{
    public long Id { get; init; }
    public long DatasetId { get; init; }
    public string Dataset { get; init; } = "";
    public int? OrganisationId { get; init; }
    public string Status { get; init; } = "";
    public string FileName { get; init; } = "";
    public string Format { get; init; } = "";
    public string UploadedBy { get; init; } = "";
    public DateTime UploadedAt { get; init; }
    public string? PublishedBy { get; init; }
    public DateTime? PublishedAt { get; init; }
    public string? RolledBackBy { get; init; }
    public DateTime? RolledBackAt { get; init; }
    public string Report { get; init; } = "{}";
    public string? Metadata { get; init; }
}
