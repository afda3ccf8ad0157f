using System.Text.Json.Nodes;
using Dapper;
using TerritoryAtlas.Web.Import;

namespace TerritoryAtlas.IntegrationTests.Import;

/// <summary>
/// Imports into a scratch database from a small data directory of its own (the real light metropolitan département layer and a few
/// tidy rows), then feeds it broken files: each is refused with its place named, and nothing changes.
/// </summary>
[Collection(nameof(AtlasCollection))]
public sealed class RejectedInputTests(AtlasFixture atlas) : IAsyncLifetime
{
    private const string GoodCsv = """
        geo_level,geo_code,geo_name,indicator,year,value,unit,flag
        departement,93,Seine-Saint-Denis,aah_allocataires,2019,31000,allocataires,
        departement,69,Rhône,aah_allocataires,2019,27000,allocataires,
        departement,2A,Corse-du-Sud,aah_allocataires,2019,4100,allocataires,
        departement,93,Seine-Saint-Denis,nb_menages_fiscaux,2019,8,menages,
        departement,99,Étranger,aah_allocataires,2019,12,allocataires,
        """;

    private readonly string _root = Path.Combine(Path.GetTempPath(), $"atlas-import-{Guid.NewGuid():N}");
    private ScratchDatabase _scratch = null!;

    private string DataDirectory => Path.Combine(_root, "data");
    private string CatalogueDirectory => Path.Combine(_root, "catalogue");

    public async Task InitializeAsync()
    {
        _scratch = await ScratchDatabase.CreateAsync(atlas.ConnectionString);
        Directory.CreateDirectory(Path.Combine(DataDirectory, "geodata"));
        Directory.CreateDirectory(Path.Combine(DataDirectory, "indicators"));
        Directory.CreateDirectory(Path.Combine(CatalogueDirectory, "geodata"));
        Directory.CreateDirectory(Path.Combine(CatalogueDirectory, "indicators"));
        File.Copy(SourceFiles.InData("geodata/departements-2018-metropole-leger.geojson"), Path.Combine(DataDirectory, "geodata", "departements.geojson"));
        await File.WriteAllTextAsync(Path.Combine(DataDirectory, "indicators", "tidy.csv"), GoodCsv);
        File.Copy(Path.Combine(AtlasFixture.RepositoryRoot, "indicators", "catalogue.json"), Path.Combine(CatalogueDirectory, "indicators", "catalogue.json"));
        await File.WriteAllTextAsync(Path.Combine(CatalogueDirectory, "geodata", "manifest.json"), """
            { "layers": [ { "level": "departement", "path": "geodata/departements.geojson", "code": "code", "name": "nom", "srid": 4326,
                            "vintage": "COG 2018", "source": "test", "licence": "test" } ],
              "groupings": [ { "level": "france", "code": "FR", "name": "France", "from_level": "departement", "codes": "*" } ],
              "correspondences": [] }
            """);
        await File.WriteAllTextAsync(Path.Combine(CatalogueDirectory, "indicators", "manifest.json"), """
            { "datasets": [ { "name": "tidy-test", "format": "tidy", "path": "indicators/tidy.csv", "levels": { "departement": "departement" } } ] }
            """);
        await ImportAsync();
    }

