using System.Text.Json;
using Dapper;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using NetTopologySuite.IO.Esri;
using TerritoryAtlas.Testing;
using TerritoryAtlas.Web.Import;

namespace TerritoryAtlas.IntegrationTests.Import;

/// <summary>
/// Boundaries as IGN ships ADMIN EXPRESS — a Lambert-93 shapefile (INSEE_DEP, NOM_DEP, a .prj and a .cpg) or a
/// GeoPackage holding several levels as tables — written by the test from the real GeoJSON of the data directory
/// (reprojected by PostGIS, not by the importer's ProjNET), imported into a scratch database through the manifest's
/// `format`, and compared territory by territory with the GeoJSON.
/// </summary>
[Collection(nameof(AtlasCollection))]
public sealed class BoundaryFormatTests(AtlasFixture atlas) : IAsyncLifetime
{
    private const string LambertPrj =
        """PROJCS["RGF93_Lambert_93",GEOGCS["GCS_RGF_1993",DATUM["D_RGF_1993",SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Lambert_Conformal_Conic"],PARAMETER["False_Easting",700000.0],PARAMETER["False_Northing",6600000.0],PARAMETER["Central_Meridian",3.0],PARAMETER["Standard_Parallel_1",49.0],PARAMETER["Standard_Parallel_2",44.0],PARAMETER["Latitude_Of_Origin",46.5],UNIT["Meter",1.0]]""";

    private readonly string _root = Path.Combine(Path.GetTempPath(), $"atlas-boundaries-{Guid.NewGuid():N}");
    private ScratchDatabase _scratch = null!;
    private readonly List<(string Code, string Name, Geometry Lambert93, double Area)> _departements = [];

    private string DataDirectory => Path.Combine(_root, "data");
    private string CatalogueDirectory => Path.Combine(_root, "catalogue");

