using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO;
using NetTopologySuite.IO.Esri;
using Npgsql;
using TerritoryAtlas.Testing;
using TerritoryAtlas.Web.Accounts;
using TerritoryAtlas.Web.Import;
using static TerritoryAtlas.IntegrationTests.TestAccounts;

namespace TerritoryAtlas.IntegrationTests.Datasets;

/// <summary>
/// Boundary layers uploaded by an admin through POST /api/datasets, as IGN ships ADMIN EXPRESS: a GeoPackage with one
/// table per level and a zipped shapefile set (DEPARTEMENT.shp, .dbf, .shx, .prj, .cpg) in Lambert-93, written here
/// from the real 2024 régions and départements of the data directory (reprojected by PostGIS, not by the app's
/// ProjNET). Each test digests only the level it replaces (its territories, map geometry and tiles): the browser
/// tests publish figures into the same database meanwhile, never outlines (one drafts a département layer).
/// </summary>
[Collection(nameof(AtlasCollection))]
public sealed class BoundaryUploadTests(AtlasFixture atlas)
{
    private const string LambertPrj =
        """PROJCS["RGF93_Lambert_93",GEOGCS["GCS_RGF_1993",DATUM["D_RGF_1993",SPHEROID["GRS_1980",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Lambert_Conformal_Conic"],PARAMETER["False_Easting",700000.0],PARAMETER["False_Northing",6600000.0],PARAMETER["Central_Meridian",3.0],PARAMETER["Standard_Parallel_1",49.0],PARAMETER["Standard_Parallel_2",44.0],PARAMETER["Latitude_Of_Origin",46.5],UNIT["Meter",1.0]]""";

    private const string UtmPrj =
        """PROJCS["WGS_1984_UTM_Zone_20N",GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Transverse_Mercator"],PARAMETER["False_Easting",500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",-63.0],PARAMETER["Scale_Factor",0.9996],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]""";

    /// <summary>Where ADMIN EXPRESS COG 2024 puts its shapefiles in the zip as downloaded: the vintage is in the names.</summary>
    private const string DeliveryFolder =
        "ADMIN-EXPRESS-COG_3-2__SHP_LAMB93_FXX_2024-02-22/ADMIN-EXPRESS-COG/1_DONNEES_LIVRAISON_2024-02-00169/ADECOG_3-2_SHP_LAMB93_FXX-ED2024-02-22";

    private sealed record Territory(string Code, string Name, Geometry Lambert93, double Area);

    /// <summary>A GeoJSON layer of the data directory, in Lambert-93 by PostGIS, with each territory's area on the spheroid.</summary>
    private async Task<List<Territory>> LayerAsync(string file)
    {
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(SourceFiles.InData(file)));
        await using var connection = await atlas.Db.OpenConnectionAsync();
        var territories = new List<Territory>();
        foreach (var feature in document.RootElement.GetProperty("features").EnumerateArray())
        {
            var (lambert, area) = await connection.QuerySingleAsync<(Geometry, double)>("""
                select ST_Transform(g, 2154), ST_Area(g::geography)
                from (select ST_SetSRID(ST_GeomFromGeoJSON(@geometry), 4326) as g) s
                """, new { geometry = feature.GetProperty("geometry").GetRawText() });
            territories.Add(new Territory(feature.GetProperty("properties").GetProperty("code").GetString()!,
                feature.GetProperty("properties").GetProperty("nom").GetString()!, lambert, area));
        }

