using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;
using Npgsql;
using NpgsqlTypes;
using TerritoryAtlas.Web.Data;
using TerritoryAtlas.Web.Maps;

namespace TerritoryAtlas.Web.Import;

public sealed record ImportOptions(string DataDirectory, string CatalogueDirectory, bool OnlyIfChanged = false);

public sealed record DatasetReport(
    string Dataset, string Kind, string File, int Read, int Written, int Rejected, int CodesMapped,
    IReadOnlyList<UnmatchedCode> Unmatched, string? Notes);

public sealed record UnmatchedCode(string Level, string Code, string Name, int Rows);

/// <summary>
/// The `import` verb: boundaries, catalogue and observations from the data directory into PostGIS.
/// Each dataset is one transaction, and every file is parsed completely before its transaction opens, so a
/// malformed file changes nothing. Running it twice gives the same database.
/// </summary>
public sealed class Importer(NpgsqlDataSource db, TextWriter output)
{
    // Bump when the import logic changes what it writes, so `--if-changed` re-imports unchanged files.
    private const string ImporterVersion = "3";

    private readonly List<DatasetReport> _reports = [];

    /// <summary>The computed figures, in order: sums of parts, their secondary secrecy, zonings' zones, then rates from the final statuses.</summary>
    public static readonly IReadOnlyList<string> ComputedSteps =
        ["Import.computed_observations.sql", "Import.secondary_secrecy.sql", "Zonings.zone_observations.sql", "Import.computed_rates.sql"];

    /// <summary>
    /// Everything derived from the observations, in order: the computed figures, then the figures carried to current
    /// commune perimeters (which need the final rates and secrecy). A publication or roll back that changes
    /// observations runs all of them, or the figures computed from the changed ones go stale.
    /// </summary>
    public static readonly IReadOnlyList<string> DerivedSteps = [.. ComputedSteps, PerimeterStep];

    private const string PerimeterStep = "Import.perimeter_observations.sql";

    public IReadOnlyList<DatasetReport> Reports => _reports;