    public async Task InitializeAsync()
    {
        _scratch = await ScratchDatabase.CreateAsync(atlas.ConnectionString);
        Directory.CreateDirectory(Path.Combine(DataDirectory, "geodata"));
        Directory.CreateDirectory(Path.Combine(CatalogueDirectory, "geodata"));
        Directory.CreateDirectory(Path.Combine(CatalogueDirectory, "indicators"));
        File.Copy(Path.Combine(AtlasFixture.RepositoryRoot, "indicators", "catalogue.json"), Path.Combine(CatalogueDirectory, "indicators", "catalogue.json"));
        await File.WriteAllTextAsync(Path.Combine(CatalogueDirectory, "indicators", "manifest.json"), """{ "datasets": [] }""");

        // The real départements, in Lambert-93 by PostGIS, with their area on the spheroid as the reference.
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(SourceFiles.InData("geodata/departements-2018-metropole-leger.geojson")));
        await using var connection = await _scratch.Db.OpenConnectionAsync();
        foreach (var feature in document.RootElement.GetProperty("features").EnumerateArray())
        {
            var (lambert, area) = await connection.QuerySingleAsync<(Geometry, double)>("""
                select ST_Transform(g, 2154), ST_Area(g::geography)
                from (select ST_SetSRID(ST_GeomFromGeoJSON(@geometry), 4326) as g) s
                """, new { geometry = feature.GetProperty("geometry").GetRawText() });
            _departements.Add((feature.GetProperty("properties").GetProperty("code").GetString()!,
                feature.GetProperty("properties").GetProperty("nom").GetString()!, lambert, area));
        }
    }

    public async Task DisposeAsync()
    {
        await _scratch.DisposeAsync();
        Directory.Delete(_root, recursive: true);
    }

    private async Task WriteManifestAsync(string layer) =>
        await File.WriteAllTextAsync(Path.Combine(CatalogueDirectory, "geodata", "manifest.json"), $$"""
            { "layers": [ {{layer}} ],
              "groupings": [ { "level": "france", "code": "FR", "name": "France", "from_level": "departement", "codes": "*" } ],
              "correspondences": [] }
            """);

    private Task ImportAsync() =>
        new Importer(_scratch.Db, TextWriter.Null).RunAsync(new ImportOptions(DataDirectory, CatalogueDirectory), CancellationToken.None);

    private async Task AssertImportedAsync(string vintage)
    {
        await using var connection = await _scratch.Db.OpenConnectionAsync();
        var imported = (await connection.QueryAsync<(string Code, string Name, string Vintage, double Area)>(
                "select code, name, vintage, ST_Area(geom::geography) from territory where level = 'departement'"))
            .ToDictionary(t => t.Code);
        Assert.Equal(_departements.Select(d => d.Code).Order(StringComparer.Ordinal), imported.Keys.Order(StringComparer.Ordinal));
        foreach (var (code, name, _, area) in _departements)
        {
            var territory = imported[code];
            // Accents survive the .dbf (UTF-8, said by the .cpg) and the GeoPackage alike: Ardèche, Côte-d'Or, Hautes-Pyrénées.
            Assert.Equal(name, territory.Name);
            Assert.Equal(vintage, territory.Vintage);
            // ProjNET (import) and PROJ (PostGIS, the test) agree to well under a millionth of the area.
            Assert.True(Math.Abs(territory.Area - area) / area < 1e-6, $"{code}: {territory.Area} m² imported, {area} m² in the GeoJSON");
        }
    }

    [Fact]
    public async Task An_ADMIN_EXPRESS_shapefile_in_Lambert_93_imports_the_same_departements_as_the_GeoJSON()
    {
        var features = _departements.Select(d => (IFeature)new Feature(d.Lambert93,
            new AttributesTable { { "INSEE_DEP", d.Code }, { "NOM_DEP", d.Name }, { "ID", $"DEPARTEM_{d.Code}" } }));
        Shapefile.WriteAllFeatures(features, Path.Combine(DataDirectory, "geodata", "DEPARTEMENT.shp"), LambertPrj, System.Text.Encoding.UTF8);
        Assert.True(File.Exists(Path.Combine(DataDirectory, "geodata", "DEPARTEMENT.prj")));
        await WriteManifestAsync("""
            { "level": "departement", "path": "geodata/DEPARTEMENT.shp", "format": "shapefile", "code": "INSEE_DEP", "name": "NOM_DEP",
              "srid": 4326, "vintage": "ADMIN EXPRESS COG 2018", "source": "IGN, ADMIN EXPRESS COG 2018 (shapefile)", "licence": "Licence Ouverte" }
            """);

        // The manifest says 4326: the .prj's Lambert-93 wins, as a GeoJSON's crs member does.
        await ImportAsync();
        await AssertImportedAsync("ADMIN EXPRESS COG 2018");
    }

    [Fact]
    public async Task An_ADMIN_EXPRESS_GeoPackage_imports_the_table_the_manifest_names()
    {
        var path = Path.Combine(DataDirectory, "geodata", "ADMIN-EXPRESS-COG.gpkg");
        await WriteGeoPackageAsync(path);
        var layer = """
            { "level": "departement", "path": "geodata/ADMIN-EXPRESS-COG.gpkg", "format": "geopackage", {{table}} "code": "insee_dep", "name": "nom",
              "srid": 2154, "vintage": "ADMIN EXPRESS COG 2018", "source": "IGN, ADMIN EXPRESS COG 2018 (GeoPackage)", "licence": "Licence Ouverte" }
            """;

        // Two feature tables and none named: refused, naming them, before anything is written.
        await WriteManifestAsync(layer.Replace("{{table}}", "", StringComparison.Ordinal));
        var refused = await Assert.ThrowsAsync<ImportException>(ImportAsync);
        Assert.Contains("departement, region", refused.Problem, StringComparison.Ordinal);

        await WriteManifestAsync(layer.Replace("{{table}}", "\"table\": \"departement\",", StringComparison.Ordinal));
        await ImportAsync();
        await AssertImportedAsync("ADMIN EXPRESS COG 2018");
    }

    [Fact]
    public async Task A_reimport_keeps_the_outlines_of_a_level_whose_boundary_upload_is_published()
    {
        var features = _departements.Select(d => (IFeature)new Feature(d.Lambert93,
            new AttributesTable { { "INSEE_DEP", d.Code }, { "NOM_DEP", d.Name } }));
        Shapefile.WriteAllFeatures(features, Path.Combine(DataDirectory, "geodata", "DEPARTEMENT.shp"), LambertPrj, System.Text.Encoding.UTF8);
        await WriteManifestAsync("""
            { "level": "departement", "path": "geodata/DEPARTEMENT.shp", "format": "shapefile", "code": "INSEE_DEP", "name": "NOM_DEP",
              "srid": 2154, "vintage": "COG 2018", "source": "IGN, ADMIN EXPRESS COG 2018 (shapefile)", "licence": "Licence Ouverte" }
            """);
        await ImportAsync();

        // As a published upload leaves it: Seine-Saint-Denis on another outline and vintage, a territory 20 added.
        await using var connection = await _scratch.Db.OpenConnectionAsync();
        var version = await connection.ExecuteScalarAsync<long>("""
            with d as (insert into dataset (name) values ('boundaries:departement') returning id)
            insert into dataset_version (dataset_id, file_name, format, report, status, uploaded_by, published_by, published_at)
            select id, 'ADMIN-EXPRESS-COG.zip', 'shapefile', '{}', 'published', 'admin', 'admin', now() from d returning id
            """);
        await connection.ExecuteAsync("""
            update territory set geom = ST_Multi(ST_Buffer(geom, 0.01)), vintage = 'COG 2024', boundary_version_id = @version where level = 'departement' and code = '93';
            insert into territory (level, code, name, search_name, vintage, source, geom, boundary_version_id)
            select 'departement', '20', 'Corse', 'corse', 'COG 2024', 'upload', ST_Multi(ST_Union(geom)), @version from territory where level = 'departement' and code in ('2A', '2B');
            """, new { version });
        const string state = "select string_agg(code || ':' || vintage || ':' || md5(ST_AsEWKB(geom)), ',' order by code) from territory where level = 'departement' and code in ('20', '93')";
        var uploaded = await connection.ExecuteScalarAsync<string>(state);

        await ImportAsync();
        Assert.Equal(uploaded, await connection.ExecuteScalarAsync<string>(state));
        Assert.Contains($"dataset version {version}", await connection.ExecuteScalarAsync<string>(
            "select notes from import_report where dataset = 'boundaries-departement'"), StringComparison.Ordinal);

        // Rolled back, the data directory's layer is the one in force again.
        await connection.ExecuteAsync("update dataset_version set status = 'rejected' where id = @version", new { version });
        await ImportAsync();
        await AssertImportedAsync("COG 2018");
    }

    /// <summary>A GeoPackage shaped like ADMIN EXPRESS's: a departement table and a region table, both in Lambert-93.</summary>
    private async Task WriteGeoPackageAsync(string path)
    {
        var ileDeFrance = _departements.Where(d => d.Code is "75" or "77" or "78" or "91" or "92" or "93" or "94" or "95").Select(d => d.Lambert93).ToList();
        var union = ileDeFrance[0].Factory.BuildGeometry(ileDeFrance).Union();
        await File.WriteAllBytesAsync(path, await GeoPackageFile.WriteAsync(2154,
        [
            new("departement", "MULTIPOLYGON", ["id", "nom", "insee_dep", "insee_reg"],
                _departements.Select(d => (d.Lambert93, new string?[] { $"DEPARTEM_{d.Code}", d.Name, d.Code, null }))),
            new("region", "MULTIPOLYGON", ["id", "nom", "insee_reg"], [(union, ["REGION_11", "Île-de-France", "11"])]),
        ], "RGF93 v1 / Lambert-93"));
    }
}
