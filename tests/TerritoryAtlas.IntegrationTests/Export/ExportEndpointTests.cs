using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using NetTopologySuite.Features;
using NetTopologySuite.Geometries;
using NetTopologySuite.IO.Converters;
using TerritoryAtlas.Web.Import;

namespace TerritoryAtlas.IntegrationTests.Export;

[Collection(nameof(AtlasCollection))]
public sealed class ExportEndpointTests(AtlasFixture atlas)
{
    private static readonly JsonSerializerOptions GeoJson = new() { Converters = { new GeoJsonConverterFactory() } };

    [Fact]
    public async Task The_communes_within_seine_saint_denis_are_exactly_its_40_communes_in_lon_lat_with_counterclockwise_exteriors()
    {
        using var client = atlas.App.CreateClient();
        var response = await client.GetAsync("/api/export/commune.geojson?indicator=taux_pauvrete_60&year=2019&within=departement:93");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/geo+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("territoryatlas_commune_departement-93_taux_pauvrete_60_2019.geojson", response.Content.Headers.ContentDisposition?.FileName?.Trim('"'));

        var text = await response.Content.ReadAsStringAsync();
        var collection = JsonSerializer.Deserialize<FeatureCollection>(text, GeoJson)!;
        Assert.Equal(40, collection.Count);
        foreach (var feature in collection)
        {
            var code = (string)feature.Attributes["code"];
            Assert.StartsWith("93", code, StringComparison.Ordinal);
            Assert.Equal("93", feature.Attributes["departement"]);
            Assert.Equal("11", feature.Attributes["region"]);
            var geometry = Assert.IsType<MultiPolygon>(feature.Geometry);
            // Longitude first: Seine-Saint-Denis lies around 2.4° E, 48.9° N.
            Assert.All(geometry.Coordinates, c =>
            {
                Assert.InRange(c.X, 2.2, 2.7);
                Assert.InRange(c.Y, 48.8, 49.1);
            });
            foreach (var polygon in geometry.Geometries.Cast<Polygon>())
            {
                Assert.True(SignedArea(polygon.ExteriorRing.Coordinates) > 0, $"{code}: exterior ring is clockwise");
                Assert.All(polygon.InteriorRings, hole => Assert.True(SignedArea(hole.Coordinates) < 0, $"{code}: hole is counterclockwise"));
            }
        }

        await using var connection = await atlas.Db.OpenConnectionAsync();
        var expected = (await connection.QueryAsync<(string Code, double? Value)>("""
            select t.code, o.value from territory t
            join territory_parent tp on tp.territory_id = t.id and tp.parent_level = 'departement'
            join territory d on d.id = tp.parent_id and d.code = '93'
            left join published_observation o on o.territory_id = t.id and o.indicator_code = 'taux_pauvrete_60' and o.year = 2019
            where t.level = 'commune' order by t.code
            """)).ToList();
        Assert.Equal(expected.Select(e => e.Code), collection.Select(f => (string)f.Attributes["code"]));
        Assert.Equal(expected.Select(e => e.Value), collection.Select(f => f.Attributes["value"] is { } v ? Convert.ToDouble(v, CultureInfo.InvariantCulture) : (double?)null));

        // Metadata travels in each feature's properties and in the collection.
        var saintDenis = collection.Single(f => (string)f.Attributes["code"] == "93066");
        Assert.Equal("Saint-Denis", saintDenis.Attributes["name"]);
        Assert.Equal("taux_pauvrete_60", saintDenis.Attributes["indicator"]);
        Assert.Equal("%", saintDenis.Attributes["unit"]);
        Assert.Equal(2019, Convert.ToInt32(saintDenis.Attributes["year"], CultureInfo.InvariantCulture));
        Assert.Equal("ok", saintDenis.Attributes["status"]);
        Assert.Contains("Filosofi", (string)saintDenis.Attributes["source"], StringComparison.Ordinal);
        using var document = JsonDocument.Parse(text);
        Assert.Equal("Taux de pauvreté (seuil à 60 %)", document.RootElement.GetProperty("indicators")[0].GetProperty("label").GetString());
    }

