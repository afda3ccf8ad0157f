using System.Text.Json;
using Dapper;
using Npgsql;
using TerritoryAtlas.Web.Import;

namespace TerritoryAtlas.Web.Datasets;

public sealed class DatasetOptions
{
    /// <summary>The largest file a contribution may upload (Datasets:MaxUploadMegabytes, 200 MB).</summary>
    public long MaxUploadBytes { get; set; } = 200L * 1024 * 1024;
}

/// <summary>
/// Contributions of partners' files made draft versions: a tabular file validated through <see cref="ObservationPipeline"/>
/// into dataset_row (here), a commune correspondence (DatasetDrafts.Geography.cs) or a boundary layer
/// (DatasetDrafts.Boundaries.cs) staged for <see cref="DatasetPublication"/>. Nothing is in force until published.
/// </summary>
public sealed partial class DatasetDrafts(NpgsqlDataSource db, IConfiguration configuration, DatasetOptions options, DatasetVersions versions,
    ILogger<DatasetDrafts> log)
{
    private static readonly SemaphoreSlim CorrespondenceLock = new(1, 1);
    private static IReadOnlyDictionary<(string Level, string Code), string>? _correspondences;

    public long MaxUploadBytes => options.MaxUploadBytes;

    /// <summary>Reads, validates and stores a file as a draft version. Refuses (changing nothing) a file it cannot read.</summary>
    public async Task<DatasetVersionView> ContributeAsync(
        Stream file, string fileName, ContributionMetadata? metadata, Contributor who, Action<long>? progress, CancellationToken ct)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        metadata ??= new ContributionMetadata();
        var organisation = who.OrganisationFor(metadata);
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
            var linked = new SortedDictionary<string, string>(StringComparer.Ordinal);
            await ObservationPipeline.CopyAsync(connection, "dataset_row",
                accepted.Select(a =>
                {
                    indicators.Add(a.Indicator);
                    if (a.CarriedFrom is { } code && context.CommuneLinks.TryGetValue(code, out var boundaryCode)
                        && context.Territories.GetValueOrDefault(("commune", boundaryCode)) == a.TerritoryId)
                    {
                        linked[code] = boundaryCode;
                    }

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
            // Figures carried by the uploaded correspondence in force rest on it: recorded, so it is not rolled back or
            // replaced from under them while they are published (DatasetPublication, carried_out_of_force.sql).
            if (linked.Count > 0)
            {
                await connection.ExecuteAsync(new CommandDefinition("""
                    insert into dataset_carried_code (version_id, code, boundary_code) select @versionId, c.code, c.boundary_code
                    from unnest(@codes, @boundaryCodes) as c (code, boundary_code)
                    """, new { versionId, codes = linked.Keys.ToArray(), boundaryCodes = linked.Values.ToArray() }, transaction, cancellationToken: ct));
            }

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
            var view = (await versions.GetAsync(versionId, who, ct))!;
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
}
