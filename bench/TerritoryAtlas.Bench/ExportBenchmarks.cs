using System.IO.Pipelines;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using Npgsql;
using TerritoryAtlas.Web.Data;
using TerritoryAtlas.Web.Export;
using TerritoryAtlas.Web.Indicators;

BenchmarkSwitcher.FromAssembly(typeof(ExportBenchmarks).Assembly).Run(args);

/// <summary>
/// Geometry encoding of the GeoJSON export, on the real import: PostGIS's ST_AsGeoJSON text copied raw into the
/// Utf8JsonWriter, against WKB read as NetTopologySuite geometry and written by GeoJSON4STJ. Same query, same
/// rows (the communes of a region with one indicator), output discarded. Deterministic: no randomness.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class ExportBenchmarks
{
    private NpgsqlDataSource _db = null!;
    private ExportQueries _queries = null!;
    private ExportRequest _request = null!;

    /// <summary>region:84 (Auvergne-Rhône-Alpes, ~4,000 communes) or departement:93 (40 communes).</summary>
    [Params("region:84", "departement:93")]
    public string Within { get; set; } = "";

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var connectionString = Environment.GetEnvironmentVariable("ATLAS_DB")
                               ?? throw new InvalidOperationException("set ATLAS_DB to a database holding the import");
        _db = AtlasDatabase.CreateDataSource(connectionString);
        _queries = new ExportQueries(_db);
        var indicator = await new IndicatorQueries(_db, new TerritoryAtlas.Web.Data.DataVersion(_db)).FindAsync("taux_pauvrete_60", TerritoryAtlas.Web.Accounts.Viewer.Anonymous, CancellationToken.None)
                        ?? throw new InvalidOperationException("taux_pauvrete_60 is not imported");
        var parts = Within.Split(':');
        var id = await _queries.FindTerritoryAsync(parts[0], parts[1], CancellationToken.None) ?? throw new InvalidOperationException(Within);
        _request = new ExportRequest("commune", [new ExportPair(indicator, 2019)], new WithinTerritory(parts[0], parts[1], id),
            null, null, null, 4326, 0, ',', false);
    }

    [GlobalCleanup]
    public async Task CleanupAsync() => await _db.DisposeAsync();

    [Benchmark(Baseline = true)]
    public Task PostGisAsGeoJson() => ExportAsync(GeometryEncoding.PostGis);

    [Benchmark]
    public Task NetTopologySuiteGeoJson4Stj() => ExportAsync(GeometryEncoding.Nts);

    private async Task ExportAsync(GeometryEncoding encoding)
    {
        var output = PipeWriter.Create(Stream.Null);
        await ExportWriters.WriteGeoJsonAsync(_queries, _request, encoding, output, CancellationToken.None);
        await output.CompleteAsync();
    }
}
