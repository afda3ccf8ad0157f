using System.Data;
using System.Security.Claims;
using System.Text.Json;
using Dapper;
using Npgsql;
using TerritoryAtlas.Web.Accounts;
using TerritoryAtlas.Web.Data;
using TerritoryAtlas.Web.Import;

namespace TerritoryAtlas.Web.Datasets;

/// <summary>Who contributes or publishes: their name for provenance, and what they may do.</summary>
public sealed record Contributor(string Name, bool IsAdmin, bool IsProducer, IReadOnlyList<int> OrganisationIds)
{
    public static Contributor From(ClaimsPrincipal user)
    {
        var viewer = Viewer.From(user);
        return new Contributor(
            user.FindFirstValue(ClaimTypes.Name) ?? user.FindFirstValue(ClaimTypes.Email) ?? user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "unknown",
            viewer.IsAdmin, user.IsInRole(AtlasRoles.Producer), viewer.OrganisationIds);
    }
}

/// <summary>A contribution refused before anything changed: the problem and the validation report so far.</summary>
public sealed class ContributionRefused(int status, string problem, ValidationReport? report) : Exception(problem)
{
    public int Status { get; } = status;
    public string Problem { get; } = problem;
    public ValidationReport? Report { get; } = report;
}

public sealed record DatasetVersionView(
    long Id, long DatasetId, string Dataset, int? OrganisationId, string Status, string FileName, string Format,
    string UploadedBy, DateTime UploadedAt, string? PublishedBy, DateTime? PublishedAt, string? RolledBackBy, DateTime? RolledBackAt,
    ValidationReport Report, IReadOnlyList<PreviewYear> Preview);

public sealed record DatasetVersionSummary(
    long Id, string Dataset, string? Organisation, string Status, string FileName, string UploadedBy, DateTime UploadedAt,
    string? PublishedBy, DateTime? PublishedAt, long Accepted, long Rejected);

public sealed record DraftValue(string Code, string Name, double? Draft, string DraftStatus, double? Published);

public sealed record DraftMapValues(string Level, double[]? Bounds, IReadOnlyList<DraftValue> Values);

/// <summary>
/// Where a publication or a roll back stands, for a page to show while it runs: step <paramref name="Number"/> of
/// <paramref name="Count"/>, said in French and English. Everything happens in one transaction: until the last step
/// ends, readers see the previous figures.
/// </summary>
public sealed record PublicationPhase(int Number, int Count, string French, string English);

public sealed record PreviewYear(string Indicator, short Year, long New, long Revised, long Unchanged);

public sealed record PreviewRow(
    string Level, string Code, string Name, string Indicator, short Year, double? Draft, string DraftStatus, double? Published,
    string? PublishedDataset);

public sealed class DatasetOptions
{
    /// <summary>The largest file a contribution may upload (Datasets:MaxUploadMegabytes, 200 MB).</summary>
    public long MaxUploadBytes { get; set; } = 200L * 1024 * 1024;
}