    public async Task DisposeAsync()
    {
        await _scratch.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    private Task ImportAsync() =>
        new Importer(_scratch.Db, TextWriter.Null).RunAsync(new ImportOptions(DataDirectory, CatalogueDirectory), CancellationToken.None);

    private async Task<string> SnapshotAsync()
    {
        await using var connection = await _scratch.Db.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<string>("""
            select concat_ws('|',
                (select string_agg(concat_ws(',', indicator_code, territory_id, year, value, status), ';' order by indicator_code, territory_id, year) from observation),
                (select string_agg(concat_ws(',', level, code, name, md5(ST_AsBinary(geom))), ';' order by level, code) from territory))
            """) ?? "";
    }

    [Fact]
    public async Task The_good_files_import_with_unknown_codes_reported_and_small_counts_suppressed()
    {
        await using var connection = await _scratch.Db.OpenConnectionAsync();
        Assert.Equal(96, await connection.ExecuteScalarAsync<long>("select count(*) from territory where level = 'departement'"));
        var report = await connection.QuerySingleAsync<(int Read, int Written, string Unmatched)>(
            "select rows_read, rows_written, unmatched_codes::text from import_report where dataset = 'tidy-test'");
        Assert.Equal((5, 4), (report.Read, report.Written));
        Assert.Contains("\"99\"", report.Unmatched, StringComparison.Ordinal);
        // 8 fiscal households is under INSEE's threshold of 11: kept for sums, never published.
        var published = await connection.QuerySingleAsync<(double? Value, string Status)>("""
            select o.value, o.status from published_observation o join territory t on t.id = o.territory_id
            where t.code = '93' and o.indicator_code = 'nb_menages_fiscaux'
            """);
        Assert.Equal((null, "suppressed"), published);
    }

    [Fact]
    public async Task Importing_twice_gives_the_same_database()
    {
        var before = await SnapshotAsync();
        await ImportAsync();
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task A_malformed_csv_is_refused_naming_its_line_and_nothing_is_written()
    {
        var before = await SnapshotAsync();
        var lines = GoodCsv.Split('\n').ToList();
        lines[1] = lines[1].Replace("31000", "32000", StringComparison.Ordinal); // a change that must not land
        lines[3] = "departement,2A,Corse-du-Sud,aah_allocataires,2019,quatre mille,allocataires,"; // line 4 of the file
        await File.WriteAllTextAsync(Path.Combine(DataDirectory, "indicators", "tidy.csv"), string.Join('\n', lines));

        var error = await Assert.ThrowsAsync<ImportException>(ImportAsync);
        Assert.Equal("indicators/tidy.csv", error.File);
        Assert.Equal("line 4", error.Place);
        Assert.Contains("quatre mille", error.Problem, StringComparison.Ordinal);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task A_csv_row_with_missing_fields_is_refused_naming_its_line()
    {
        await File.WriteAllTextAsync(Path.Combine(DataDirectory, "indicators", "tidy.csv"), GoodCsv.TrimEnd() + "\ndepartement,13,Bouches-du-Rhône\n");
        var error = await Assert.ThrowsAsync<ImportException>(ImportAsync);
        Assert.Equal("line 7", error.Place);
    }

    [Fact]
    public async Task A_broken_geojson_feature_is_refused_by_index_and_code_and_nothing_is_written()
    {
        var before = await SnapshotAsync();
        var path = Path.Combine(DataDirectory, "geodata", "departements.geojson");
        var document = JsonNode.Parse(await File.ReadAllTextAsync(path))!;
        document["features"]![3]!["geometry"] = JsonNode.Parse("""{ "type": "Polygon", "coordinates": [[[2.0, 48.0], [2.1, "north"]]] }""");
        document["features"]![0]!["properties"]!["nom"] = "Renamed"; // must not land either
        await File.WriteAllTextAsync(path, document.ToJsonString());

        var error = await Assert.ThrowsAsync<ImportException>(ImportAsync);
        Assert.Equal("geodata/departements.geojson", error.File);
        Assert.StartsWith("feature #3", error.Place, StringComparison.Ordinal);
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task A_file_that_is_not_json_is_refused_with_its_line()
    {
        var before = await SnapshotAsync();
        await File.WriteAllTextAsync(Path.Combine(DataDirectory, "geodata", "departements.geojson"), "{\n \"type\": \"FeatureCollection\",\n \"features\": [ {,\n");
        var error = await Assert.ThrowsAsync<ImportException>(ImportAsync);
        Assert.StartsWith("line 3", error.Place, StringComparison.Ordinal);
        Assert.Equal(before, await SnapshotAsync());
    }
}