    [Theory]
    [InlineData("commune.geojson?within=departement:93", """
        select count(*) from territory t join territory_parent tp on tp.territory_id = t.id
        join territory p on p.id = tp.parent_id and p.level = 'departement' and p.code = '93' where t.level = 'commune'
        """)]
    [InlineData("epci.geojson?within=region:84", """
        select count(*) from territory t join territory_parent tp on tp.territory_id = t.id
        join territory p on p.id = tp.parent_id and p.level = 'region' and p.code = '84' where t.level = 'epci'
        """)]
    [InlineData("commune.geojson?indicator=taux_pauvrete_60&year=2019&min=20&max=30", """
        select count(*) from published_observation o join territory t on t.id = o.territory_id
        where t.level = 'commune' and o.indicator_code = 'taux_pauvrete_60' and o.year = 2019 and o.value between 20 and 30
        """)]
    [InlineData("commune.geojson?bbox=2.25,48.8,2.45,48.92&simplify=50", """
        select count(*) from territory where level = 'commune' and ST_Intersects(geom, ST_MakeEnvelope(2.25, 48.8, 2.45, 48.92, 4326))
        """)]
    [InlineData("departement.geojson?indicator=aah_allocataires&year=2018,2019", "select count(*) from territory where level = 'departement'")]
    [InlineData("region.geojson?within=region:84", "select 1")]
    public async Task Feature_counts_equal_the_sql_count_of_each_filter(string url, string countSql)
    {
        using var client = atlas.App.CreateClient();
        var collection = JsonSerializer.Deserialize<FeatureCollection>(await client.GetStringAsync("/api/export/" + url), GeoJson)!;
        await using var connection = await atlas.Db.OpenConnectionAsync();
        var expected = await connection.ExecuteScalarAsync<long>(countSql);
        Assert.True(expected > 0);
        Assert.Equal(expected, collection.Count);

        var preview = await client.GetFromJsonAsync<JsonElement>("/api/export/" + url.Replace(".geojson", "/preview", StringComparison.Ordinal));
        Assert.Equal(expected, preview.GetProperty("rows").GetInt64());
    }

    [Fact]
    public async Task Several_indicators_and_years_become_flat_columns_with_their_statuses()
    {
        using var client = atlas.App.CreateClient();
        var collection = JsonSerializer.Deserialize<FeatureCollection>(
            await client.GetStringAsync("/api/export/departement.geojson?indicator=aah_allocataires,taux_pauvrete_60&year=2019&within=departement:93"), GeoJson)!;
        var feature = Assert.Single(collection);
        Assert.Equal(27.9, Convert.ToDouble(feature.Attributes["taux_pauvrete_60_2019"], CultureInfo.InvariantCulture), 6);
        Assert.Equal("ok", feature.Attributes["taux_pauvrete_60_2019_status"]);
        Assert.Contains("aah_allocataires_2019", feature.Attributes.GetNames());
        Assert.DoesNotContain("value", feature.Attributes.GetNames());
    }

    [Fact]
    public async Task A_suppressed_figure_is_exported_null_with_status_suppressed()
    {
        await using var connection = await atlas.Db.OpenConnectionAsync();
        // The real data carries no suppressed figure at commune level; mark one for the test and put it back after.
        const string Code = "93066";
        const string Indicator = "mediane_niveau_vie";
        await connection.ExecuteAsync("""
            update observation set status = 'suppressed'
            where indicator_code = @Indicator and year = 2014 and territory_id = (select id from territory where level = 'commune' and code = @Code)
            """, new { Indicator, Code });
        try
        {
            using var client = atlas.App.CreateClient();
            var geojson = JsonSerializer.Deserialize<FeatureCollection>(
                await client.GetStringAsync($"/api/export/commune.geojson?indicator={Indicator}&year=2014&within=commune:{Code}"), GeoJson)!;
            var feature = Assert.Single(geojson);
            Assert.Null(feature.Attributes["value"]);
            Assert.Equal("suppressed", feature.Attributes["status"]);

            var csv = CsvFile.Read(new StringReader(await client.GetStringAsync($"/api/export/commune.csv?indicator={Indicator}&year=2014&within=commune:{Code}")), "export");
            var record = Assert.Single(csv.Records);
            Assert.Equal("", record[csv.Column("value")]);
            Assert.Equal("suppressed", record[csv.Column("status")]);
        }
        finally
        {
            await connection.ExecuteAsync("""
                update observation set status = 'ok'
                where indicator_code = @Indicator and year = 2014 and territory_id = (select id from territory where level = 'commune' and code = @Code)
                """, new { Indicator, Code });
        }
    }