    public async Task<bool> RunAsync(ImportOptions options, CancellationToken ct)
    {
        var total = Stopwatch.StartNew();
        var geodata = ManifestFiles.Load<GeodataManifest>(Path.Combine(options.CatalogueDirectory, "geodata", "manifest.json"));
        var indicatorManifest = ManifestFiles.Load<IndicatorManifest>(Path.Combine(options.CatalogueDirectory, "indicators", "manifest.json"));
        var cataloguePath = Path.Combine(options.CatalogueDirectory, "indicators", "catalogue.json");
        var catalogue = ManifestFiles.Load<Catalogue>(cataloguePath);
        CatalogueRules.Validate(catalogue, cataloguePath);

        var dataFiles = geodata.Layers.Select(l => l.Path)
            .Concat(geodata.Correspondences.Select(c => c.Path))
            .Concat(indicatorManifest.Datasets.Select(d => d.Path))
            .Select(p => Path.Combine(options.DataDirectory, p))
            .ToList();
        foreach (var file in dataFiles.Where(f => !File.Exists(f)))
        {
            throw new ImportException(file, "file", $"not found in the data directory {options.DataDirectory} (set ATLAS_DATA)");
        }

        // A shapefile is several files: its attributes (.dbf) and coordinate system (.prj, .cpg) count as much as its shapes.
        var sidecars = geodata.Layers.Where(l => l.Format == "shapefile")
            .SelectMany(l => new[] { ".dbf", ".shx", ".prj", ".cpg" }.Select(e => Path.ChangeExtension(Path.Combine(options.DataDirectory, l.Path), e)))
            .Where(File.Exists);
        var fingerprint = Fingerprint(options.CatalogueDirectory, dataFiles.Concat(sidecars));
        if (options.OnlyIfChanged)
        {
            await using var connection = await db.OpenConnectionAsync(ct);
            var stored = await connection.ExecuteScalarAsync<string?>(
                new CommandDefinition("select inputs_fingerprint from data_version", cancellationToken: ct));
            if (stored == fingerprint)
            {
                await output.WriteLineAsync("import: data, manifests and catalogue unchanged since the last import; nothing to do.");
                return false;
            }
        }

        await output.WriteLineAsync($"import: data directory {options.DataDirectory}");
        await ImportCatalogueAsync(catalogue, cataloguePath, ct);
        foreach (var layer in geodata.Layers)
        {
            await ImportBoundaryLayerAsync(layer, options.DataDirectory, ct);
        }

        await Step("groupings (France, métropole, DROM)", () => ImportGroupingsAsync(geodata.Groupings, ct));
        await Step("hierarchy (parents by code and point on surface)", () => ExecuteAsync(AtlasDatabase.Sql("Import.hierarchy.sql"), null, ct));
        foreach (var level in geodata.Layers.Select(l => l.Level).Concat(geodata.Groupings.Select(g => g.Level)).Distinct())
        {
            await Step($"tile geometry {level} ({ZoomBands.All.Count} zoom bands)", () => BuildTileGeometryAsync(level, ct));
            await Step($"vector tiles {level}, zooms 0–{TileGrid.PrebuiltMaxZoom(level)}", () => BuildTilesAsync(level, ct));
        }

        var correspondences = PipelineContext.ReadCorrespondences(geodata.Correspondences, options.DataDirectory);
        PipelineContext context;
        await using (var connection = await db.OpenConnectionAsync(ct))
        {
            context = await PipelineContext.LoadAsync(connection, correspondences, ct);
        }

        foreach (var dataset in indicatorManifest.Datasets)
        {
            await ImportObservationsAsync(dataset, options.DataDirectory, context, ct);
        }

        await Step("perimeter changes of communes (COG correspondences, declared changes)",
            async () => await output.WriteLineAsync($"import: {await Perimeters.ImportAsync(db, geodata, options.DataDirectory, ct)} perimeter changes"));
        await Step("computed figures (sums of départements, rates from numerators and denominators)", () => ComputeAsync(ct));
        await Step("figures carried to current commune perimeters", () => ExecuteAsync(DerivedFigures.StepSql(PerimeterStep), null, ct));
        await using (var connection = await db.OpenConnectionAsync(ct))
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "update data_version set version = version + 1, updated_at = now(), inputs_fingerprint = @fingerprint",
                new { fingerprint }, cancellationToken: ct));
        }

        await PrintReportAsync(total.Elapsed);
        return true;
    }

    private async Task Step(string what, Func<Task> action)
    {
        var watch = Stopwatch.StartNew();
        await output.WriteLineAsync($"import: {what}…");
        await action();
        await output.WriteLineAsync($"import: {what} done in {watch.Elapsed.TotalSeconds:0.0} s");
    }

    private async Task ExecuteAsync(string sql, object? parameters, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(sql, parameters, transaction, commandTimeout: 0, cancellationToken: ct));
        await transaction.CommitAsync(ct);
    }

    private async Task ImportCatalogueAsync(Catalogue catalogue, string path, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        foreach (var theme in catalogue.Themes)
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                insert into theme (code, label_fr, label_en, sort_order) values (@Code, @LabelFr, @LabelEn, @Order)
                on conflict (code) do update set label_fr = excluded.label_fr, label_en = excluded.label_en, sort_order = excluded.sort_order
                """, theme, transaction, cancellationToken: ct));
        }

        var order = 0;
        foreach (var i in catalogue.Indicators)
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                insert into indicator (code, theme, label_fr, label_en, short_label_fr, short_label_en, unit_fr, unit_en, kind, decimals,
                    definition_fr, definition_en, source, producer, licence, polarity, additive, numerator, denominator, multiplier,
                    secrecy_threshold, secrecy_applies_to, secrecy_rule_fr, secrecy_rule_en, series_breaks, derived, sort_order)
                values (@Code, @Theme, @LabelFr, @LabelEn, @ShortLabelFr, @ShortLabelEn, @UnitFr, @UnitEn, @Kind, @Decimals,
                    @DefinitionFr, @DefinitionEn, @Source, @Producer, @Licence, @Polarity, @Additive, @Numerator, @Denominator, @Multiplier,
                    @Threshold, @AppliesTo, @RuleFr, @RuleEn, @SeriesBreaks::jsonb, @Derived, @Order)
                on conflict (code) do update set theme = excluded.theme, label_fr = excluded.label_fr, label_en = excluded.label_en,
                    short_label_fr = excluded.short_label_fr, short_label_en = excluded.short_label_en, unit_fr = excluded.unit_fr,
                    unit_en = excluded.unit_en, kind = excluded.kind, decimals = excluded.decimals, definition_fr = excluded.definition_fr,
                    definition_en = excluded.definition_en, source = excluded.source, producer = excluded.producer, licence = excluded.licence,
                    polarity = excluded.polarity, additive = excluded.additive, numerator = excluded.numerator,
                    denominator = excluded.denominator, multiplier = excluded.multiplier, secrecy_threshold = excluded.secrecy_threshold,
                    secrecy_applies_to = excluded.secrecy_applies_to, secrecy_rule_fr = excluded.secrecy_rule_fr,
                    secrecy_rule_en = excluded.secrecy_rule_en, series_breaks = excluded.series_breaks, derived = excluded.derived,
                    sort_order = excluded.sort_order
                """,
                new
                {
                    i.Code,
                    i.Theme,
                    i.LabelFr,
                    i.LabelEn,
                    i.ShortLabelFr,
                    i.ShortLabelEn,
                    i.UnitFr,
                    i.UnitEn,
                    i.Kind,
                    i.Decimals,
                    i.DefinitionFr,
                    i.DefinitionEn,
                    i.Source,
                    i.Producer,
                    i.Licence,
                    i.Polarity,
                    i.Additive,
                    i.Numerator,
                    i.Denominator,
                    i.Multiplier,
                    i.Secrecy?.Threshold,
                    i.Secrecy?.AppliesTo,
                    i.Secrecy?.RuleFr,
                    i.Secrecy?.RuleEn,
                    SeriesBreaks = JsonSerializer.Serialize(i.SeriesBreaks ?? [], ManifestFiles.Options),
                    i.Derived,
                    Order = order++,
                }, transaction, cancellationToken: ct));
        }

        var removed = await connection.ExecuteAsync(new CommandDefinition(
            "delete from indicator where code <> all(@codes) and not contributed",
            new { codes = catalogue.Indicators.Select(i => i.Code).ToArray() }, transaction, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition(
            "delete from theme t where not exists (select 1 from indicator i where i.theme = t.code) and t.code <> all(@codes)",
            new { codes = catalogue.Themes.Select(t => t.Code).ToArray() }, transaction, cancellationToken: ct));
        await transaction.CommitAsync(ct);
        await AddReportAsync(new DatasetReport("catalogue", "catalogue", path, catalogue.Indicators.Count, catalogue.Indicators.Count, 0, 0, [],
            removed > 0 ? $"{removed} indicators no longer in the catalogue removed" : null), ct);
    }

    private async Task ImportBoundaryLayerAsync(BoundaryLayer layer, string dataDirectory, CancellationToken ct)
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
            await AddReportAsync(new DatasetReport($"boundaries-{layer.Level}", "boundaries", layer.Path, 0, 0, 0, 0, [],
                $"kept the published boundary upload (dataset version {uploaded}) rather than the data directory's layer"), ct);
            await output.WriteLineAsync($"import: boundaries {layer.Level}: the published upload (version {uploaded}) is kept");
            return;
        }

        var features = BoundaryFile.Read(path, layer.Path, layer);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "create temporary table staging_territory (code text primary key, name text not null, parent_code text, geom geometry(Geometry, 4326) not null) on commit drop",
            transaction: transaction, cancellationToken: ct));
        await using (var writer = await connection.BeginBinaryImportAsync(
                         "copy staging_territory (code, name, parent_code, geom) from stdin (format binary)", ct))
        {
            foreach (var f in features)
            {
                await writer.StartRowAsync(ct);
                await writer.WriteAsync(f.Code, NpgsqlDbType.Text, ct);
                await writer.WriteAsync(f.Name, NpgsqlDbType.Text, ct);
                await writer.WriteAsync(f.ParentCode, NpgsqlDbType.Text, ct);
                await writer.WriteAsync(f.Geometry, NpgsqlDbType.Geometry, ct);
            }

            await writer.CompleteAsync(ct);
        }

        var (repaired, written) = await connection.QuerySingleAsync<(long, long)>(new CommandDefinition(
            AtlasDatabase.Sql("Import.upsert_territories.sql"),
            new { level = layer.Level, vintage = layer.Vintage, source = layer.Source }, transaction, commandTimeout: 0, cancellationToken: ct));
        var stale = await connection.ExecuteAsync(new CommandDefinition("""
            delete from territory t where t.level = @level and not exists (select 1 from staging_territory s where s.code = t.code)
            """, new { level = layer.Level }, transaction, commandTimeout: 0, cancellationToken: ct));

        var unmatchedParents = new List<UnmatchedCode>();
        if (layer.ParentDepartement is not null)
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                insert into territory_parent (territory_id, parent_level, parent_id, method)
                select t.id, 'departement', d.id, 'source'
                from staging_territory s
                join territory t on t.level = @level and t.code = s.code
                join territory d on d.level = 'departement' and d.code = s.parent_code
                on conflict (territory_id, parent_level) do update set parent_id = excluded.parent_id, method = excluded.method
                """, new { level = layer.Level }, transaction, commandTimeout: 0, cancellationToken: ct));
            unmatchedParents = (await connection.QueryAsync<UnmatchedCode>(new CommandDefinition("""
                select 'departement' as level, coalesce(s.parent_code, '') as code, s.code || ' ' || s.name as name, 1 as rows
                from staging_territory s
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

        await AddReportAsync(new DatasetReport($"boundaries-{layer.Level}", "boundaries", layer.Path, features.Count, (int)written,
            features.Count - (int)written, 0, unmatchedParents, notes.Count > 0 ? string.Join("; ", notes) : null), ct);
        await output.WriteLineAsync(
            $"import: boundaries {layer.Level}: {features.Count} read, {written} written{(repaired > 0 ? $", {repaired} repaired" : "")} in {watch.Elapsed.TotalSeconds:0.0} s");
    }

    private async Task ImportGroupingsAsync(IReadOnlyList<Grouping> groupings, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        foreach (var g in groupings)
        {
            var members = g.Codes == "*" ? [] : g.Codes.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            await connection.ExecuteAsync(new CommandDefinition(AtlasDatabase.Sql("Import.groupings.sql"),
                new { level = g.Level, code = g.Code, name = g.Name, from_level = g.FromLevel, members, source = "Union of its régions" },
                transaction, commandTimeout: 0, cancellationToken: ct));
        }

        await transaction.CommitAsync(ct);
    }

    private async Task BuildTileGeometryAsync(string level, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await LevelTiles.BuildGeometryAsync(connection, level, ct);
    }

    /// <summary>
    /// The shallow tiles of a level, encoded and compressed once here rather than on a visitor's first request.
    /// Two at a time: PostGIS encodes one while .NET compresses the other.
    /// </summary>
    private async Task BuildTilesAsync(string level, CancellationToken ct)
    {
        List<(int Z, int X, int Y)> tiles;
        await using (var connection = await db.OpenConnectionAsync(ct))
        {
            tiles = await LevelTiles.ResetAsync(connection, level, ct);
        }

        long bytes = 0;
        await Parallel.ForEachAsync(tiles, new ParallelOptions { MaxDegreeOfParallelism = 2, CancellationToken = ct }, async (tile, token) =>
        {
            await using var connection = await db.OpenConnectionAsync(token);
            Interlocked.Add(ref bytes, await LevelTiles.BuildAsync(connection, level, tile, token));
        });
        await output.WriteLineAsync($"import: vector tiles {level}: {tiles.Count} tiles, {bytes / 1024} KB of MVT");
    }

    /// <summary>
    /// One manifest dataset through the shared pipeline (read, validate strictly, stage with COPY), then into observation
    /// in the same transaction that removes the dataset's previous figures.
    /// </summary>
    private async Task ImportObservationsAsync(IndicatorDataset dataset, string dataDirectory, PipelineContext context, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        await output.WriteLineAsync($"import: observations {dataset.Name} from {dataset.Path}…");
        var csv = CsvFile.Read(Path.Combine(dataDirectory, dataset.Path), dataset.Path);
        var vintages = Vintages.Of(dataset);
        var rows = ObservationFile.Read(csv, dataset).Select(r => r with { Cog = vintages.Of(r.Indicator, r.Year, r.Flag) }).ToList();
        var report = new ValidationReport { File = dataset.Path };
        IReadOnlyList<UnmatchedCode> unplacedIris = [];
        if (rows.Any(r => r.Level == "iris"))
        {
            (context, unplacedIris) = await IrisTerritories.RegisterAsync(db, rows, dataset, context, ct);
        }

        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("""
            delete from observation where dataset = @dataset;
            create temporary table staging_observation (indicator_code text, territory_id integer, year smallint,
                value double precision, numerator double precision, denominator double precision, status text, flag text, cog smallint) on commit drop;
            """, new { dataset = dataset.Name }, transaction, commandTimeout: 0, cancellationToken: ct));
        var staged = await ObservationPipeline.CopyAsync(connection, "staging_observation",
            ObservationPipeline.Validate(rows, report, context, strict: true), ct);
        var written = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            AtlasDatabase.Sql("Import.insert_observations.sql"), new { dataset = dataset.Name }, transaction, commandTimeout: 0, cancellationToken: ct));
        var articles = CommuneNamesWithArticle(rows);
        if (articles.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(AtlasDatabase.Sql("Import.commune_articles.sql"),
                new { codes = articles.Keys.ToArray(), names = articles.Values.ToArray() }, transaction, cancellationToken: ct));
        }

        await transaction.CommitAsync(ct);

        var notes = new List<string>();
        if (report.Duplicates > 0)
        {
            notes.Add($"{report.Duplicates} rows repeat a territory, indicator and year after code mapping");
        }

        if (staged - written > 0)
        {
            notes.Add($"{staged - written} rows already given by an earlier dataset");
        }

        var read = (int)report.Read;
        var unmatched = report.UnknownCodes.Concat(unplacedIris).ToList();
        await AddReportAsync(new DatasetReport(dataset.Name, "observations", dataset.Path, read, (int)written, read - (int)written,
            (int)report.CodesCarried, unmatched, notes.Count > 0 ? string.Join("; ", notes) : null), ct);
        await output.WriteLineAsync(
            $"import: observations {dataset.Name}: {read} read, {written} written, {read - written} rejected " +
            $"({unmatched.Count} unmatched codes, {report.CodesCarried} rows mapped through the COG correspondence) in {watch.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>The indicator file's name of each commune when it starts with an article (commune_articles.sql decides).</summary>
    private static Dictionary<string, string> CommuneNamesWithArticle(IEnumerable<SourceObservation> rows)
    {
        string[] articles = ["Le ", "La ", "Les ", "L'", "L’"];
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (row.Level == "commune" && articles.Any(a => row.Name.StartsWith(a, StringComparison.Ordinal)))
            {
                names.TryAdd(row.Code, row.Name);
            }
        }

        return names;
    }

    private async Task ComputeAsync(CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        // The figures were just written: statistics from autovacuum, if any, describe whatever part of them it happened
        // to sample mid-import, and the derived steps' joins over a million figures depend on them (a stale sample once
        // made the secondary-secrecy step spill 34 GB of temporary files).
        await connection.ExecuteAsync(new CommandDefinition("analyze observation", commandTimeout: 0, cancellationToken: ct));
        await using var transaction = await connection.BeginTransactionAsync(ct);
        foreach (var step in ComputedSteps)
        {
            await connection.ExecuteAsync(new CommandDefinition(DerivedFigures.StepSql(step), transaction: transaction, commandTimeout: 0, cancellationToken: ct));
        }

        var (sums, rates) = await connection.QuerySingleAsync<(long, long)>(new CommandDefinition("""
            select count(*) filter (where o.numerator is null), count(*) filter (where o.numerator is not null)
            from observation o where o.origin = 'computed'
            """, transaction: transaction, cancellationToken: ct));
        var published = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "select count(*) from observation where computed_value is not null", transaction: transaction, cancellationToken: ct));
        await transaction.CommitAsync(ct);
        await AddReportAsync(new DatasetReport("computed", "computed", "(sums and rates)", 0, (int)(sums + rates), 0, 0, [],
            $"{sums} sums of départements, {rates} rates, {published} published figures checked against the sum of their parts"), ct);
    }

    private async Task AddReportAsync(DatasetReport report, CancellationToken ct)
    {
        _reports.Add(report);
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("""
            insert into import_report (dataset, kind, file, file_fingerprint, finished_at, rows_read, rows_written, rows_rejected,
                codes_mapped, unmatched_codes, notes)
            values (@Dataset, @Kind, @File, '', now(), @Read, @Written, @Rejected, @CodesMapped, @Unmatched::jsonb, @Notes)
            on conflict (dataset) do update set kind = excluded.kind, file = excluded.file, finished_at = excluded.finished_at,
                rows_read = excluded.rows_read, rows_written = excluded.rows_written, rows_rejected = excluded.rows_rejected,
                codes_mapped = excluded.codes_mapped, unmatched_codes = excluded.unmatched_codes, notes = excluded.notes
            """,
            new
            {
                report.Dataset,
                report.Kind,
                report.File,
                report.Read,
                report.Written,
                report.Rejected,
                report.CodesMapped,
                Unmatched = JsonSerializer.Serialize(report.Unmatched, ManifestFiles.Options),
                report.Notes,
            }, cancellationToken: ct));
    }

    private async Task PrintReportAsync(TimeSpan elapsed)
    {
        await output.WriteLineAsync();
        await output.WriteLineAsync("Import report");
        await output.WriteLineAsync($"{"dataset",-36} {"read",9} {"written",9} {"rejected",9} {"mapped",7} {"unmatched codes",16}");
        foreach (var r in _reports)
        {
            await output.WriteLineAsync($"{r.Dataset,-36} {r.Read,9} {r.Written,9} {r.Rejected,9} {r.CodesMapped,7} {r.Unmatched.Count,16}");
            if (r.Notes is not null)
            {
                await output.WriteLineAsync($"    {r.Notes}");
            }

            if (r.Unmatched.Count > 0)
            {
                var sample = string.Join(", ", r.Unmatched.Take(8).Select(u => $"{u.Code} {u.Name} ({u.Rows})"));
                await output.WriteLineAsync($"    unmatched: {sample}{(r.Unmatched.Count > 8 ? $", … ({r.Unmatched.Count - 8} more: see table import_report)" : "")}");
            }
        }

        await output.WriteLineAsync(
            $"{"total",-36} {_reports.Sum(r => r.Read),9} {_reports.Sum(r => r.Written),9} {_reports.Sum(r => r.Rejected),9} " +
            $"{_reports.Sum(r => r.CodesMapped),7} {_reports.Sum(r => r.Unmatched.Count),16}");
        await output.WriteLineAsync($"import: finished in {elapsed.TotalSeconds:0.0} s");
    }

    private static string Fingerprint(string catalogueDirectory, IEnumerable<string> dataFiles)
    {
        var text = new StringBuilder(ImporterVersion);
        foreach (var manifest in new[] { "geodata/manifest.json", "indicators/manifest.json", "indicators/catalogue.json" })
        {
            text.Append(File.ReadAllText(Path.Combine(catalogueDirectory, manifest)));
        }

        foreach (var file in dataFiles)
        {
            var info = new FileInfo(file);
            text.Append($"|{file}|{info.Length}|{info.LastWriteTimeUtc.Ticks}");
        }

        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }
}