/// <summary>
/// Contributions of partners' files: validated through <see cref="ObservationPipeline"/> into a draft version,
/// published in one transaction (the data version moves so every instance's caches and open maps follow), rolled
/// back to the previous version in one action.
/// </summary>
public sealed class DatasetService(NpgsqlDataSource db, IConfiguration configuration, DatasetOptions options, Data.DataVersion dataVersion,
    ILogger<DatasetService> log)
{
    private static readonly SemaphoreSlim CorrespondenceLock = new(1, 1);
    private static IReadOnlyDictionary<(string Level, string Code), string>? _correspondences;

    /// <summary>
    /// The transaction-scoped advisory lock every publication and roll back holds: one at a time, since the derived
    /// figures are recomputed over whole tables. Whatever else rewrites observations takes it too.
    /// </summary>
    public const long PublicationLock = 1413;

    public long MaxUploadBytes => options.MaxUploadBytes;

    /// <summary>Reads, validates and stores a file as a draft version. Refuses (changing nothing) a file it cannot read.</summary>
    public async Task<DatasetVersionView> ContributeAsync(
        Stream file, string fileName, ContributionMetadata? metadata, Contributor who, Action<long>? progress, CancellationToken ct)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        metadata ??= new ContributionMetadata();
        var organisation = OrganisationFor(who, metadata);
        var report = new ValidationReport { File = fileName };
        try
        {
            if (metadata.Cog is < 1943 or > 2100)
            {
                throw new ImportException(fileName, "metadata cog", $"{metadata.Cog} is not a COG year (e.g. 2024)");
            }

            var copy = await ContributionFile.CopyAsync(file, fileName, options.MaxUploadBytes, ct);
            if (BoundaryUpload.Recognises(copy, fileName))
            {
                try
                {
                    // The outlines every figure is drawn on are the observatory's: an organisation's producer does not change them.
                    return who.IsAdmin
                        ? await ContributeBoundariesAsync(copy, fileName, metadata, who, report, watch, ct)
                        : throw new ContributionRefused(StatusCodes.Status403Forbidden,
                            $"{fileName} is a boundary layer: the territories' outlines are the observatory's, only an admin uploads them", null);
                }
                finally
                {
                    File.Delete(copy);
                }
            }

            using var table = ContributionFile.OpenCopy(copy, fileName);
            if (GeographyChanges.Recognise(table.Header) is { } geography)
            {
                // The geography every figure is read on is the observatory's: an organisation's producer does not change it.
                return who.IsAdmin
                    ? await ContributeGeographyAsync(table, fileName, geography, metadata, who, report, watch, ct)
                    : throw new ContributionRefused(StatusCodes.Status403Forbidden,
                        $"{fileName} is INSEE's commune correspondence ({geography}): the communes' perimeters are the observatory's, only an admin uploads them", null);
            }

            var signature = ContributionRows.HeaderSignature(table.Header);
            await using var connection = await db.OpenConnectionAsync(ct);
            var mapping = ContributionRows.IsTidy(table.Header) ? null : metadata.Mapping;
            // A producer's file as downloaded: its header says which official layout it is, and the layout says the rest.
            var layoutFile = new LayoutFile(fileName, table.Header, table.Records, metadata.Year, metadata.Level) { Report = report };
            var layout = mapping is null && !ContributionRows.IsTidy(table.Header) ? OfficialLayouts.Recognise(layoutFile) : null;
            report.Layout = layout?.Name;
            if (mapping is null && layout is null && !ContributionRows.IsTidy(table.Header) && organisation is not null)
            {
                var remembered = await connection.QuerySingleOrDefaultAsync<(string Mapping, string? Metadata)?>(new CommandDefinition(
                    "select mapping::text, metadata::text from dataset_mapping where organisation_id = @organisation and header_signature = @signature",
                    new { organisation, signature }, cancellationToken: ct));
                if (remembered is { } r)
                {
                    // Next year's file: the mapping and the indicator's description as last given, for this producer and shape.
                    mapping = JsonSerializer.Deserialize<ColumnMapping>(r.Mapping, ManifestFiles.Options);
                    if (metadata.LabelFr is null && r.Metadata is not null
                        && JsonSerializer.Deserialize<ContributionMetadata>(r.Metadata, ManifestFiles.Options) is { } previous)
                    {
                        metadata = previous with { Code = metadata.Code ?? previous.Code, OrganisationId = metadata.OrganisationId ?? previous.OrganisationId };
                    }
                }
            }

            if (mapping is null && layout is null && !ContributionRows.IsTidy(table.Header))
            {
                throw new ImportException(fileName, "line 1",
                    $"not in the tidy long format (geo_level, geo_code, indicator, year, value) nor in a producer's layout the atlas knows ({string.Join(", ", OfficialLayouts.All.Select(l => l.Name))}), and no mapping is given or remembered for these columns: {string.Join(", ", table.Header)}");
            }

            var effective = mapping ?? ContributionRows.TidyFor(table.Header);
            IEnumerable<SourceObservation> rows;
            if (layout is not null)
            {
                // Checks what the whole file must say (year, level) before anything is stored.
                rows = layout.Read(layoutFile);
            }
            else
            {
                ContributionRows.CheckMapping(effective, table.Header, fileName, metadata.Code);
                rows = ContributionRows.Read(table.Records, table.Header, effective, metadata.Code);
            }

            var context = await PipelineContext.LoadAsync(connection, await CorrespondencesAsync(ct), ct);
            var newIndicator = await NewIndicatorAsync(connection, metadata, fileName, ct);
            if (newIndicator is not null)
            {
                context = context.With(newIndicator);
            }

            await using var transaction = await connection.BeginTransactionAsync(ct);
            var versionId = await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
                insert into dataset_version (dataset_id, file_name, format, mapping, metadata, report, status, uploaded_by)
                values (null, @fileName, @format, @mapping::jsonb, @metadata::jsonb, '{}', 'draft', @by)
                returning id
                """, new
            {
                fileName,
                format = table.Format,
                mapping = mapping is null ? null : JsonSerializer.Serialize(mapping, ManifestFiles.Options),
                metadata = JsonSerializer.Serialize(metadata, ManifestFiles.Options),
                by = who.Name,
            }, transaction, cancellationToken: ct)).ConfigureAwait(false);
            IReadOnlyList<UnmatchedCode> unplacedIris = [];
            if (layout is { Iris: true })
            {
                // IRIS become territories (under their commune) with the draft, in its transaction. A CAF file is a few
                // thousand IRIS: held whole here, since they must be registered before any of its figures is placed.
                var irisRows = rows.ToList();
                (context, unplacedIris) = await IrisTerritories.RegisterAsync(connection, transaction, irisRows,
                    irisRows.FirstOrDefault(r => r.Rejection is null)?.Year, fileName, context, ct);
                rows = irisRows;
            }

            // A figure's vintage: the one the producer states, else the COG of 1 January of its year (what most yearly
            // files use), except INSEE's populations légales of year N, published on the communes of 1 January N+2.
            var cog = metadata.Cog;
            var offset = layout == OfficialLayouts.PopulationsLegales ? 2 : 0;
            rows = rows.Select(r => r with { Cog = (short)(cog ?? r.Year + offset) });
            var prepared = watch.Elapsed.TotalSeconds;
            var accepted = ObservationPipeline.Validate(rows, report, context, strict: false, progress);
            var indicators = new SortedSet<string>(StringComparer.Ordinal);
            await ObservationPipeline.CopyAsync(connection, "dataset_row",
                accepted.Select(a =>
                {
                    indicators.Add(a.Indicator);
                    return a;
                }), ct, ("version_id", versionId));
            var copied = watch.Elapsed.TotalSeconds;
            report.UnknownCodes.AddRange(unplacedIris);
            if (report.Accepted == 0)
            {
                throw new ContributionRefused(StatusCodes.Status422UnprocessableEntity,
                    $"{fileName}: no row can be used ({report.RejectedCount} rejected): nothing was stored", report);
            }

            // A dataset is one producer's series of one set of indicators: next year's file of the same indicators is
            // its next version, and rolling back returns to this one.
            var name = $"contribution:{organisation?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "observatory"}:{string.Join(',', indicators)}";
            var datasetId = await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
                insert into dataset (name, organisation_id) values (@name, @organisation)
                on conflict (name) do update set name = excluded.name
                returning id
                """, new { name, organisation }, transaction, cancellationToken: ct));
            await connection.ExecuteAsync(new CommandDefinition(
                "update dataset_version set dataset_id = @datasetId, report = @report::jsonb where id = @versionId",
                new { datasetId, versionId, report = JsonSerializer.Serialize(report, ManifestFiles.Options) }, transaction, cancellationToken: ct));
            if (mapping is not null && organisation is not null)
            {
                await connection.ExecuteAsync(new CommandDefinition("""
                    insert into dataset_mapping (organisation_id, header_signature, mapping, metadata) values (@organisation, @signature, @mapping::jsonb, @metadata::jsonb)
                    on conflict (organisation_id, header_signature) do update set mapping = excluded.mapping, metadata = excluded.metadata, updated_at = now()
                    """, new
                {
                    organisation,
                    signature,
                    mapping = JsonSerializer.Serialize(mapping, ManifestFiles.Options),
                    metadata = JsonSerializer.Serialize(metadata with { Mapping = null }, ManifestFiles.Options),
                }, transaction, cancellationToken: ct));
            }

            await transaction.CommitAsync(ct);
            var stored = watch.Elapsed.TotalSeconds;
            var view = (await GetAsync(versionId, who, ct))!;
            // Where a validation's time went, as a publication's log says it (bench/datasets.sh prints both).
            log.LogInformation(
                "Dataset version {Version} drafted from {File} by {By}: {Accepted} accepted, {Rejected} rejected, in {Seconds:0.00} s: file copied and opened {Prepared:0.00} s; rows read, validated and copied into dataset_row {Copied:0.00} s; stored {Stored:0.00} s; preview {Preview:0.00} s",
                versionId, fileName, who.Name, report.Accepted, report.RejectedCount, watch.Elapsed.TotalSeconds, prepared, copied - prepared,
                stored - copied, watch.Elapsed.TotalSeconds - stored);
            return view;
        }
        catch (ImportException e)
        {
            report.FileError = e.Message;
            throw new ContributionRefused(StatusCodes.Status422UnprocessableEntity, e.Message, report);
        }
    }

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
        var vintage = await connection.ExecuteScalarAsync<int?>(new CommandDefinition(
            "select max(substring(vintage from '[0-9]{4}')::int) from territory where level = 'commune'", cancellationToken: ct))
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
        return (await GetAsync(versionId, who, ct))!;
    }

    /// <summary>
    /// A draft version of one of the observatory's own datasets (commune correspondences, a level's boundaries: no
    /// organisation), the dataset made on its first upload; its id.
    /// </summary>
    private static async Task<long> InsertObservatoryDraftAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string dataset,
        string fileName, string format, string metadata, string report, Contributor who, CancellationToken ct)
    {
        var datasetId = await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
            insert into dataset (name, organisation_id) values (@dataset, null)
            on conflict (name) do update set name = excluded.name
            returning id
            """, new { dataset }, transaction, cancellationToken: ct));
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition("""
            insert into dataset_version (dataset_id, file_name, format, mapping, metadata, report, status, uploaded_by)
            values (@datasetId, @fileName, @format, null, @metadata::jsonb, @report::jsonb, 'draft', @by)
            returning id
            """, new { datasetId, fileName, format, metadata, report, by = who.Name }, transaction, cancellationToken: ct));
    }

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
        if (row is null || !MaySee(who, row.OrganisationId))
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
        if (!await MaySeeVersionAsync(connection, id, who, ct))
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
        if (!await MaySeeVersionAsync(connection, id, who, ct))
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

    /// <summary>
    /// Makes a draft (or an earlier version) the dataset's current figures, in one transaction: the current version is
    /// superseded (what it had replaced comes back), the figures go in, the derived figures of the indicators they
    /// touch are recomputed and the data version moves. A kill during it leaves the previous version current and whole.
    /// </summary>
    public Task<DatasetVersionView> PublishAsync(long id, Contributor who, CancellationToken ct) => PublishAsync(id, who, null, ct);

    /// <inheritdoc cref="PublishAsync(long, Contributor, CancellationToken)"/>
    /// <param name="progress">told each phase as it starts (<see cref="PublicationPhase"/>), for a page to show.</param>
    public async Task<DatasetVersionView> PublishAsync(long id, Contributor who, IProgress<PublicationPhase>? progress, CancellationToken ct)
    {
        var phases = new Phases(progress);
        phases.Next("Vérification de la version et des droits", "Checking the version and the rights");
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
        var version = await LockVersionAsync(connection, transaction, id, who, ct);
        if (version.Status is not ("draft" or "superseded"))
        {
            throw new ContributionRefused(StatusCodes.Status409Conflict, $"version {id} is {version.Status}: only a draft or a superseded version can be published", null);
        }

        await MayPublishAsync(connection, transaction, who, version.OrganisationId, ct);
        phases.Next("Retrait de la version en cours", "Taking the current version off");
        var current = await UnpublishCurrentAsync(connection, transaction, version, "superseded", who, ct);
        if (BoundaryLayers.IsBoundaries(version.Dataset))
        {
            await BoundaryLayers.PublishAsync(connection, transaction, version.Id, BoundaryLayers.LevelOf(version.Dataset), who.Name,
                (french, english) => phases.Next(french, english), ct);
            return await CommitAndAnswerAsync(connection, transaction, id, who, phases, "published", ct);
        }

        if (!GeographyChanges.IsGeography(version.Dataset))
        {
            await DefineIndicatorAsync(connection, transaction, version, ct);
        }

        phases.Next("Écriture des chiffres de la version", "Writing the version's figures");
        var indicators = await IndicatorsAsync(connection, transaction, [id], ct);
        await connection.ExecuteScalarAsync<long>(new CommandDefinition(AtlasDatabase.Sql("Datasets.publish.sql"),
            new { version_id = id, indicators, name = version.Dataset, by = who.Name }, transaction, commandTimeout: 0, cancellationToken: ct));
        var touched = current is { } c ? indicators.Union(await IndicatorsAsync(connection, transaction, [c], ct)).ToArray() : indicators;
        await (GeographyChanges.IsGeography(version.Dataset)
            ? ApplyPerimetersAndMoveAsync(connection, transaction, phases, ct)
            : RecomputeAndMoveAsync(connection, transaction, touched, phases, ct));
        phases.Next("Enregistrement", "Saving");
        await transaction.CommitAsync(ct);
        // Other instances follow the data version within two seconds; this one at once, so whoever published sees it.
        dataVersion.Invalidate();
        var times = phases.Times();
        log.LogInformation("Dataset version {Version} published by {By}: {Phases}", id, who.Name, times);
        return (await GetAsync(id, who, ct, withPreview: false))!;
    }

    /// <summary>Rolls the dataset's current version (<paramref name="id"/>) back: the previous version becomes current again.</summary>
    public Task<DatasetVersionView> RollbackAsync(long id, Contributor who, CancellationToken ct) => RollbackAsync(id, who, null, ct);

    /// <inheritdoc cref="RollbackAsync(long, Contributor, CancellationToken)"/>
    /// <param name="progress">told each phase as it starts (<see cref="PublicationPhase"/>), for a page to show.</param>
    public async Task<DatasetVersionView> RollbackAsync(long id, Contributor who, IProgress<PublicationPhase>? progress, CancellationToken ct)
    {
        var phases = new Phases(progress);
        phases.Next("Vérification de la version et des droits", "Checking the version and the rights");
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct);
        var version = await LockVersionAsync(connection, transaction, id, who, ct);
        if (version.Status != "published")
        {
            throw new ContributionRefused(StatusCodes.Status409Conflict, $"version {id} is {version.Status}: only the current (published) version can be rolled back", null);
        }

        await MayPublishAsync(connection, transaction, who, version.OrganisationId, ct);
        phases.Next("Retrait de la version en cours", "Taking the current version off");
        await UnpublishCurrentAsync(connection, transaction, version, "rejected", who, ct);
        if (BoundaryLayers.IsBoundaries(version.Dataset))
        {
            await BoundaryLayers.RollbackAsync(connection, transaction, version.Id, version.DatasetId, BoundaryLayers.LevelOf(version.Dataset),
                (french, english) => phases.Next(french, english), ct);
            return await CommitAndAnswerAsync(connection, transaction, id, who, phases, "rolled back", ct);
        }

        var touched = await IndicatorsAsync(connection, transaction, [id], ct);
        phases.Next("Retour des chiffres de la version précédente", "Bringing the previous version's figures back");
        var previous = await connection.ExecuteScalarAsync<long?>(new CommandDefinition("""
            select id from dataset_version where dataset_id = @datasetId and status = 'superseded' and id <> @id
            order by published_at desc nulls last, id desc limit 1
            """, new { version.DatasetId, id }, transaction, cancellationToken: ct));
        if (previous is { } p)
        {
            var indicators = await IndicatorsAsync(connection, transaction, [p], ct);
            await connection.ExecuteScalarAsync<long>(new CommandDefinition(AtlasDatabase.Sql("Datasets.publish.sql"),
                new { version_id = p, indicators, name = version.Dataset, by = who.Name }, transaction, commandTimeout: 0, cancellationToken: ct));
            touched = touched.Union(indicators).ToArray();
        }

        await (GeographyChanges.IsGeography(version.Dataset)
            ? ApplyPerimetersAndMoveAsync(connection, transaction, phases, ct)
            : RecomputeAndMoveAsync(connection, transaction, touched, phases, ct));
        phases.Next("Enregistrement", "Saving");
        await transaction.CommitAsync(ct);
        dataVersion.Invalidate();
        log.LogInformation("Dataset version {Version} rolled back by {By} (previous: {Previous}): {Phases}", id, who.Name,
            previous?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none", phases.Times());
        return (await GetAsync(id, who, ct, withPreview: false))!;
    }

    /// <summary>Commits a boundary publication or roll back and answers the version as it now stands.</summary>
    private async Task<DatasetVersionView> CommitAndAnswerAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long id, Contributor who,
        Phases phases, string what, CancellationToken ct)
    {
        // Every instance polls data_version (DataVersion): tiles are keyed by it, so open maps fetch the new outlines.
        await DataVersion.MoveAsync(connection, transaction, ct);
        phases.Next("Enregistrement", "Saving");
        await transaction.CommitAsync(ct);
        dataVersion.Invalidate();
        log.LogInformation("Boundary version {Version} {What} by {By}: {Phases}", id, what, who.Name, phases.Times());
        return (await GetAsync(id, who, ct, withPreview: false))!;
    }

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
        if (upload.Level == "commune" && inForce.Vintage is { } boundaryVintage && upload.Vintage != boundaryVintage)
        {
            // The commune layer is the boundary vintage every perimeter change (perimeter_change), every carried code and
            // every harmonised series is counted from: another vintage means re-basing all of them, which is not done yet.
            // An edition of the same vintage (finer or corrected outlines) changes none of them.
            throw new ImportException(fileName, upload.LayerName,
                $"the commune layer is the boundary vintage (COG {boundaryVintage}) that perimeter changes, carried codes and harmonised series are counted from: a commune layer of COG {upload.Vintage} would need them re-based, which is not done yet; only an edition of COG {boundaryVintage} (e.g. finer outlines) can replace it");
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
        return (await GetAsync(versionId, who, ct))!;
    }

    /// <summary>The indicators a version's rows feed (a dataset's versions feed the same ones; read, not assumed).</summary>
    private static async Task<string[]> IndicatorsAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, long[] versions, CancellationToken ct) =>
        (await connection.QueryAsync<string>(new CommandDefinition(
            "select distinct indicator_code from dataset_row where version_id = any(@versions)", new { versions }, transaction, cancellationToken: ct)))
        .ToArray();

    private async Task<VersionRow> LockVersionAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long id, Contributor who, CancellationToken ct)
    {
        // One publication at a time: the derived figures are recomputed over the whole table. For this transaction only:
        // no JIT compilation (its planner, misled by figures written a moment ago and not yet analysed, costed the zones'
        // sums at 760,000 and spent 2.8 s of a 6.3 s statement compiling them; README, Performance), and sorts and
        // hashes of a 300,000-row version in memory rather than on disk (one publication runs at a time).
        await connection.ExecuteAsync(new CommandDefinition("""
            select pg_advisory_xact_lock(@PublicationLock), set_config('jit', 'off', true), set_config('work_mem', '64MB', true)
            """, new { PublicationLock }, transaction, cancellationToken: ct));
        var version = await connection.QuerySingleOrDefaultAsync<VersionRow>(new CommandDefinition("""
            select v.id, v.dataset_id as datasetid, d.name as dataset, d.organisation_id as organisationid, v.status, v.file_name as filename,
                   v.format, v.uploaded_by as uploadedby, v.uploaded_at as uploadedat, v.published_by as publishedby,
                   v.published_at as publishedat, v.rolled_back_by as rolledbackby, v.rolled_back_at as rolledbackat, '{}' as report, v.metadata::text as metadata
            from dataset_version v join dataset d on d.id = v.dataset_id
            where v.id = @id
            for update of v
            """, new { id }, transaction, cancellationToken: ct));
        return version is not null && MaySee(who, version.OrganisationId)
            ? version
            : throw new ContributionRefused(StatusCodes.Status404NotFound, $"no dataset version {id}", null);
    }

    private static async Task MayPublishAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Contributor who, int? organisation, CancellationToken ct)
    {
        if (who.IsAdmin)
        {
            return;
        }

        var allowed = organisation is not null && await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "select coalesce((select producers_may_publish from organisation where id = @organisation), false)",
            new { organisation }, transaction, cancellationToken: ct));
        if (!allowed)
        {
            throw new ContributionRefused(StatusCodes.Status403Forbidden,
                "an admin publishes this organisation's datasets (its producers are not allowed to publish them)", null);
        }
    }

    /// <returns>the version taken off, if there was one.</returns>
    private static async Task<long?> UnpublishCurrentAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, VersionRow version,
        string newStatus, Contributor who, CancellationToken ct)
    {
        var current = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(
            "select id from dataset_version where dataset_id = @DatasetId and status = 'published' for update",
            new { version.DatasetId }, transaction, cancellationToken: ct));
        if (current is { } c)
        {
            await connection.ExecuteAsync(new CommandDefinition(AtlasDatabase.Sql("Datasets.unpublish.sql"),
                new { current_id = c, name = version.Dataset, new_status = newStatus, by = who.Name }, transaction, commandTimeout: 0, cancellationToken: ct));
        }

        return current;
    }

    /// <summary>A contribution defining a new indicator adds it to the catalogue when first published (marked contributed).</summary>
    private static async Task DefineIndicatorAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, VersionRow version, CancellationToken ct)
    {
        var m = version.Metadata is null ? null : JsonSerializer.Deserialize<ContributionMetadata>(version.Metadata, ManifestFiles.Options);
        if (m?.Code is null || m.LabelFr is null)
        {
            return;
        }

        await connection.ExecuteAsync(new CommandDefinition("""
            insert into indicator (code, theme, label_fr, label_en, unit_fr, unit_en, kind, decimals, definition_fr, definition_en, source,
                producer, licence, polarity, additive, numerator, denominator, multiplier, secrecy_threshold, secrecy_applies_to,
                visibility, contributed, sort_order)
            values (@Code, coalesce(@Theme, (select code from theme order by sort_order limit 1)), @LabelFr, coalesce(@LabelEn, @LabelFr),
                @UnitFr, coalesce(@UnitEn, @UnitFr), @Kind, coalesce(@Decimals, 0), coalesce(@DefinitionFr, ''), coalesce(@DefinitionEn, @DefinitionFr, ''),
                @Source, @Producer, @Licence, coalesce(@Polarity, 0), coalesce(@Additive, false), @Numerator, @Denominator, @Multiplier,
                @Threshold, @AppliesTo, coalesce(@Visibility, 'public'), true, (select coalesce(max(sort_order), 0) + 1 from indicator))
            on conflict (code) do update set label_fr = excluded.label_fr, label_en = excluded.label_en, unit_fr = excluded.unit_fr,
                unit_en = excluded.unit_en, definition_fr = excluded.definition_fr, definition_en = excluded.definition_en,
                source = excluded.source, producer = excluded.producer, licence = excluded.licence, visibility = excluded.visibility
            where indicator.contributed
            """, new
        {
            m.Code,
            m.Theme,
            m.LabelFr,
            m.LabelEn,
            m.UnitFr,
            m.UnitEn,
            m.Kind,
            m.Decimals,
            m.DefinitionFr,
            m.DefinitionEn,
            m.Source,
            m.Producer,
            m.Licence,
            m.Polarity,
            m.Additive,
            m.Numerator,
            m.Denominator,
            m.Multiplier,
            Threshold = m.Secrecy?.Threshold,
            AppliesTo = m.Secrecy?.AppliesTo,
            m.Visibility,
        }, transaction, cancellationToken: ct));
    }

    private static async Task RecomputeAndMoveAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyCollection<string> indicators,
        Phases phases, CancellationToken ct)
    {
        // Only the figures derived from the indicators this publication changed (and the rates made from them): the
        // rest of the table is what the last full pass wrote, and recomputing it would cost most of the publication.
        await DerivedFigures.RecomputeAsync(connection, transaction, indicators,
            step => phases.Next(DerivedFigures.Labels[step].French, DerivedFigures.Labels[step].English), ct);

        // Every instance polls data_version (DataVersion): maps, tiles' values, embeds and exports follow within seconds.
        await DataVersion.MoveAsync(connection, transaction, ct);
    }

    /// <summary>
    /// A commune correspondence published or rolled back: the perimeters in force are rebuilt from every source (the
    /// newest published correspondence first, the import's for the rest), every figure that reads them is recomputed
    /// (zones, arrondissements, their rates, figures on current perimeters: for every indicator, since a perimeter holds
    /// them all) and the data version moves, so maps, series and portraits follow.
    /// </summary>
    private static async Task ApplyPerimetersAndMoveAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Phases phases, CancellationToken ct)
    {
        phases.Next("Périmètres des communes en vigueur", "Commune perimeters in force");
        await connection.ExecuteAsync(new CommandDefinition(AtlasDatabase.Sql("Import.perimeter_changes.sql"), transaction: transaction, cancellationToken: ct));
        await DerivedFigures.RecomputeAsync(connection, transaction, null, DerivedFigures.PerimeterSteps,
            step => phases.Next(DerivedFigures.Labels[step].French, DerivedFigures.Labels[step].English), ct);
        await DataVersion.MoveAsync(connection, transaction, ct);
    }

    private sealed class InForceChange
    {
        public string Code { get; init; } = "";
        public string Kind { get; init; } = "";
        public string[] Parts { get; init; } = [];
        public short FromYear { get; init; }
        public short KnownBy { get; init; }
    }

    /// <summary>
    /// Numbers the phases of a publication or roll back as they start (3 before the derived steps, 1 after) and times
    /// them, for the log line that says where the time went.
    /// </summary>
    private sealed class Phases(IProgress<PublicationPhase>? progress)
    {
        private static readonly int Count = 3 + DerivedFigures.DerivedSteps.Count + 1;
        private readonly System.Diagnostics.Stopwatch _watch = System.Diagnostics.Stopwatch.StartNew();
        private readonly List<string> _times = [];
        private string? _current;
        private int _number;

        public void Next(string french, string english)
        {
            Lap();
            _current = english;
            progress?.Report(new PublicationPhase(++_number, Count, french, english));
        }

        /// <summary>Each phase and its seconds, the last one included.</summary>
        public string Times()
        {
            Lap();
            return string.Join("; ", _times);
        }

        private void Lap()
        {
            if (_current is not null)
            {
                _times.Add(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{_current} {_watch.Elapsed.TotalSeconds:0.00} s"));
            }

            _current = null;
            _watch.Restart();
        }
    }

    /// <summary>A new indicator described by the metadata: checked now, created when the version is published.</summary>
    private static async Task<IndicatorRules?> NewIndicatorAsync(NpgsqlConnection connection, ContributionMetadata m, string file, CancellationToken ct)
    {
        if (m.Code is null)
        {
            return null;
        }

        var existing = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "select exists (select 1 from indicator where code = @Code)", new { m.Code }, cancellationToken: ct));
        if (existing)
        {
            return null;
        }

        var missing = new[] { ("label_fr", m.LabelFr), ("unit_fr", m.UnitFr), ("kind", m.Kind), ("source", m.Source), ("producer", m.Producer), ("licence", m.Licence) }
            .Where(f => string.IsNullOrWhiteSpace(f.Item2)).Select(f => f.Item1).ToList();
        if (missing.Count > 0)
        {
            throw new ImportException(file, "metadata", $"indicator '{m.Code}' is new: give {string.Join(", ", missing)}");
        }

        if (m.Kind is not ("count" or "amount" or "index" or "ratio" or "share") && !(m.Kind == "rate" && m.Numerator is not null && m.Denominator is not null))
        {
            throw new ImportException(file, "metadata", $"kind '{m.Kind}' is not one of count, amount, index, ratio, share (a rate names its numerator and denominator indicators)");
        }

        if (m.Visibility is not (null or "public" or "members" or "organisations"))
        {
            throw new ImportException(file, "metadata", $"visibility '{m.Visibility}' is not one of public, members, organisations");
        }

        if (m.Code.Length > 64 || !m.Code.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            throw new ImportException(file, "metadata", "an indicator code is made of letters, digits and _ (at most 64)");
        }

        return new IndicatorRules(m.Code, m.Kind!, m.Multiplier);
    }

    private static int? OrganisationFor(Contributor who, ContributionMetadata metadata)
    {
        if (who.IsAdmin)
        {
            return metadata.OrganisationId;
        }

        if (!who.IsProducer)
        {
            throw new ContributionRefused(StatusCodes.Status403Forbidden, "only producers and admins contribute datasets", null);
        }

        if (metadata.OrganisationId is { } asked)
        {
            return who.OrganisationIds.Contains(asked)
                ? asked
                : throw new ContributionRefused(StatusCodes.Status403Forbidden, $"you do not belong to organisation {asked}", null);
        }

        return who.OrganisationIds.Count == 1
            ? who.OrganisationIds[0]
            : throw new ContributionRefused(StatusCodes.Status400BadRequest,
                who.OrganisationIds.Count == 0 ? "your account belongs to no organisation" : "give organisation_id: your account belongs to several", null);
    }

    /// <summary>
    /// Whether a version exists and is the contributor's to see: one row read, where <see cref="GetAsync"/> would also
    /// aggregate the whole version for its preview.
    /// </summary>
    private static async Task<bool> MaySeeVersionAsync(NpgsqlConnection connection, long id, Contributor who, CancellationToken ct)
    {
        var organisation = await connection.QuerySingleOrDefaultAsync<(bool Found, int? Organisation)>(new CommandDefinition(
            "select true, d.organisation_id from dataset_version v join dataset d on d.id = v.dataset_id where v.id = @id",
            new { id }, cancellationToken: ct));
        return organisation.Found && MaySee(who, organisation.Organisation);
    }

    private static bool MaySee(Contributor who, int? organisation) =>
        who.IsAdmin || (who.IsProducer && organisation is { } o && who.OrganisationIds.Contains(o));

    private async Task<IReadOnlyDictionary<(string Level, string Code), string>> CorrespondencesAsync(CancellationToken ct)
    {
        if (_correspondences is { } known)
        {
            return known;
        }

        await CorrespondenceLock.WaitAsync(ct);
        try
        {
            if (_correspondences is null)
            {
                try
                {
                    var catalogueDirectory = configuration["ATLAS_CATALOGUE"] ?? AppContext.BaseDirectory;
                    var geodata = ManifestFiles.Load<GeodataManifest>(Path.Combine(catalogueDirectory, "geodata", "manifest.json"));
                    _correspondences = PipelineContext.ReadCorrespondences(geodata.Correspondences, ImportCommand.DataDirectory(configuration));
                }
                catch (ImportException e)
                {
                    // Without the data directory, later-vintage codes are reported as unknown rather than carried.
                    log.LogWarning("COG correspondence not available: {Problem}", e.Message);
                    _correspondences = new Dictionary<(string, string), string>();
                }
            }

            return _correspondences;
        }
        finally
        {
            CorrespondenceLock.Release();
        }
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

    private sealed class VersionRow
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
}
