using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using NetTopologySuite.IO.VectorTiles.Mapbox;
using TerritoryAtlas.Web.Maps;

namespace TerritoryAtlas.IntegrationTests.Maps;

[Collection(nameof(AtlasCollection))]
public sealed class MapEndpointTests(AtlasFixture atlas)
{
    [Fact]
    public async Task Health_answers_ok_when_postgis_answers()
    {
        using var client = atlas.App.CreateClient();
        var response = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("ok", body.GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_catalogue_lists_every_indicator_with_its_levels_and_years()
    {
        using var client = atlas.App.CreateClient();
        var catalogue = await client.GetFromJsonAsync<JsonElement>("/api/indicators");
        await using var connection = await atlas.Db.OpenConnectionAsync();
        Assert.Equal(await connection.ExecuteScalarAsync<long>("select count(*) from indicator"), catalogue.GetArrayLength());

        var aah = catalogue.EnumerateArray().Single(i => i.GetProperty("code").GetString() == "aah_allocataires");
        Assert.Equal("handicap", aah.GetProperty("theme").GetString());
        Assert.False(string.IsNullOrWhiteSpace(aah.GetProperty("label").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(aah.GetProperty("unit").GetString()));
        var levels = aah.GetProperty("levels").EnumerateArray().Select(l => l.GetString()).ToList();
        Assert.Contains("departement", levels);
        Assert.Contains("region", levels);
        var years = aah.GetProperty("years").EnumerateArray().Select(y => y.GetInt32()).ToList();
        Assert.Equal(1995, years.Min());
        Assert.Equal(2019, years.Max());
    }

    [Fact]
    public async Task Map_values_equal_the_database_and_every_value_falls_in_its_class()
    {
        using var client = atlas.App.CreateClient();
        var values = await client.GetFromJsonAsync<JsonElement>("/api/maps/departement/taux_pauvrete_60/2019?classes=5");
        await using var connection = await atlas.Db.OpenConnectionAsync();
        var expected = (await connection.QueryAsync<(string Code, double Value)>("""
            select t.code, o.value from observation o join territory t on t.id = o.territory_id
            where t.level = 'departement' and o.indicator_code = 'taux_pauvrete_60' and o.year = 2019 order by t.code
            """)).ToList();

        var codes = values.GetProperty("codes").EnumerateArray().Select(c => c.GetString()!).ToList();
        var numbers = values.GetProperty("values").EnumerateArray().Select(v => v.GetDouble()).ToList();
        Assert.Equal(expected.Select(e => e.Code), codes);
        Assert.Equal(expected.Select(e => e.Value), numbers);

        var bounds = values.GetProperty("classification").GetProperty("bounds").EnumerateArray().Select(b => b.GetDouble()).ToList();
        var counts = values.GetProperty("classification").GetProperty("counts").EnumerateArray().Select(b => b.GetInt32()).ToList();
        var classes = values.GetProperty("classes").EnumerateArray().Select(c => c.GetInt32()).ToList();
        Assert.Equal(6, bounds.Count);
        Assert.Equal(codes.Count, counts.Sum());
        for (var i = 0; i < numbers.Count; i++)
        {
            Assert.InRange(numbers[i], bounds[classes[i]], bounds[classes[i] + 1]);
        }

        var seineSaintDenis = numbers[codes.IndexOf("93")];
        Assert.Equal(27.9, seineSaintDenis, 6); // SOURCES.md: Seine-Saint-Denis 27.9 % in 2019
        Assert.Equal(4, classes[codes.IndexOf("93")]); // the highest poverty rate of metropolitan France is in the top class
    }

    [Theory]
    [InlineData("/api/maps/canton/aah_allocataires/2019", 404, "level")]
    [InlineData("/api/maps/departement/no_such_indicator/2019", 404, "indicator")]
    [InlineData("/api/maps/departement/aah_allocataires/1802", 404, "year")]
    [InlineData("/api/maps/commune/aah_allocataires/2019", 404, "level")]
    [InlineData("/api/maps/departement/aah_allocataires/2019?classification=astrology", 400, "classification")]
    [InlineData("/api/maps/departement/aah_allocataires/2019?classes=42", 400, "classes")]
    [InlineData("/tiles/departement/3/8/1.mvt", 400, "x")]
    [InlineData("/tiles/departement/30/0/0.mvt", 400, "z")]
    [InlineData("/tiles/canton/3/4/2.mvt", 404, "level")]
    public async Task Bad_parameters_get_a_problem_naming_the_parameter(string url, int status, string parameter)
    {
        var problem = await atlas.ProblemNamingAsync(url, status, parameter);
        Assert.Contains(parameter, problem.GetProperty("title").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_departement_tile_decodes_as_mvt_and_carries_the_codes_of_the_paris_basin()
    {
        using var client = atlas.App.CreateClient();
        var version = await client.GetFromJsonAsync<JsonElement>("/api/maps/departement/aah_allocataires/2019");
        var response = await client.GetAsync($"/tiles/departement/5/16/11.mvt?v={version.GetProperty("dataVersion").GetInt64()}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/vnd.mapbox-vector-tile", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("immutable", response.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        Assert.NotNull(response.Headers.ETag);

        await using var stream = await response.Content.ReadAsStreamAsync();
        var tile = new MapboxTileReader().Read(stream, new NetTopologySuite.IO.VectorTiles.Tiles.Tile(16, 11, 5));
        var layer = Assert.Single(tile.Layers);
        Assert.Equal("territories", layer.Name);
        var codes = layer.Features.Select(f => f.Attributes["code"]?.ToString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "75", "92", "93", "94", "77", "78", "91", "95" }, codes);
        // z5/16/11 spans longitudes 0°–11.25° and latitudes 41°–48.9°: Finistère and Nord lie outside.
        Assert.DoesNotContain("29", codes);
        Assert.DoesNotContain("59", codes);

        // A second request with the ETag is answered 304 without a body.
        using var again = new HttpRequestMessage(HttpMethod.Get, response.RequestMessage!.RequestUri);
        again.Headers.IfNoneMatch.Add(response.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await client.SendAsync(again)).StatusCode);
    }

    [Fact]
    public async Task Commune_tiles_of_the_shallow_zooms_are_built_at_import_and_stay_small_on_the_wire()
    {
        await using var connection = await atlas.Db.OpenConnectionAsync();
        var tiles = (await connection.QueryAsync<(short Z, int X, int Y, int Raw, int Gzip, int Br)>(
            "select z, x, y, length(mvt), length(gzip), length(br) from vector_tile where level = 'commune'")).ToList();
        Assert.Equal(Enumerable.Range(0, TileGrid.PrebuiltMaxZoom("commune") + 1), tiles.Select(t => (int)t.Z).Distinct().Order());
        // Compressed as served (brotli to browsers, gzip to the rest), no commune tile reaches 500 KB, and the Paris
        // basin at zoom 5, some 21,000 communes, stays within 250 KB.
        Assert.All(tiles, t => Assert.True(t.Br <= 500 * 1024 && t.Gzip <= 500 * 1024, $"tile {t.Z}/{t.X}/{t.Y}: br {t.Br} B, gzip {t.Gzip} B"));
        var parisBasin = Assert.Single(tiles, t => t is { Z: 5, X: 16, Y: 11 });
        Assert.True(parisBasin.Br <= 250 * 1024, $"commune tile 5/16/11 is {parisBasin.Br} B with brotli");
    }

    [Theory]
    [InlineData("br", "br")]
    [InlineData("gzip, deflate", "gzip")]
    [InlineData("identity", null)]
    public async Task A_prebuilt_tile_is_sent_in_the_encoding_the_client_accepts_and_holds_what_postgis_builds_now(string accept, string? encoding)
    {
        using var client = atlas.App.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/tiles/commune/6/32/22.mvt");
        request.Headers.TryAddWithoutValidation("Accept-Encoding", accept);
        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(encoding, response.Content.Headers.ContentEncoding.SingleOrDefault());
        var body = await response.Content.ReadAsByteArrayAsync();
        var raw = encoding switch
        {
            "br" => Decompress(new BrotliStream(new MemoryStream(body), CompressionMode.Decompress)),
            "gzip" => Decompress(new GZipStream(new MemoryStream(body), CompressionMode.Decompress)),
            _ => body,
        };

        await using var connection = await atlas.Db.OpenConnectionAsync();
        Assert.Equal(await TileQueries.BuildAsync(connection, "commune", 6, 32, 22, CancellationToken.None), raw);
        var tile = new MapboxTileReader().Read(new MemoryStream(raw), new NetTopologySuite.IO.VectorTiles.Tiles.Tile(32, 22, 6));
        var codes = Assert.Single(tile.Layers).Features.Select(f => f.Attributes["code"]?.ToString()).ToList();
        Assert.Contains("75056", codes);
        // In code order: neighbouring places follow each other, which is what makes the tile compress well.
        Assert.Equal(codes.Order(StringComparer.Ordinal), codes);
    }

    private static byte[] Decompress(Stream stream)
    {
        using var output = new MemoryStream();
        stream.CopyTo(output);
        stream.Dispose();
        return output.ToArray();
    }
}