    [Fact]
    public async Task Lambert93_coordinates_match_postgis_st_transform_within_a_metre()
    {
        using var client = atlas.App.CreateClient();
        var response = await client.GetAsync("/api/export/commune.geojson?within=commune:93066&crs=2154");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        Assert.Equal("urn:ogc:def:crs:EPSG::2154", document.RootElement.GetProperty("crs").GetProperty("properties").GetProperty("name").GetString());
        var ring = document.RootElement.GetProperty("features")[0].GetProperty("geometry").GetProperty("coordinates")[0][0];

        await using var connection = await atlas.Db.OpenConnectionAsync();
        var reference = (await connection.QueryAsync<(double X, double Y)>("""
            select ST_X(p), ST_Y(p) from (
                select ST_Transform(ST_PointN(ST_ExteriorRing(ST_GeometryN(ST_ForcePolygonCCW(geom), 1)), n), 2154) as p
                from territory, generate_series(1, 5) n where level = 'commune' and code = '93066') q
            """)).ToList();
        for (var i = 0; i < reference.Count; i++)
        {
            var x = ring[i][0].GetDouble();
            var y = ring[i][1].GetDouble();
            Assert.True(Math.Abs(x - reference[i].X) < 1 && Math.Abs(y - reference[i].Y) < 1,
                $"point {i}: ({x}, {y}) vs PostGIS ({reference[i].X}, {reference[i].Y})");
        }

        // Saint-Denis lies near (652 000, 6 869 000) in Lambert-93.
        Assert.InRange(ring[0][0].GetDouble(), 645_000, 660_000);
        Assert.InRange(ring[0][1].GetDouble(), 6_860_000, 6_875_000);
    }

    [Theory]
    [InlineData(",", false)]
    [InlineData(";", true)]
    public async Task Csv_round_trips_through_a_csv_reader_with_either_separator(string separator, bool bom)
    {
        using var client = atlas.App.CreateClient();
        var bytes = await client.GetByteArrayAsync(
            $"/api/export/commune.csv?indicator=taux_pauvrete_60,mediane_niveau_vie&year=2019&within=departement:93&sep={Uri.EscapeDataString(separator)}&bom={bom.ToString().ToLowerInvariant()}");
        Assert.Equal(bom, bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble));
        var text = Encoding.UTF8.GetString(bom ? bytes[3..] : bytes);
        var csv = CsvFile.Read(new StringReader(text), "export");
        Assert.Equal(["code", "name", "region", "departement", "arrondissement", "epci", "indicator", "year", "value", "status", "unit", "label", "provenance"], csv.Header);
        Assert.Equal(80, csv.Records.Count);

