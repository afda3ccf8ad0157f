using System.Text.Json;
using Dapper;
using TerritoryAtlas.Web.Import;

namespace TerritoryAtlas.Web.Datasets;

public sealed partial class DatasetDrafts
{
    /// <summary>
    /// A boundary layer (<see cref="BoundaryUpload"/>) as a draft version of its level's boundary dataset: its features
    /// staged in boundary_row (made valid, normalised), the report saying what it holds and what its publication would
    /// replace. A feature that cannot be used (no code, duplicate, no polygon, outside France) refuses the whole file:
    /// half a layer would leave territories drawn from two vintages side by side without saying so.
    /// </summary>
    private async Task<DatasetVersionView> ContributeBoundariesAsync(string path, string fileName, ContributionMetadata metadata, Contributor who,
        ValidationReport report, System.Diagnostics.Stopwatch watch, CancellationToken ct)
    {
        using var upload = BoundaryUpload.Open(path, fileName, metadata, BoundaryLayers.MaxInflatedBytes(options.MaxUploadBytes));
        report.Layout = $"IGN ADMIN EXPRESS ({upload.Format})";
        var boundaries = new BoundaryReport
        {
            Level = upload.Level,
            Format = upload.Format,
            Layer = upload.LayerName,
            Vintage = upload.Vintage,
            VintageFrom = upload.VintageFrom,
        };
        report.Boundaries = boundaries;
        var problems = new List<RowProblem>();
        var opened = watch.Elapsed.TotalSeconds;
        var features = upload.Read(fileName, metadata.Srid, problems, out var crs);
        var read = watch.Elapsed.TotalSeconds;
        boundaries.Crs = crs;
        foreach (var outside in features.Where(f => !BoundaryUpload.InFrance(f.Geometry)))
        {
            var e = outside.Geometry.EnvelopeInternal;
            problems.Add(new RowProblem(0, "geometry", string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{outside.Code}: outside France and its overseas départements (extent {e.MinX:0.###} {e.MinY:0.###}, {e.MaxX:0.###} {e.MaxY:0.###}): is the coordinate system right?")));
        }

        report.Read = features.Count + problems.Count(p => p.Line > 0);
        boundaries.Features = features.Count;
        boundaries.Duplicates = problems.Count(p => p.Reason.StartsWith("duplicate code", StringComparison.Ordinal));
        boundaries.Empty = problems.Count(p => p.Column == "geometry" && p.Line > 0);
        if (features.Count > 0)
        {
            boundaries.Bbox = [features.Min(f => f.Geometry.EnvelopeInternal.MinX), features.Min(f => f.Geometry.EnvelopeInternal.MinY),
                features.Max(f => f.Geometry.EnvelopeInternal.MaxX), features.Max(f => f.Geometry.EnvelopeInternal.MaxY)];
        }

        foreach (var problem in problems)
        {
            report.Reject(problem);
        }

        if (problems.Count > 0)
        {
            var first = problems[0];
            throw new ContributionRefused(StatusCodes.Status422UnprocessableEntity,
                $"{fileName}: {problems.Count} features cannot be used (first: {(first.Line > 0 ? $"feature {first.Line}, " : "")}{first.Column}: {first.Reason}): nothing was stored", report);
        }

        if (features.Count == 0)
        {
            throw new ContributionRefused(StatusCodes.Status422UnprocessableEntity, $"{fileName}: the layer {upload.LayerName} holds no feature: nothing was stored", report);
        }

        await using var connection = await db.OpenConnectionAsync(ct);
        var inForce = await connection.QuerySingleAsync<(long Territories, int? Vintage)>(new CommandDefinition("""
            select count(*) filter (where geom is not null), max(substring(vintage from '[0-9]{4}')::int) from territory where level = @level
            """, new { level = upload.Level }, cancellationToken: ct));
        if (inForce.Territories == 0)
        {
            throw new ImportException(fileName, "level", $"the atlas has no {upload.Level} outlines in force to replace (run the import first)");
        }

        boundaries.VintageInForce = inForce.Vintage;
        if (upload.Level == "commune" && inForce.Vintage is { } layerVintage && upload.Vintage > layerVintage)
        {
            // A later COG: the communes merged since are drawn on their new outline with the figures of that perimeter
            // (perimeter_observation, drawn_on_current_perimeter), the communes they absorbed lose theirs; perimeter changes
            // and carried codes stay counted from the import's vintage, whose communes are never deleted.
            boundaries.Warnings.Add($"a later COG than the communes in force (COG {layerVintage}): a commune nouvelle this layer draws on its new outline shows, for every year, its figure on that perimeter (the sum of its former communes for a count, a rate recomputed from such sums, none where the series breaks); the communes it absorbed are no longer drawn, and keep their figures in series, portraits and exports");
        }

        if (inForce.Vintage is { } current && upload.Vintage < current)
        {
            // A figure belongs to the vintage it was published in: drawing it on an older layer than the one in force
            // would put later figures on former perimeters.
            throw new ContributionRefused(StatusCodes.Status422UnprocessableEntity,
                $"{fileName}: COG {upload.Vintage} is older than the {upload.Level} outlines in force (COG {current}): nothing was stored", report);
        }

        if (inForce.Vintage == upload.Vintage)
        {
            boundaries.Warnings.Add($"same vintage as the outlines in force (COG {upload.Vintage}): a corrected edition replaces them");
        }

        await using var transaction = await connection.BeginTransactionAsync(ct);
        var versionId = await InsertObservatoryDraftAsync(connection, transaction, BoundaryLayers.DatasetName(upload.Level), fileName, upload.Format,
            JsonSerializer.Serialize(metadata with { Level = upload.Level, Vintage = upload.Vintage }, ManifestFiles.Options), "{}", who, ct);
        var checkedAt = watch.Elapsed.TotalSeconds;
        var staged = await BoundaryLayers.StageAsync(connection, transaction, versionId, upload.Level, features, boundaries, ct);
        report.Accepted = staged;
        await connection.ExecuteAsync(new CommandDefinition("update dataset_version set report = @report::jsonb where id = @versionId",
            new { versionId, report = JsonSerializer.Serialize(report, ManifestFiles.Options) }, transaction, cancellationToken: ct));
        await transaction.CommitAsync(ct);
        log.LogInformation("Boundary layer {File} ({Level}, COG {Vintage}) drafted as version {Version} by {By}: {Features} features, {Matched} matched, {New} new, {Missing} missing, {Repaired} repaired, in {Seconds:0.00} s: copied and unpacked {Opened:0.00} s; features read and reprojected {Read:0.00} s; checked {Checked:0.00} s; staged, made valid and compared {Staged:0.00} s",
            fileName, upload.Level, upload.Vintage, versionId, who.Name, boundaries.Features, boundaries.Matched, boundaries.New, boundaries.Missing,
            boundaries.Repaired, watch.Elapsed.TotalSeconds, opened, read - opened, checkedAt - read, watch.Elapsed.TotalSeconds - checkedAt);
        return (await versions.GetAsync(versionId, who, ct))!;
    }
}
