using System.Text.Json;
using Dapper;
using TerritoryAtlas.Web.Import;

namespace TerritoryAtlas.Web.Datasets;

public sealed partial class DatasetDrafts
{
    /// <summary>
    /// INSEE's commune correspondence (<see cref="GeographyChanges"/>) as a draft version of the one geography dataset:
    /// its perimeter changes staged in perimeter_change_source, the report saying what publishing it would change.
    /// A row that cannot be read, or a cycle, refuses the whole file: a partial correspondence would misplace figures.
    /// </summary>
    private async Task<DatasetVersionView> ContributeGeographyAsync(ContributionFile table, string fileName, string layout,
        ContributionMetadata metadata, Contributor who, ValidationReport report, System.Diagnostics.Stopwatch watch, CancellationToken ct)
    {
        report.Layout = layout;
        await using var connection = await db.OpenConnectionAsync(ct);
        var layer = (await connection.QueryAsync<(string Code, string Name)>(new CommandDefinition(
            "select code, name from territory where level = 'commune'", cancellationToken: ct))).ToDictionary(t => t.Code, t => t.Name, StringComparer.Ordinal);
        // The vintage the communes' codes are counted from: the import's layer. A later COG's layer redraws the communes
        // it still has and leaves those it absorbed with theirs (never deleted), so the oldest vintage is the base.
        var vintage = await connection.ExecuteScalarAsync<int?>(new CommandDefinition(
            "select min(substring(vintage from '[0-9]{4}')::int) from territory where level = 'commune'", cancellationToken: ct))
            ?? throw new ImportException(fileName, "geography", "the atlas has no commune layer yet to place the changes on (run the import first)");
        var links = GeographyChanges.ReadLinks(layout, fileName, table.Header, table.Records, vintage, report);
        var geography = new GeographyReport { BoundaryVintage = vintage, LastVintage = links.Count == 0 ? vintage : links.Max(l => l.KnownBy) };
        report.Geography = geography;
        IReadOnlyCollection<string> start = layer.Keys;
        if (layout == GeographyChanges.TablePassage && links.Count > 0)
        {
            // The table's own communes of the layer's vintage; those the layer does not have are listed, not guessed.
            var first = links.Min(l => l.KnownBy);
            start = links.Where(l => l.KnownBy == first).Select(l => l.From).ToHashSet(StringComparer.Ordinal);
            foreach (var code in start.Where(c => !layer.ContainsKey(c)).Order(StringComparer.Ordinal))
            {
                report.UnknownCodes.Add(new UnmatchedCode("commune", code, $"absente de la couche communale (COG {vintage})", 1));
            }
        }

        var changes = GeographyChanges.Resolve(start, layer, links, report, geography);
        if (report.RejectedCount > 0)
        {
            throw new ContributionRefused(StatusCodes.Status422UnprocessableEntity,
                $"{fileName}: {report.RejectedCount} rows cannot be read as INSEE's {layout} (first: line {report.Rejected[0].Line}, {report.Rejected[0].Column}: {report.Rejected[0].Reason}): nothing was stored",
                report);
        }

        var inForce = (await connection.QueryAsync<InForceChange>(new CommandDefinition("""
            select code, kind, parts, from_year as fromyear, coalesce(known_by, from_year) as knownby from perimeter_change where level = 'commune'
            """, cancellationToken: ct)))
            .Select(c => new CommuneChange(c.Code, c.Code, c.FromYear, c.KnownBy, c.Kind, c.Parts, "", "")).ToList();
        GeographyChanges.Compare(changes, inForce, layer, geography);
        report.Accepted = changes.Count + geography.Recoded.Count;
        if (report.Accepted == 0)
        {
            throw new ContributionRefused(StatusCodes.Status422UnprocessableEntity,
                $"{fileName}: no commune of the layer (COG {vintage}) merged, split or changed code by COG {geography.LastVintage} in this file: nothing was stored", report);
        }

        await using var transaction = await connection.BeginTransactionAsync(ct);
        var versionId = await InsertObservatoryDraftAsync(connection, transaction, GeographyChanges.DatasetName, fileName, table.Format,
            JsonSerializer.Serialize(metadata, ManifestFiles.Options), JsonSerializer.Serialize(report, ManifestFiles.Options), who, ct);
        var source = $"INSEE, {(layout == GeographyChanges.TablePassage ? "table de passage annuelle" : "COG, mouvements des communes")} ({fileName}), version {versionId}";
        await connection.ExecuteAsync(new CommandDefinition("""
            insert into perimeter_change_source (level, code, from_year, kind, parts, reason_fr, reason_en, source, known_by, dataset_version_id)
            select 'commune', c.code, c.from_year, c.kind, string_to_array(c.parts, ','), c.reason_fr, c.reason_en, @source, c.known_by, @versionId
            from unnest(@codes, @fromYears, @kinds, @parts, @reasonsFr, @reasonsEn, @knownBy)
                 as c (code, from_year, kind, parts, reason_fr, reason_en, known_by)
            """, new
        {
            source,
            versionId,
            codes = changes.Select(c => c.Code).ToArray(),
            fromYears = changes.Select(c => (short)c.FromYear).ToArray(),
            kinds = changes.Select(c => c.Kind).ToArray(),
            parts = changes.Select(c => string.Join(',', c.Parts)).ToArray(),
            reasonsFr = changes.Select(c => c.ReasonFr).ToArray(),
            reasonsEn = changes.Select(c => c.ReasonEn).ToArray(),
            knownBy = changes.Select(c => (short)c.KnownBy).ToArray(),
        }, transaction, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition("""
            insert into commune_code_link (dataset_version_id, code, boundary_code) select @versionId, c.code, c.boundary_code
            from unnest(@codes, @boundaryCodes) as c (code, boundary_code)
            """, new
        {
            versionId,
            codes = geography.Recoded.Select(r => r.Code).ToArray(),
            boundaryCodes = geography.Recoded.Select(r => r.BoundaryCode).ToArray(),
        }, transaction, cancellationToken: ct));
        await transaction.CommitAsync(ct);
        log.LogInformation("Commune correspondence {File} drafted as version {Version} by {By}: {Merges} merges, {Splits} splits, {New} new, {Changed} changed, in {Seconds:0.00} s",
            fileName, versionId, who.Name, geography.Merges, geography.Splits, geography.New, geography.Changed, watch.Elapsed.TotalSeconds);
        return (await versions.GetAsync(versionId, who, ct))!;
    }

    private sealed class InForceChange
    {
        public string Code { get; init; } = "";
        public string Kind { get; init; } = "";
        public string[] Parts { get; init; } = [];
        public short FromYear { get; init; }
        public short KnownBy { get; init; }
    }
}