        await using var connection = await atlas.Db.OpenConnectionAsync();
        var expected = (await connection.QueryAsync<(string Code, string Name, string Indicator, double? Value, string? Dataset)>("""
            select t.code, t.name, i.code, o.value, o.dataset from territory t
            join territory_parent tp on tp.territory_id = t.id and tp.parent_level = 'departement'
            join territory d on d.id = tp.parent_id and d.code = '93'
            cross join (values ('taux_pauvrete_60', 1), ('mediane_niveau_vie', 2)) i(code, ord)
            left join published_observation o on o.territory_id = t.id and o.indicator_code = i.code and o.year = 2019
            where t.level = 'commune' order by t.code, i.ord
            """)).ToList();
        var culture = separator == ";" ? CultureInfo.GetCultureInfo("fr-FR") : CultureInfo.InvariantCulture;
        for (var i = 0; i < expected.Count; i++)
        {
            var record = csv.Records[i];
            Assert.Equal(expected[i].Code, record[0]);
            Assert.Equal(expected[i].Name, record[1]);
            Assert.Equal(expected[i].Indicator, record[csv.Column("indicator")]);
            var value = record[csv.Column("value")];
            Assert.Equal(expected[i].Value, value.Length == 0 ? null : double.Parse(value, NumberStyles.Float, culture));
            // Filosofi's figures are the data directory's import (the series API names its file).
            Assert.Equal(expected[i].Dataset is { } dataset ? $"import:{dataset}" : "", record[csv.Column("provenance")]);
        }

    }

    [Theory]
    [InlineData(",", false)]
    [InlineData(";", true)]
    public async Task The_csv_names_its_sources_file_which_gives_each_indicator_its_source_once(string separator, bool bom)
    {
        using var client = atlas.App.CreateClient();
        var query = $"?indicator=taux_pauvrete_60,mediane_niveau_vie&year=2019&within=departement:93&sep={Uri.EscapeDataString(separator)}&bom={bom.ToString().ToLowerInvariant()}";
        using var data = await client.GetAsync($"/api/export/commune.csv{query}");
        data.EnsureSuccessStatusCode();
        var link = Assert.Single(data.Headers.GetValues("Link"));
        Assert.Equal($"</api/export/commune/sources.csv{query}>; rel=\"describedby\"; type=\"text/csv\"", link);

        var bytes = await client.GetByteArrayAsync(link[1..link.IndexOf('>', StringComparison.Ordinal)]);
        Assert.Equal(bom, bytes.AsSpan().StartsWith(Encoding.UTF8.Preamble));
        var sources = CsvFile.Read(new StringReader(Encoding.UTF8.GetString(bom ? bytes[3..] : bytes)), "sources");
        Assert.Equal(["indicator", "label", "unit", "years", "definition", "source", "producer", "licence", "level"], sources.Header);
        Assert.Equal(["taux_pauvrete_60", "mediane_niveau_vie"], sources.Records.Select(r => r[0]));
        // Sources hold the separator (';') and come back whole, with the years exported and the catalogue's words.
        await using var connection = await atlas.Db.OpenConnectionAsync();
        foreach (var record in sources.Records)
        {
            var (source, licence) = await connection.QuerySingleAsync<(string, string)>(
                "select source, licence from indicator where code = @code", new { code = record[0] });
            Assert.Equal(source, record[sources.Column("source")]);
            Assert.Equal(licence, record[sources.Column("licence")]);
            Assert.Equal("2019", record[sources.Column("years")]);
        }
    }

    [Fact]
    public async Task The_sources_file_keeps_the_exportʼs_visibility_and_validation()
    {
        using var client = atlas.App.CreateClient();
        using var unknown = await client.GetAsync("/api/export/commune/sources.csv?indicator=no_such_indicator");
        Assert.Equal(System.Net.HttpStatusCode.NotFound, unknown.StatusCode);
        using var badYear = await client.GetAsync("/api/export/departement/sources.csv?indicator=aah_allocataires&year=1802");
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, badYear.StatusCode);
    }

    [Theory]
    [InlineData("/api/export/canton.geojson", 404, "level")]
    [InlineData("/api/export/commune.geojson?indicator=no_such_indicator", 404, "indicator")]
    [InlineData("/api/export/commune.geojson?indicator=aah_allocataires", 400, "indicator")]
    [InlineData("/api/export/departement.geojson?indicator=aah_allocataires&year=1802", 400, "year")]
    [InlineData("/api/export/departement.geojson?indicator=aah_allocataires&year=twenty", 400, "year")]
    [InlineData("/api/export/commune.geojson?within=departement:999", 400, "within")]
    [InlineData("/api/export/commune.geojson?within=93", 400, "within")]
    [InlineData("/api/export/departement.geojson?within=commune:93066", 400, "within")]
    [InlineData("/api/export/departement.geojson?indicator=aah_allocataires&min=10&max=5", 400, "min")]
    [InlineData("/api/export/departement.geojson?min=10", 400, "min")]
    [InlineData("/api/export/departement.geojson?indicator=aah_allocataires&max=abc", 400, "max")]
    [InlineData("/api/export/departement.geojson?bbox=1,2,3", 400, "bbox")]
    [InlineData("/api/export/departement.geojson?bbox=3,45,2,46", 400, "bbox")]
    [InlineData("/api/export/departement.geojson?bbox=2,95,3,96", 400, "bbox")]
    [InlineData("/api/export/departement.geojson?crs=3857", 400, "crs")]
    [InlineData("/api/export/departement.geojson?simplify=-1", 400, "simplify")]
    [InlineData("/api/export/departement.geojson?colour=red", 400, "colour")]
    [InlineData("/api/export/departement.geojson?sep=;", 400, "sep")]
    [InlineData("/api/export/departement.csv?sep=|", 400, "sep")]
    [InlineData("/api/export/departement.csv?bom=maybe", 400, "bom")]
    [InlineData("/api/export/departement.csv?crs=4326&crs=2154", 400, "crs")]
    public async Task Bad_parameters_get_a_problem_naming_the_parameter(string url, int status, string parameter)
    {
        var problem = await atlas.ProblemNamingAsync(url, status, parameter);
        Assert.Equal($"Invalid parameter '{parameter}'", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Exports_are_compressed_when_the_client_accepts_gzip()
    {
        using var client = atlas.App.CreateClient(); // the test server never decompresses
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/export/commune.geojson?within=departement:93");
        request.Headers.AcceptEncoding.ParseAdd("gzip");
        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("gzip", response.Content.Headers.ContentEncoding);
    }

    [Fact]
    public async Task Ogrinfo_reads_the_geojson_export_in_both_crs()
    {
        if (!File.Exists("/usr/bin/ogrinfo"))
        {
            // gdal-bin is installed by ./atlas test; without it there is nothing to run.
            return;
        }

        using var client = atlas.App.CreateClient();
        foreach (var (crs, expect) in new[] { ("4326", "WGS 84"), ("2154", "RGF93") })
        {
            var path = Path.Combine(Path.GetTempPath(), $"atlas-export-{Guid.NewGuid():N}.geojson");
            await File.WriteAllBytesAsync(path, await client.GetByteArrayAsync($"/api/export/commune.geojson?indicator=taux_pauvrete_60&within=departement:93&crs={crs}"));
            try
            {
                using var ogrinfo = Process.Start(new ProcessStartInfo("/usr/bin/ogrinfo", ["-ro", "-so", "-al", path]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
                var output = await ogrinfo.StandardOutput.ReadToEndAsync();
                await ogrinfo.WaitForExitAsync();
                Assert.Equal(0, ogrinfo.ExitCode);
                Assert.Contains("Feature Count: 40", output, StringComparison.Ordinal);
                Assert.Contains("Multi Polygon", output, StringComparison.Ordinal);
                Assert.Contains(expect, output, StringComparison.Ordinal);
                Assert.Contains("value: Real", output, StringComparison.Ordinal);
            }
            finally
            {
                File.Delete(path);
            }
        }
    }

    /// <summary>Shoelace formula: positive for a counterclockwise ring in a lon/lat (x east, y north) plane.</summary>
    private static double SignedArea(Coordinate[] ring)
    {
        var sum = 0.0;
        for (var i = 0; i < ring.Length - 1; i++)
        {
            sum += (ring[i].X * ring[i + 1].Y) - (ring[i + 1].X * ring[i].Y);
        }

        return sum / 2;
    }
}
