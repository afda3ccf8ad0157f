using System.Diagnostics;
using Npgsql;
using TerritoryAtlas.Web.Maps;

namespace TerritoryAtlas.Web.Import;

public sealed record ImportOptions(string DataDirectory, string CatalogueDirectory, bool OnlyIfChanged = false);

/// <summary>
/// The `import` verb: boundaries, catalogue and observations from the data directory into PostGIS, as steps each
/// beside its SQL, run here in order. Each dataset is one transaction, and every file is parsed completely before its
/// transaction opens, so a malformed file changes nothing. Running it twice gives the same database.
/// </summary>
public sealed class Importer(NpgsqlDataSource db, TextWriter output)
{
    private readonly ImportReport _report = new(db);

    public IReadOnlyList<DatasetReport> Reports => _report.Reports;

    public async Task<bool> RunAsync(ImportOptions options, CancellationToken ct)
    {
        var total = Stopwatch.StartNew();
        var geodata = ManifestFiles.Load<GeodataManifest>(Path.Combine(options.CatalogueDirectory, "geodata", "manifest.json"));
        var indicatorManifest = ManifestFiles.Load<IndicatorManifest>(Path.Combine(options.CatalogueDirectory, "indicators", "manifest.json"));
        var cataloguePath = Path.Combine(options.CatalogueDirectory, "indicators", "catalogue.json");
        var catalogue = ManifestFiles.Load<Catalogue>(cataloguePath);
        CatalogueRules.Validate(catalogue, cataloguePath);

        var dataFiles = InputsFingerprint.DataFiles(geodata, indicatorManifest, options.DataDirectory);
        var fingerprint = InputsFingerprint.Of(options.CatalogueDirectory, options.DataDirectory, geodata, dataFiles);
        if (options.OnlyIfChanged && await InputsFingerprint.IsStoredAsync(db, fingerprint, ct))
        {
            await output.WriteLineAsync("import: data, manifests and catalogue unchanged since the last import; nothing to do.");
            return false;
        }

        await output.WriteLineAsync($"import: data directory {options.DataDirectory}");
        await CatalogueImport.RunAsync(db, catalogue, cataloguePath, _report, ct);
        foreach (var layer in geodata.Layers)
        {
            await BoundaryLayerImport.RunAsync(db, layer, options.DataDirectory, _report, output, ct);
        }

        await Step("groupings (France, métropole, DROM)", () => Groupings.ImportAsync(db, geodata.Groupings, ct));
        await Step("hierarchy (parents by code and point on surface)", () => Groupings.LinkParentsAsync(db, ct));
        foreach (var level in geodata.Layers.Select(l => l.Level).Concat(geodata.Groupings.Select(g => g.Level)).Distinct())
        {
            await Step($"tile geometry {level} ({ZoomBands.All.Count} zoom bands)", async () =>
            {
                await using var connection = await db.OpenConnectionAsync(ct);
                await LevelTiles.BuildGeometryAsync(connection, level, ct);
            });
            await Step($"vector tiles {level}, zooms 0–{TileGrid.PrebuiltMaxZoom(level)}", async () =>
            {
                var (tiles, bytes) = await LevelTiles.BuildTilesAsync(db, level, ct);
                await output.WriteLineAsync($"import: vector tiles {level}: {tiles} tiles, {bytes / 1024} KB of MVT");
            });
        }

        var correspondences = PipelineContext.ReadCorrespondences(geodata.Correspondences, options.DataDirectory);
        PipelineContext context;
        await using (var connection = await db.OpenConnectionAsync(ct))
        {
            context = await PipelineContext.LoadAsync(connection, correspondences, ct);
        }

        foreach (var dataset in indicatorManifest.Datasets)
        {
            await ObservationImport.RunAsync(db, dataset, options.DataDirectory, context, _report, output, ct);
        }

        await Step("perimeter changes of communes (COG correspondences, declared changes)",
            async () => await output.WriteLineAsync($"import: {await Perimeters.ImportAsync(db, geodata, options.DataDirectory, ct)} perimeter changes"));
        await Step("computed figures (sums of départements, rates from numerators and denominators)", () => DerivedFigures.ComputeAllAsync(db, _report, ct));
        await Step("figures carried to current commune perimeters", () => DerivedFigures.CarryToPerimetersAsync(db, ct));
        await InputsFingerprint.StoreAsync(db, fingerprint, ct);
        await _report.PrintAsync(output, total.Elapsed);
        return true;
    }

    private async Task Step(string what, Func<Task> action)
    {
        var watch = Stopwatch.StartNew();
        await output.WriteLineAsync($"import: {what}…");
        await action();
        await output.WriteLineAsync($"import: {what} done in {watch.Elapsed.TotalSeconds:0.0} s");
    }
}