        return territories;
    }

    /// <summary>The level's outlines in force, map geometry and prebuilt tiles, digested: what a roll back must restore exactly.</summary>
    private async Task<string> LevelDigestAsync(string level)
    {
        await using var connection = await atlas.Db.OpenConnectionAsync();
        return await LevelDigestAsync(connection, level);
    }

    private static Task<string> LevelDigestAsync(NpgsqlConnection connection, string level) =>
        connection.QuerySingleAsync<string>("""
            select concat_ws(' | ',
                (select md5(string_agg(concat_ws(':', code, name, vintage, source, boundary_version_id, md5(ST_AsEWKB(geom)), md5(ST_AsEWKB(label_point))),
                                       ';' order by code)) from territory where level = @level),
                (select md5(string_agg(concat_ws(':', code, zoom_band, md5(ST_AsEWKB(geom))), ';' order by code, zoom_band))
                 from territory_tile_geometry where level = @level),
                (select count(*) || ':' || md5(string_agg(concat_ws(':', z, x, y, md5(mvt), md5(gzip), md5(br)), ';' order by z, x, y))
                 from vector_tile where level = @level))
            """, new { level });

    private async Task<string> TilesDigestAsync(string level)
    {
        await using var connection = await atlas.Db.OpenConnectionAsync();
        return await connection.QuerySingleAsync<string>(
            "select md5(string_agg(md5(mvt), ';' order by z, x, y)) from vector_tile where level = @level", new { level });
    }

    /// <summary>
    /// The boundary versions <paramref name="email"/> uploaded and their staged features: an account's own, since a
    /// browser test uploads a layer (as a draft) into the same database meanwhile.
    /// </summary>
    private async Task<(long Versions, long Staged)> BoundaryStateAsync(string email)
    {
        await using var connection = await atlas.Db.OpenConnectionAsync();
        return await connection.QuerySingleAsync<(long, long)>("""
            select (select count(*) from dataset_version v join dataset d on d.id = v.dataset_id where d.name like 'boundaries:%' and v.uploaded_by = @email),
                   (select count(*) from boundary_row b join dataset_version v on v.id = b.version_id where v.uploaded_by = @email)
            """, new { email });
    }

    private async Task<long> DataVersionAsync()
    {
        await using var connection = await atlas.Db.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>("select version from data_version");
    }

    private async Task<(string Vintage, double Area, long? Version)> TerritoryAsync(string level, string code)
    {
        await using var connection = await atlas.Db.OpenConnectionAsync();
        return await connection.QuerySingleAsync<(string, double, long?)>(
            "select vintage, ST_Area(geom::geography), boundary_version_id from territory where level = @level and code = @code", new { level, code });
    }

    /// <summary>A GeoPackage as ADMIN EXPRESS ships one: a feature table per level (here <paramref name="table"/>), columns id, nom, insee_xxx.</summary>
    private static Task<byte[]> GeoPackageAsync(string table, string codeColumn, IEnumerable<(string Code, string Name, Geometry Geometry)> features, int srid = 2154) =>
        GeoPackageFile.WriteAsync(srid, [new GeoPackageFile.Layer(table, "MULTIPOLYGON", ["id", "nom", codeColumn],
            features.Select(f => (f.Geometry, new string?[] { $"{table.ToUpperInvariant()}_{f.Code}", f.Name, f.Code })))]);

    /// <summary>
    /// A shapefile set zipped under <paramref name="folder"/>; <paramref name="leaveOut"/> drops some of its files;
    /// <paramref name="departement"/>, when given, is every feature's INSEE_DEP (an ADMIN EXPRESS arrondissement's).
    /// </summary>
    private static byte[] ShapefileZip(string folder, string stem, string codeColumn, IEnumerable<(string Code, string Name, Geometry Geometry)> features,
        string? prj = LambertPrj, string? departement = null, params string[] leaveOut)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"boundaries-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        try
        {
            var rows = features.Select(f =>
            {
                var attributes = new AttributesTable { { "ID", $"{stem}_{f.Code}" }, { "NOM", f.Name }, { codeColumn, f.Code } };
                if (departement is not null)
                {
                    attributes.Add("INSEE_DEP", departement);
                }

                return (IFeature)new Feature(f.Geometry, attributes);
            });
            Shapefile.WriteAllFeatures(rows, Path.Combine(directory, stem + ".shp"), prj, Encoding.UTF8);
            using var stream = new MemoryStream();
            using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
            {
                foreach (var file in Directory.GetFiles(directory).Where(f => !leaveOut.Contains(Path.GetExtension(f))))
                {
                    zip.CreateEntryFromFile(file, $"{folder}/{Path.GetFileName(file)}");
                }

                zip.CreateEntry($"{folder}/LISEZ-MOI.txt");
            }

            return stream.ToArray();
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<JsonElement> AssertCreatedAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToString());
        Assert.Equal("draft", body.GetProperty("status").GetString());
        return body;
    }

    [Fact]
    public async Task An_admin_publishes_the_regions_as_an_ADMIN_EXPRESS_GeoPackage_and_rolls_them_back_exactly()
    {
        var regions = await LayerAsync("geodata/regions-2024.geojson");
        var gpkg = await GeoPackageAsync("region", "insee_reg", regions.Select(r => (r.Code, r.Name, r.Lambert93)));
        const string fileName = "ADE-COG_3-2_GPKG_LAMB93_FR-ED2024-02-22.gpkg";
        var admin = await atlas.TokenAsync(AtlasRoles.Admin, null);
        var (producer, producerEmail, _) = await atlas.AccountAsync(AtlasRoles.Producer, $"Partenaire {Guid.NewGuid():N}");
        using var http = atlas.PatientClient();
        long? published = null;
        try
        {
            var before = await LevelDigestAsync("region");
            var tilesBefore = await TilesDigestAsync("region");
            var groupingsBefore = $"{await LevelDigestAsync("france")} || {await LevelDigestAsync("zone")}";
            var state = await BoundaryStateAsync(producerEmail);

            // A producer is refused: the outlines every figure is drawn on are the observatory's.
            var refused = await http.SendAsync(Request(HttpMethod.Post, "/api/datasets", producer, Upload(gpkg, fileName)));
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Equal(state, await BoundaryStateAsync(producerEmail));

            // The draft: level from the table's name, vintage from the file's, Lambert-93 from the GeoPackage's EPSG code.
            var body = await AssertCreatedAsync(await http.SendAsync(Request(HttpMethod.Post, "/api/datasets", admin, Upload(gpkg, fileName))));
            var id = body.GetProperty("id").GetInt64();
            var report = body.GetProperty("report");
            Assert.Equal(regions.Count, report.GetProperty("read").GetInt64());
            Assert.Equal(regions.Count, report.GetProperty("accepted").GetInt64());
            var layer = report.GetProperty("boundaries");
            Assert.Equal("region", layer.GetProperty("level").GetString());
            Assert.Equal("geopackage", layer.GetProperty("format").GetString());
            Assert.Equal("region", layer.GetProperty("layer").GetString());
            Assert.Equal(2024, layer.GetProperty("vintage").GetInt32());
            Assert.Equal(fileName, layer.GetProperty("vintageFrom").GetString());
            Assert.Equal(2018, layer.GetProperty("vintageInForce").GetInt32());
            Assert.StartsWith("EPSG:2154", layer.GetProperty("crs").GetString(), StringComparison.Ordinal);
            Assert.Equal(18, layer.GetProperty("features").GetInt32());
            Assert.Equal(18, layer.GetProperty("matched").GetInt32());
            Assert.Equal(0, layer.GetProperty("new").GetInt32());
            Assert.Equal(0, layer.GetProperty("missing").GetInt32());
            Assert.Equal(0, layer.GetProperty("duplicates").GetInt32());
            var bbox = layer.GetProperty("bbox").EnumerateArray().Select(b => b.GetDouble()).ToArray();
            Assert.True(bbox[0] is > -62 and < -61 && bbox[2] is > 55 and < 56, string.Join(" ", bbox));

            // Nothing changes before publication; GET answers the same report.
            Assert.Equal(before, await LevelDigestAsync("region"));
            var got = await (await http.SendAsync(Request(HttpMethod.Get, $"/api/datasets/{id}", admin))).Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(18, got.GetProperty("report").GetProperty("boundaries").GetProperty("matched").GetInt32());

            var dataVersion = await DataVersionAsync();
            var publish = await http.SendAsync(Request(HttpMethod.Post, $"/api/datasets/{id}/publish", admin));
            Assert.True(publish.StatusCode == HttpStatusCode.OK, await publish.Content.ReadAsStringAsync());
            published = id;
            Assert.True(await DataVersionAsync() > dataVersion);

            // Île-de-France is now the 2024 outline (ProjNET and PROJ agree to well under a millionth), and so are its tiles.
            Assert.NotEqual(before, await LevelDigestAsync("region"));
            Assert.NotEqual(tilesBefore, await TilesDigestAsync("region"));
            var ileDeFrance = await TerritoryAsync("region", "11");
            Assert.Equal("COG 2024", ileDeFrance.Vintage);
            Assert.Equal(id, ileDeFrance.Version);
            var expected = regions.Single(r => r.Code == "11").Area;
            Assert.True(Math.Abs(ileDeFrance.Area - expected) / expected < 1e-6, $"{ileDeFrance.Area} m² published, {expected} m² in the file");
            var tile = await http.GetAsync(new Uri($"/tiles/region/0/0/0.mvt?v={await DataVersionAsync()}", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, tile.StatusCode);

            // France and métropole are unions of the régions: their outlines follow, the DROM's too.
            await using (var connection = await atlas.Db.OpenConnectionAsync())
            {
                var france = await connection.ExecuteScalarAsync<double>("select ST_Area(geom::geography) from territory where level = 'france' and code = 'FR'");
                var sum = regions.Sum(r => r.Area);
                Assert.True(Math.Abs(france - sum) / sum < 1e-3, $"France {france} m², its régions {sum} m²");
            }

            Assert.NotEqual(groupingsBefore, $"{await LevelDigestAsync("france")} || {await LevelDigestAsync("zone")}");

            // Its provenance: the file, when, and (for an admin) who.
            var sources = await (await http.SendAsync(Request(HttpMethod.Get, "/api/levels/region/boundaries", admin))).Content.ReadFromJsonAsync<JsonElement>();
            var source = sources.GetProperty("sources").EnumerateArray().Single();
            Assert.Equal("COG 2024", source.GetProperty("vintage").GetString());
            Assert.Equal(18, source.GetProperty("territories").GetInt32());
            var provenance = source.GetProperty("provenance");
            Assert.Equal("contribution", provenance.GetProperty("origin").GetString());
            Assert.Equal(id, provenance.GetProperty("datasetVersionId").GetInt64());
            Assert.Equal(fileName, provenance.GetProperty("file").GetString());
            Assert.True(provenance.TryGetProperty("publishedBy", out _));
            var anonymous = await atlas.App.CreateClient().GetFromJsonAsync<JsonElement>("/api/levels/region/boundaries");
            Assert.False(anonymous.GetProperty("sources")[0].GetProperty("provenance").TryGetProperty("publishedBy", out _));

            // Roll back: the outlines, their map geometry and their tiles exactly as before.
            dataVersion = await DataVersionAsync();
            var rollback = await http.SendAsync(Request(HttpMethod.Post, $"/api/datasets/{id}/rollback", admin));
            Assert.True(rollback.StatusCode == HttpStatusCode.OK, await rollback.Content.ReadAsStringAsync());
            published = null;
            Assert.True(await DataVersionAsync() > dataVersion);
            Assert.Equal(before, await LevelDigestAsync("region"));
            Assert.Equal(groupingsBefore, $"{await LevelDigestAsync("france")} || {await LevelDigestAsync("zone")}");
            Assert.Equal("rejected", (await rollback.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
        }
        finally
        {
            if (published is { } p)
            {
                await http.SendAsync(Request(HttpMethod.Post, $"/api/datasets/{p}/rollback", admin));
            }
        }
    }

    [Fact]
    public async Task An_admin_publishes_the_departements_as_a_zipped_ADMIN_EXPRESS_shapefile_and_rolls_them_back_exactly()
    {
        var departements = await LayerAsync("geodata/departements-2024.geojson");
        var zip = ShapefileZip(DeliveryFolder, "DEPARTEMENT", "INSEE_DEP", departements.Select(d => (d.Code, d.Name, d.Lambert93)));
        var admin = await atlas.TokenAsync(AtlasRoles.Admin, null);
        using var http = atlas.PatientClient();
        long? published = null;
        try
        {
            var before = await LevelDigestAsync("departement");
            var tilesBefore = await TilesDigestAsync("departement");
            var body = await AssertCreatedAsync(await http.SendAsync(Request(HttpMethod.Post, "/api/datasets", admin, Upload(zip, "ADMIN-EXPRESS-COG.zip"))));
            var id = body.GetProperty("id").GetInt64();
            var layer = body.GetProperty("report").GetProperty("boundaries");
            Assert.Equal("departement", layer.GetProperty("level").GetString());
            Assert.Equal("shapefile", layer.GetProperty("format").GetString());
            Assert.Equal($"{DeliveryFolder}/DEPARTEMENT.shp", layer.GetProperty("layer").GetString());
            Assert.Equal(2024, layer.GetProperty("vintage").GetInt32());
            Assert.Contains(".prj", layer.GetProperty("crs").GetString(), StringComparison.Ordinal);
            Assert.Equal(101, layer.GetProperty("features").GetInt32());
            Assert.Equal(101, layer.GetProperty("matched").GetInt32());
            Assert.Equal(before, await LevelDigestAsync("departement"));

            var publish = await http.SendAsync(Request(HttpMethod.Post, $"/api/datasets/{id}/publish", admin));
            Assert.True(publish.StatusCode == HttpStatusCode.OK, await publish.Content.ReadAsStringAsync());
            published = id;
            Assert.NotEqual(tilesBefore, await TilesDigestAsync("departement"));
            foreach (var code in new[] { "93", "2A", "974" })
            {
                var territory = await TerritoryAsync("departement", code);
                var expected = departements.Single(d => d.Code == code).Area;
                Assert.Equal("COG 2024", territory.Vintage);
                Assert.True(Math.Abs(territory.Area - expected) / expected < 1e-6, $"{code}: {territory.Area} m² published, {expected} m² in the file");
            }

            // An older edition than the one now in force is refused.
            var older = await http.SendAsync(Request(HttpMethod.Post, "/api/datasets", admin, Upload(zip, "departements.zip", """{ "vintage": 2019 }""")));
            var problem = await older.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(HttpStatusCode.UnprocessableEntity, older.StatusCode);
            Assert.Contains("COG 2019 is older than the departement outlines in force (COG 2024)", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

            var rollback = await http.SendAsync(Request(HttpMethod.Post, $"/api/datasets/{id}/rollback", admin));
            Assert.True(rollback.StatusCode == HttpStatusCode.OK, await rollback.Content.ReadAsStringAsync());
            published = null;
            Assert.Equal(before, await LevelDigestAsync("departement"));
        }
        finally
        {
            if (published is { } p)
            {
                await http.SendAsync(Request(HttpMethod.Post, $"/api/datasets/{p}/rollback", admin));
            }
        }
    }

    [Fact]
    public async Task Territories_a_new_layer_covers_under_another_code_keep_their_figures_without_polygon_and_the_new_one_has_parents_until_rolled_back()
    {
        // Corsica as one département again (its pre-1976 code 20, the union of 2A and 2B), in WGS84: 2A and 2B are
        // covered by it, so they lose their polygon in that vintage but keep their code and every figure.
        var departements = await LayerAsync("geodata/departements-2024.geojson");
        await using var connection = await atlas.Db.OpenConnectionAsync();
        var wgs84 = new List<(string Code, string Name, Geometry Geometry)>();
        foreach (var d in departements.Where(d => d.Code is not ("2A" or "2B")))
        {
            wgs84.Add((d.Code, d.Name, TerritoryAtlas.Web.Territories.Lambert93.ToWgs84(d.Lambert93)));
        }

        var corse = departements.Where(d => d.Code is "2A" or "2B").Select(d => d.Lambert93).ToList();
        wgs84.Add(("20", "Corse", TerritoryAtlas.Web.Territories.Lambert93.ToWgs84(corse[0].Union(corse[1]))));
        var gpkg = await GeoPackageAsync("departement", "insee_dep", wgs84, srid: 4326);
        const string figures = "select count(*) || ':' || coalesce(sum(o.value), 0) from observation o join territory t on t.id = o.territory_id where t.level = 'departement' and t.code in ('2A', '2B')";
        var figuresBefore = await connection.ExecuteScalarAsync<string>(figures);
        Assert.NotEqual("0:0", figuresBefore);
        var admin = await atlas.TokenAsync(AtlasRoles.Admin, null);
        using var http = atlas.PatientClient();
        long? published = null;
        try
        {
            var before = await LevelDigestAsync("departement");
            var body = await AssertCreatedAsync(await http.SendAsync(Request(HttpMethod.Post, "/api/datasets", admin,
                Upload(gpkg, "departements-corse.gpkg", """{ "vintage": 2024, "level": "departement" }"""))));
            var id = body.GetProperty("id").GetInt64();
            var layer = body.GetProperty("report").GetProperty("boundaries");
            Assert.StartsWith("EPSG:4326", layer.GetProperty("crs").GetString(), StringComparison.Ordinal);
            Assert.Equal("metadata", layer.GetProperty("vintageFrom").GetString());
            Assert.Equal(100, layer.GetProperty("features").GetInt32());
            Assert.Equal(99, layer.GetProperty("matched").GetInt32());
            Assert.Equal(["20"], layer.GetProperty("newCodes").EnumerateArray().Select(c => c.GetString()));
            Assert.Equal(["2A:without_polygon", "2B:without_polygon"], layer.GetProperty("missingTerritories").EnumerateArray()
                .Select(m => $"{m.GetProperty("code").GetString()}:{m.GetProperty("outcome").GetString()}"));

            var publish = await http.SendAsync(Request(HttpMethod.Post, $"/api/datasets/{id}/publish", admin));
            Assert.True(publish.StatusCode == HttpStatusCode.OK, await publish.Content.ReadAsStringAsync());
            published = id;
            var after = (await connection.QueryAsync<(string Code, bool HasPolygon, string Vintage)>(
                "select code, geom is not null, vintage from territory where level = 'departement' and code in ('20', '2A', '2B') order by code")).ToList();
            Assert.Equal([("20", true, "COG 2024"), ("2A", false, "COG 2018"), ("2B", false, "COG 2018")], after);
            Assert.Equal(figuresBefore, await connection.ExecuteScalarAsync<string>(figures));
            Assert.Equal(0, await connection.ExecuteScalarAsync<long>(
                "select count(*) from territory_tile_geometry where level = 'departement' and code in ('2A', '2B')"));
            var sources = await (await http.SendAsync(Request(HttpMethod.Get, "/api/levels/departement/boundaries", admin))).Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(2, sources.GetProperty("sources").EnumerateArray().Sum(s => s.GetProperty("withoutPolygon").GetInt32()));

            // 20 is new to the level: it has the parents an imported département has (its région, France).
            var series = await http.SendAsync(Request(HttpMethod.Get, "/api/series/aah_allocataires/departement/20", admin));
            var members = (await series.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("series").EnumerateArray()
                .Select(m => $"{m.GetProperty("level").GetString()}:{m.GetProperty("code").GetString()}:{m.GetProperty("role").GetString()}");
            Assert.Equal(["departement:20:territory", "region:94:parent", "france:FR:parent"], members);

            // Roll back: 20 goes (no figure names it), 2A and 2B get their polygons back, exactly.
            var rollback = await http.SendAsync(Request(HttpMethod.Post, $"/api/datasets/{id}/rollback", admin));
            Assert.True(rollback.StatusCode == HttpStatusCode.OK, await rollback.Content.ReadAsStringAsync());
            published = null;
            Assert.Equal(before, await LevelDigestAsync("departement"));
            Assert.Equal(HttpStatusCode.NotFound, (await http.SendAsync(Request(HttpMethod.Get, "/api/series/aah_allocataires/departement/20", admin))).StatusCode);
            Assert.Equal(figuresBefore, await connection.ExecuteScalarAsync<string>(figures));
        }
        finally
        {
            if (published is { } p)
            {
                await http.SendAsync(Request(HttpMethod.Post, $"/api/datasets/{p}/rollback", admin));
            }
        }
    }

    /// <summary>
    /// The parent links of the Cantal's territories and of their IRIS, and the arrondissements' figures: what an
    /// arrondissement layer re-links and recomputes, and its roll back must restore exactly.
    /// </summary>
    private async Task<string> CantalLinksAndFiguresAsync()
    {
        await using var connection = await atlas.Db.OpenConnectionAsync();
        return await connection.QuerySingleAsync<string>("""
            with cantal as (
                select t.id from territory t
                join territory_parent d on d.territory_id = t.id and d.parent_level = 'departement'
                join territory dep on dep.id = d.parent_id and dep.code = '15'
            )
            select concat_ws(' | ',
                (select md5(string_agg(concat_ws(':', p.territory_id, p.parent_level, p.parent_id, p.method), ';'
                                       order by p.territory_id, p.parent_level))
                 from territory_parent p where p.territory_id in (select id from cantal)),
                (select md5(string_agg(concat_ws(':', o.indicator_code, a.code, o.year, o.value, o.status, o.numerator, o.denominator), ';'
                                       order by o.indicator_code, a.code, o.year))
                 from observation o join territory a on a.id = o.territory_id and a.level = 'arrondissement' and a.code like '15%'))
            """);
    }

    [Fact]
    public async Task An_arrondissement_layer_as_ADMIN_EXPRESS_numbers_them_links_the_communes_again_sums_them_again_and_rolls_back_exactly()
    {
        // The Cantal with Mauriac's arrondissement (15002) joined to Aurillac's (15001), as ADMIN EXPRESS writes an
        // arrondissement: INSEE_ARR its number within INSEE_DEP. No other test reads the Cantal's arrondissements.
        await using var connection = await atlas.Db.OpenConnectionAsync();
        var cantal = (await connection.QueryAsync<(string Code, string Name, Geometry Lambert93)>(
            "select code, name, ST_Transform(geom, 2154) from territory where level = 'arrondissement' and code like '15%' order by code")).ToList();
        Assert.Equal(["15001", "15002", "15003"], cantal.Select(a => a.Code));
        var zip = ShapefileZip(DeliveryFolder, "ARRONDISSEMENT", "INSEE_ARR",
            [("1", "Aurillac", cantal[0].Lambert93.Union(cantal[1].Lambert93)), ("3", "Saint-Flour", cantal[2].Lambert93)], departement: "15");
        const string communes = """
            select a.code, count(*) from territory_parent p join territory a on a.id = p.parent_id
            where p.parent_level = 'arrondissement' and a.code like '15%' group by a.code order by a.code
            """;
        var communesBefore = (await connection.QueryAsync<(string Code, long Communes)>(communes)).ToList();
        Assert.Equal(3, communesBefore.Count);
        const string population = """
            select a.code, o.value from observation o join territory a on a.id = o.territory_id and a.level = 'arrondissement'
            where o.indicator_code = 'population_municipale' and o.year = 2019 and a.code like '15%' and o.status = 'ok' order by a.code
            """;
        var populationBefore = (await connection.QueryAsync<(string Code, double Value)>(population)).ToDictionary(p => p.Code, p => p.Value);
        Assert.Equal(3, populationBefore.Count);
        var admin = await atlas.TokenAsync(AtlasRoles.Admin, null);
        using var http = atlas.PatientClient();
        long? published = null;
        try
        {
            var level = await LevelDigestAsync("arrondissement");
            var linksAndFigures = await CantalLinksAndFiguresAsync();
            var body = await AssertCreatedAsync(await http.SendAsync(Request(HttpMethod.Post, "/api/datasets", admin, Upload(zip, "ADMIN-EXPRESS-COG.zip"))));
            var id = body.GetProperty("id").GetInt64();
            var layer = body.GetProperty("report").GetProperty("boundaries");
            Assert.Equal("arrondissement", layer.GetProperty("level").GetString());
            Assert.Equal(2, layer.GetProperty("matched").GetInt32());
            Assert.Empty(layer.GetProperty("newCodes").EnumerateArray());
            var missing = layer.GetProperty("missingTerritories").EnumerateArray()
                .ToDictionary(m => m.GetProperty("code").GetString()!, m => m.GetProperty("outcome").GetString());
            Assert.Equal("without_polygon", missing["15002"]);
            Assert.Equal("kept", missing["93001"]);
            Assert.Contains(layer.GetProperty("warnings").EnumerateArray(), w => w.GetString()!.Contains("will be linked again", StringComparison.Ordinal));

            var publish = await http.SendAsync(Request(HttpMethod.Post, $"/api/datasets/{id}/publish", admin));
            Assert.True(publish.StatusCode == HttpStatusCode.OK, await publish.Content.ReadAsStringAsync());
            published = id;

            // Mauriac's communes are Aurillac's now, and Aurillac's population is both arrondissements' sum.
            var communesAfter = (await connection.QueryAsync<(string Code, long Communes)>(communes)).ToList();
            Assert.Equal([("15001", communesBefore[0].Communes + communesBefore[1].Communes), ("15003", communesBefore[2].Communes)], communesAfter);
            var series = await (await http.SendAsync(Request(HttpMethod.Get, "/api/series/population_municipale/arrondissement/15001", admin)))
                .Content.ReadFromJsonAsync<JsonElement>();
            var aurillac2019 = series.GetProperty("series").EnumerateArray().First(m => m.GetProperty("code").GetString() == "15001")
                .GetProperty("points").EnumerateArray().Single(p => p.GetProperty("year").GetInt32() == 2019).GetProperty("value").GetDouble();
            Assert.Equal(populationBefore["15001"] + populationBefore["15002"], aurillac2019);
            Assert.NotEqual(linksAndFigures, await CantalLinksAndFiguresAsync());

            // Only the Cantal's copies and tiles were rebuilt: the same as rebuilding the whole level (in a transaction
            // rolled back).
            var partial = await LevelDigestAsync("arrondissement");
            Assert.NotEqual(level, partial);
            await using (var check = await atlas.Db.OpenConnectionAsync())
            await using (var transaction = await check.BeginTransactionAsync())
            {
                await LevelTiles.BuildGeometryAsync(check, "arrondissement", CancellationToken.None);
                await LevelTiles.RebuildTilesAsync(check, "arrondissement", CancellationToken.None);
                Assert.Equal(partial, await LevelDigestAsync(check, "arrondissement"));
                await transaction.RollbackAsync();
            }

            var rollback = await http.SendAsync(Request(HttpMethod.Post, $"/api/datasets/{id}/rollback", admin));
            Assert.True(rollback.StatusCode == HttpStatusCode.OK, await rollback.Content.ReadAsStringAsync());
            published = null;
            Assert.Equal(level, await LevelDigestAsync("arrondissement"));
            Assert.Equal(linksAndFigures, await CantalLinksAndFiguresAsync());
            Assert.Equal(communesBefore, (await connection.QueryAsync<(string Code, long Communes)>(communes)).ToList());
        }
        finally
        {
            if (published is { } p)
            {
                await http.SendAsync(Request(HttpMethod.Post, $"/api/datasets/{p}/rollback", admin));
            }
        }
    }

    [Fact]
    public async Task A_later_COG_commune_layer_draws_each_commune_nouvelle_on_its_new_outline_with_its_figures_on_that_perimeter_until_rolled_back()
    {
        // The Charente as ADMIN EXPRESS COG 2024 draws it, built as SOURCES.md says from the 2018 layer: each commune
        // nouvelle the correspondence knows as the union of its former communes, which are left out, the others as they
        // were. Cherves-Richemont (16097) absorbed Saint-Sulpice-de-Cognac (16355); its 2019 population (COG 2021)
        // describes its former perimeter. No other test reads the Charente's communes.
        await using var connection = await atlas.Db.OpenConnectionAsync();
        var layer = (await connection.QueryAsync<(string Code, string Name, Geometry Geometry)>("""
            with charente as (
                select t.* from territory t
                join territory_parent d on d.territory_id = t.id and d.parent_level = 'departement' and d.method = 'source'
                join territory dep on dep.id = d.parent_id and dep.code = '16'
                where t.level = 'commune'
            ), merged as (
                select pc.code, pc.parts from perimeter_change pc where pc.level = 'commune' and pc.kind = 'merged' and pc.code like '16%'
            )
            select c.code, c.name,
                   coalesce((select ST_Multi(ST_Union(p.geom)) from territory p where p.level = 'commune' and p.code = any(m.parts)), c.geom)
            from charente c
            left join merged m on m.code = c.code
            where c.code not in (select unnest(parts) from merged except select code from merged)
            order by c.code
            """)).ToList();
        var absorbed = (await connection.QueryAsync<string>(
            "select unnest(parts) from perimeter_change where level = 'commune' and kind = 'merged' and code like '16%' except select code from perimeter_change where level = 'commune' and code like '16%'"))
            .ToList();
        Assert.Contains("16355", absorbed);
        Assert.DoesNotContain(layer, c => c.Code == "16355");
        var gpkg = await GeoPackageAsync("commune", "insee_com", layer, srid: 4326);
        const string figures = """
            select t.code, o.value from observation o join territory t on t.id = o.territory_id and t.level = 'commune'
            where o.indicator_code = 'population_municipale' and o.year = 2019 and t.code in ('16097', '16355') order by t.code
            """;
        var published = (await connection.QueryAsync<(string Code, double Value)>(figures)).ToDictionary(f => f.Code, f => f.Value);
        Assert.Equal(2, published.Count);
        var admin = await atlas.TokenAsync(AtlasRoles.Admin, null);
        using var http = atlas.PatientClient();

        var drawn = new List<(int Territories, bool Absorbed)>();
        async Task<(double? Value, bool Notice)> MapAsync(int year)
        {
            var map = await (await http.SendAsync(Request(HttpMethod.Get, $"/api/maps/commune/population_municipale/{year}?within=departement:16", admin)))
                .Content.ReadFromJsonAsync<JsonElement>();
            var codes = map.GetProperty("codes").EnumerateArray().Select(c => c.GetString()).ToList();
            drawn.Add((map.GetProperty("territories").GetInt32(), codes.Contains("16355")));
            var index = codes.IndexOf("16097");
            var value = map.GetProperty("values")[index];
            return (value.ValueKind == JsonValueKind.Null ? null : value.GetDouble(),
                map.TryGetProperty("perimeters", out var perimeters) && perimeters.ValueKind == JsonValueKind.Object && perimeters.TryGetProperty("16097", out _));
        }

        async Task<double?> ExportedAsync()
        {
            var export = await (await http.SendAsync(Request(HttpMethod.Get,
                "/api/export/commune.geojson?indicator=population_municipale&year=2019&within=departement:16", admin))).Content.ReadFromJsonAsync<JsonElement>();
            var value = export.GetProperty("features").EnumerateArray().Single(f => f.GetProperty("properties").GetProperty("code").GetString() == "16097")
                .GetProperty("properties").GetProperty("value");
            return value.ValueKind == JsonValueKind.Null ? null : value.GetDouble();
        }

        // Before: the 2019 figure of the former perimeter on the former outline; the 2023 one, the commune nouvelle's,
        // drawn on it with its absorbed commune and said so.
        Assert.Equal((published["16097"], false), await MapAsync(2019));
        var (territoriesBefore, absorbedShown) = drawn[^1];
        Assert.True(absorbedShown);
        Assert.True((await MapAsync(2023)).Notice);
        Assert.Equal(published["16097"], await ExportedAsync());
        long? version = null;
        try
        {
            var before = await LevelDigestAsync("commune");
            var body = await AssertCreatedAsync(await http.SendAsync(Request(HttpMethod.Post, "/api/datasets", admin,
                Upload(gpkg, "ADMIN-EXPRESS-COG-2024-charente.gpkg", """{ "vintage": 2024 }"""))));
            var id = body.GetProperty("id").GetInt64();
            var report = body.GetProperty("report").GetProperty("boundaries");
            Assert.Equal("commune", report.GetProperty("level").GetString());
            Assert.Equal(layer.Count, report.GetProperty("matched").GetInt32());
            var missing = report.GetProperty("missingTerritories").EnumerateArray()
                .ToDictionary(m => m.GetProperty("code").GetString()!, m => m.GetProperty("outcome").GetString());
            Assert.All(absorbed, code => Assert.Equal("without_polygon", missing[code]));
            Assert.Equal("kept", missing["01001"]);
            Assert.Contains(report.GetProperty("warnings").EnumerateArray(), w => w.GetString()!.StartsWith("a later COG than the communes in force (COG 2018)", StringComparison.Ordinal));

            var publish = await http.SendAsync(Request(HttpMethod.Post, $"/api/datasets/{id}/publish", admin));
            Assert.True(publish.StatusCode == HttpStatusCode.OK, await publish.Content.ReadAsStringAsync());
            version = id;

            // Cherves-Richemont is drawn on its new outline: every year shows the figure of that perimeter, its 2019
            // population the sum of its two former communes (on the map and in the export), with nothing to explain.
            var cherves = await TerritoryAsync("commune", "16097");
            Assert.Equal("COG 2024", cherves.Vintage);
            Assert.Null(await connection.ExecuteScalarAsync<string>("select ST_AsText(geom) from territory where level = 'commune' and code = '16355'"));
            Assert.Equal((published["16097"] + published["16355"], false), await MapAsync(2019));
            // Its absorbed communes are not drawn: not among the map's figures (it holds theirs), nor counted as without one.
            Assert.Equal((territoriesBefore - absorbed.Count, false), drawn[^1]);
            Assert.False((await MapAsync(2023)).Notice);
            Assert.Equal(published["16097"] + published["16355"], await ExportedAsync());

            var rollback = await http.SendAsync(Request(HttpMethod.Post, $"/api/datasets/{id}/rollback", admin));
            Assert.True(rollback.StatusCode == HttpStatusCode.OK, await rollback.Content.ReadAsStringAsync());
            version = null;
            Assert.Equal(before, await LevelDigestAsync("commune"));
            Assert.Equal((published["16097"], false), await MapAsync(2019));
            Assert.True((await MapAsync(2023)).Notice);
            Assert.Equal(published["16097"], await ExportedAsync());
        }
        finally
        {
            if (version is { } v)
            {
                await http.SendAsync(Request(HttpMethod.Post, $"/api/datasets/{v}/rollback", admin));
            }
        }
    }

    /// <summary>The slippy-map tile holding a point at zoom <paramref name="z"/>.</summary>
    private static (int X, int Y) TileOf(double lon, double lat, int z)
    {
        var n = 1 << z;
        var rad = lat * Math.PI / 180;
        return ((int)Math.Floor((lon + 180) / 360 * n), (int)Math.Floor((1 - Math.Log(Math.Tan(rad) + 1 / Math.Cos(rad)) / Math.PI) / 2 * n));
    }

    [Fact]
    public async Task A_boundary_draft_is_drawn_for_its_contributors_only_as_tiles_saying_what_publishing_would_do()
    {
        // Corsica as one département (code 20, new), the Var redrawn (shrunk by PostGIS), the Bouches-du-Rhône as in force.
        await using var connection = await atlas.Db.OpenConnectionAsync();
        var features = (await connection.QueryAsync<(string Code, string Name, Geometry Geometry)>("""
            select '20', 'Corse', ST_Multi(ST_Union(geom)) from territory where level = 'departement' and code in ('2A', '2B')
            union all select code, name, ST_Multi(ST_Buffer(geom, -0.05)) from territory where level = 'departement' and code = '83'
            union all select code, name, geom from territory where level = 'departement' and code = '13'
            """)).ToList();
        var gpkg = await GeoPackageAsync("departement", "insee_dep", features, srid: 4326);
        var admin = await atlas.TokenAsync(AtlasRoles.Admin, null);
        var stranger = await atlas.TokenAsync(AtlasRoles.Producer, $"Partenaire {Guid.NewGuid():N}");
        using var http = atlas.PatientClient();
        var before = await LevelDigestAsync("departement");
        var body = await AssertCreatedAsync(await http.SendAsync(Request(HttpMethod.Post, "/api/datasets", admin,
            Upload(gpkg, "departements-apercu.gpkg", """{ "vintage": 2024, "level": "departement" }"""))));
        var id = body.GetProperty("id").GetInt64();

        // One zoom-5 tile holds Corsica and Provence (Marseille, Toulon); one over Brittany holds none of the layer.
        var (x, y) = TileOf(9.0, 42.2, 5);
        Assert.Equal((x, y), TileOf(5.4, 43.3, 5));
        Assert.Equal((x, y), TileOf(5.9, 43.1, 5));
        var url = $"/api/datasets/{id}/boundaries/5/{x}/{y}.mvt";
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(url)).StatusCode);
        var hidden = await http.SendAsync(Request(HttpMethod.Get, url, stranger));
        Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
        Assert.Equal("application/problem+json", hidden.Content.Headers.ContentType?.MediaType);

        var tile = await http.SendAsync(Request(HttpMethod.Get, url, admin));
        Assert.Equal(HttpStatusCode.OK, tile.StatusCode);
        Assert.Equal("application/vnd.mapbox-vector-tile", tile.Content.Headers.ContentType?.MediaType);
        Assert.True(tile.Headers.CacheControl is { Private: true, NoStore: true }, tile.Headers.CacheControl?.ToString());
        // An MVT keeps its layer's name and its property values as strings: the layer, the new code, each status.
        var text = Encoding.UTF8.GetString(await tile.Content.ReadAsByteArrayAsync());
        foreach (var expected in new[] { "draft", "Corse", "new", "reshaped", "unchanged" })
        {
            Assert.Contains(expected, text, StringComparison.Ordinal);
        }

        var (bx, by) = TileOf(-3.0, 48.0, 5);
        Assert.Equal(HttpStatusCode.NoContent, (await http.SendAsync(Request(HttpMethod.Get, $"/api/datasets/{id}/boundaries/5/{bx}/{by}.mvt", admin))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.SendAsync(Request(HttpMethod.Get, $"/api/datasets/{id}/boundaries/5/32/0.mvt", admin))).StatusCode);
        // A draft: the outlines in force are untouched.
        Assert.Equal(before, await LevelDigestAsync("departement"));
    }

    [Fact]
    public async Task Bad_boundary_files_are_refused_with_their_reason_and_change_nothing()
    {
        var regions = (await LayerAsync("geodata/regions-2024.geojson")).Select(r => (r.Code, r.Name, r.Lambert93)).ToList();
        var (admin, adminEmail, _) = await atlas.AccountAsync(AtlasRoles.Admin, null);
        using var http = atlas.PatientClient();
        var before = await LevelDigestAsync("region");
        var state = await BoundaryStateAsync(adminEmail);

        var zipBomb = new MemoryStream();
        using (var archive = new ZipArchive(zipBomb, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var extension in new[] { ".shp", ".dbf", ".prj" })
            {
                await using var entry = archive.CreateEntry($"REGION{extension}", CompressionLevel.Optimal).Open();
                entry.Write(new byte[extension == ".shp" ? 64 << 20 : 100]);
            }
        }

        var noShp = new MemoryStream();
        using (var archive = new ZipArchive(noShp, ZipArchiveMode.Create, leaveOpen: true))
        {
            await using var entry = archive.CreateEntry("REGION.dbf").Open();
            entry.Write("not a layer"u8);
        }

        var garbage = new MemoryStream();
        using (var archive = new ZipArchive(garbage, ZipArchiveMode.Create, leaveOpen: true))
        {
            var noise = new Random(14);
            foreach (var extension in new[] { ".shp", ".shx", ".dbf", ".prj" })
            {
                var bytes = new byte[4096];
                noise.NextBytes(bytes);
                await using var entry = archive.CreateEntry($"{DeliveryFolder}/REGION{extension}").Open();
                entry.Write(bytes);
            }
        }

        var swapped = regions.Select(r => (r.Code, r.Name, SwapToLatitudeLongitude(r.Lambert93))).ToList();
        var duplicate = regions.Append(regions[0]).ToList();
        var empty = regions.Select((r, i) => i == 3 ? (r.Code, r.Name, (Geometry)r.Lambert93.Factory.CreatePolygon()) : r).ToList();
        var cases = new (string Name, byte[] File, string? Metadata, string Expected)[]
        {
            ("regions.zip", "code,nom\n11,Île-de-France\n"u8.ToArray(), null, "regions.zip: file: not a zip archive"),
            ("regions.zip", noShp.ToArray(), null, "the zip holds no .shp"),
            ("regions.zip", ShapefileZip(DeliveryFolder, "REGION", "INSEE_REG", regions, LambertPrj, leaveOut: ".dbf"), null, "REGION.dbf: missing beside REGION.shp"),
            ("regions.zip", ShapefileZip(DeliveryFolder, "REGION", "INSEE_REG", regions, LambertPrj, leaveOut: ".prj"), null, "REGION.prj: missing beside REGION.shp"),
            ("regions.zip", ShapefileZip(DeliveryFolder, "REGION", "INSEE_REG", regions), """{ "level": "canton" }""", "'canton' is not a level whose boundaries an upload replaces"),
            ("regions.zip", ShapefileZip("couches", "LIMITES", "CODE", regions), """{ "vintage": 2024 }""", "which level this layer replaces is not recognised"),
            ("regions.zip", ShapefileZip("couches", "REGION", "INSEE_REG", regions), null, "the COG vintage of the layer is not in its names"),
            ("regions.zip", zipBomb.ToArray(), null, "refused as a zip bomb"),
            ("regions.zip", garbage.ToArray(), null, "not a readable shapefile"),
            ("regions.gpkg", "SQLite format 3\0 and then nothing"u8.ToArray(), """{ "vintage": 2024 }""", "regions.gpkg: file:"),
            ("regions.zip", ShapefileZip(DeliveryFolder, "REGION", "INSEE_REG", regions, UtmPrj), null, "neither Lambert-93 nor WGS84"),
            ("regions-utm.gpkg", await GeoPackageAsync("region", "insee_reg", regions, srid: 32620), """{ "vintage": 2024 }""", "EPSG:32620 is not supported"),
            ("regions.zip", ShapefileZip(DeliveryFolder, "REGION", "INSEE_REG", swapped, prj: null), """{ "srid": 4326 }""", "outside France"),
            ("regions.zip", ShapefileZip(DeliveryFolder, "REGION", "INSEE_REG", duplicate), null, $"duplicate code {regions[0].Code}"),
            ("regions.gpkg", await GeoPackageAsync("region", "insee_reg", empty), """{ "vintage": 2024 }""", "feature 4, geometry"),
            ("regions.zip", ShapefileZip(DeliveryFolder, "REGION", "INSEE_REG", regions), """{ "vintage": 2010 }""", "COG 2010 is older than the region outlines in force (COG 2018)"),
        };
        foreach (var (name, file, metadata, expected) in cases)
        {
            var response = await http.SendAsync(Request(HttpMethod.Post, "/api/datasets", admin, Upload(file, name, metadata)));
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, $"{expected}: {(int)response.StatusCode} {body}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var detail = JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString()!;
            Assert.Contains(expected, detail, StringComparison.Ordinal);
            Assert.Contains(name, detail, StringComparison.Ordinal);
        }

        // Past the upload limit (1 MB on this instance): refused before it is read.
        await using (var limited = atlas.App.WithWebHostBuilder(b => b.UseSetting("Datasets:MaxUploadMegabytes", "1")))
        {
            using var small = limited.CreateClient();
            var large = ShapefileZip(DeliveryFolder, "DEPARTEMENT", "INSEE_DEP", (await LayerAsync("geodata/departements-2024.geojson")).Select(d => (d.Code, d.Name, d.Lambert93)));
            Assert.True(large.Length > 1 << 20, $"{large.Length} bytes");
            var response = await small.SendAsync(Request(HttpMethod.Post, "/api/datasets", admin, Upload(large, "departements.zip")));
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode is HttpStatusCode.UnprocessableEntity or HttpStatusCode.RequestEntityTooLarge, body);
            Assert.Contains("larger than the limit of 1 MB", body, StringComparison.Ordinal);
        }

        Assert.Equal(state, await BoundaryStateAsync(adminEmail));
        Assert.Equal(before, await LevelDigestAsync("region"));
    }

    /// <summary>Lambert-93 outlines turned into latitude/longitude pairs (the axis order mistake): inside no part of France.</summary>
    private static Geometry SwapToLatitudeLongitude(Geometry lambert93)
    {
        var wgs84 = TerritoryAtlas.Web.Territories.Lambert93.ToWgs84(lambert93);
        wgs84.Apply(new SwapFilter());
        return wgs84;
    }

    private sealed class SwapFilter : IEntireCoordinateSequenceFilter
    {
        public bool Done => false;
        public bool GeometryChanged => true;

        public void Filter(CoordinateSequence seq)
        {
            for (var i = 0; i < seq.Count; i++)
            {
                var (x, y) = (seq.GetX(i), seq.GetY(i));
                seq.SetX(i, y);
                seq.SetY(i, x);
            }
        }
    }
}
