using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using TerritoryAtlas.Web.Accounts;

namespace TerritoryAtlas.IntegrationTests.Zonings;

/// <summary>
/// A study area as files (long CSV, GeoJSON outline with figures) and as a comparison reference: in the synthesis CSV,
/// the map's comparison mode and the portrait pages, always from its communes, and only for whoever may read it.
/// </summary>
[Collection(nameof(AtlasCollection))]
public sealed class StudyAreaComparisonTests(AtlasFixture atlas)
{
    // The 40 communes of Seine-Saint-Denis: their population légale sums to the département's in every year.
    private async Task<(string Token, long Id, string[] Codes)> AreaAsync(string visibility = "private", string role = AtlasRoles.Member,
        string communes = "select code from territory where level = 'commune' and code like '93%' order by code")
    {
        var token = await atlas.TokenAsync(role);
        await using var connection = await atlas.Db.OpenConnectionAsync();
        var codes = (await connection.QueryAsync<string>(communes)).ToArray();
        using var response = await SendAsync(HttpMethod.Post, "/api/study-areas", token, new { name = "Seine-Saint-Denis (zone)", visibility, codes });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetInt64();
        return (token, id, codes);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, string? token, object? body = null)
    {
        var request = new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await atlas.App.CreateClient().SendAsync(request);
    }

    private async Task<double> PublishedAsync(string level, string code, string indicator, int year)
    {
        await using var connection = await atlas.Db.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<double>("""
            select o.value from published_observation o join territory t on t.id = o.territory_id
            where t.level = @level and t.code = @code and o.indicator_code = @indicator and o.year = @year
            """, new { level, code, indicator, year });
    }

    [Fact]
    public async Task The_portrait_downloads_as_long_CSV_with_the_chosen_reference_and_as_GeoJSON_whose_outline_covers_the_communes()
    {
        var (token, id, codes) = await AreaAsync();
        using var csvResponse = await SendAsync(HttpMethod.Get, $"/api/study-areas/{id}/portrait.csv?compare=departement:93", token);
        Assert.Equal(HttpStatusCode.OK, csvResponse.StatusCode);
        Assert.Contains("private", csvResponse.Headers.CacheControl?.ToString() ?? "", StringComparison.Ordinal);
        var lines = (await csvResponse.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("indicateur,libelle,unite,annee,niveau,code,territoire,valeur,numerateur,denominateur,statut,origine", lines[0]);
        string[] Line(string indicator, string level, string code) =>
            lines.Select(l => l.Split(',')).Single(p => p[0] == indicator && p[4] == level && p[5] == code);

        // No commune publishes RSA counts (the DREES publishes them by département): the area has none, and says so.
        Assert.Equal("missing", Line("rsa_allocataires", "zone_etude", id.ToString(CultureInfo.InvariantCulture))[10]);

        // Populations légales exist only by commune: the département reference is summed from its communes (and says so),
        // and equals the area made of the same communes.
        var area = Line("population_municipale", "zone_etude", id.ToString(CultureInfo.InvariantCulture));
        var reference = Line("population_municipale", "departement", "93");
        Assert.Equal("communes", reference[11]);
        Assert.Equal(double.Parse(area[7], CultureInfo.InvariantCulture), double.Parse(reference[7], CultureInfo.InvariantCulture), 6);
        var year = int.Parse(area[3], CultureInfo.InvariantCulture);
        await using (var sums = await atlas.Db.OpenConnectionAsync())
        {
            var expected = await sums.ExecuteScalarAsync<double>("""
                select sum(o.value) from published_observation o join territory c on c.id = o.territory_id
                where c.level = 'commune' and c.code like '93%' and o.indicator_code = 'population_municipale' and o.year = @year
                """, new { year });
            Assert.Equal(expected, double.Parse(area[7], CultureInfo.InvariantCulture), 6);
        }

        var published = double.Parse(area[7], CultureInfo.InvariantCulture);

        using var geojsonResponse = await SendAsync(HttpMethod.Get, $"/api/study-areas/{id}.geojson", token);
        Assert.Equal(HttpStatusCode.OK, geojsonResponse.StatusCode);
        Assert.Equal("application/geo+json", geojsonResponse.Content.Headers.ContentType?.MediaType);
        var feature = JsonDocument.Parse(await geojsonResponse.Content.ReadAsStringAsync()).RootElement.GetProperty("features")[0];
        Assert.Equal(codes.Length, feature.GetProperty("properties").GetProperty("communes").GetInt32());
        Assert.Equal(published, feature.GetProperty("properties").GetProperty("population_municipale").GetDouble(), 6);
        Assert.Equal(year, feature.GetProperty("properties").GetProperty("population_municipale_annee").GetInt32());
        await using var connection = await atlas.Db.OpenConnectionAsync();
        var (valid, areaRatio) = await connection.QuerySingleAsync<(bool, double)>("""
            with outline as (select ST_SetSRID(ST_GeomFromGeoJSON(@geometry), 4326) as g)
            select ST_IsValid(g), ST_Area(g::geography) / (select sum(ST_Area(geom::geography)) from territory where level = 'commune' and code = any(@codes))
            from outline
            """, new { geometry = feature.GetProperty("geometry").GetRawText(), codes });
        Assert.True(valid);
        Assert.InRange(areaRatio, 0.999, 1.001);

        // Another account: as if the area did not exist.
        var (other, _, _) = await AreaAsync();
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, $"/api/study-areas/{id}/portrait.csv", other)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, $"/api/study-areas/{id}.geojson", null)).StatusCode);
        // A malformed reference is named.
        using var bad = await SendAsync(HttpMethod.Get, $"/api/study-areas/{id}/portrait.csv?compare=nowhere", token);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("compare", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_synthesis_CSV_adds_the_study_area_row_only_for_whoever_may_read_it()
    {
        var (token, id, _) = await AreaAsync();
        using var response = await SendAsync(HttpMethod.Get, $"/api/synthesis/11.csv?indicators=population_totale,population_municipale&compare=area:{id}", token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0];
        var year = int.Parse(header.Split('(')[1][..4], CultureInfo.InvariantCulture);
        var row = lines.Single(l => l.StartsWith("area,", StringComparison.Ordinal)).Split(',');
        Assert.Equal("Seine-Saint-Denis (zone)", row[2]);
        // population_totale is published by département only: no commune sum, so the area has none that year.
        Assert.Equal("", row[3]);
        Assert.True(year > 2000);

        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, $"/api/synthesis/11.csv?compare=area:{id}", null)).StatusCode);
    }

    [Fact]
    public async Task The_map_compares_every_territory_with_a_study_area_and_refuses_one_the_reader_may_not_read()
    {
        // Communes whose CAF counts of 2019 are all published, so the area has a rate to compare with.
        var (token, id, codes) = await AreaAsync(communes: """
            select c.code from territory c
            join observation n on n.territory_id = c.id and n.indicator_code = 'caf_rsa_allocataires' and n.status = 'ok' and n.year = 2019
            join observation d on d.territory_id = c.id and d.indicator_code = 'caf_allocataires' and d.status = 'ok' and d.year = 2019
            where c.level = 'commune' and c.code like '93%' order by c.code limit 8
            """);
        await using var connection = await atlas.Db.OpenConnectionAsync();
        var url = $"/api/maps/commune/caf_part_rsa_pct/2019?mode=compare&reference=area:{id}";
        using var response = await SendAsync(HttpMethod.Get, url, token);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        var values = JsonDocument.Parse(body).RootElement;
        var reference = values.GetProperty("reference");
        Assert.Equal("area", reference.GetProperty("level").GetString());
        Assert.Equal("Seine-Saint-Denis (zone)", reference.GetProperty("name").GetString());

        // The area's figure: multiplier × Σ numerators / Σ denominators of its communes.
        var expected = await connection.ExecuteScalarAsync<double?>("""
            select (select multiplier from indicator where code = 'caf_part_rsa_pct') * sum(n.value) / sum(d.value)
            from territory c
            join published_observation n on n.territory_id = c.id and n.indicator_code = 'caf_rsa_allocataires' and n.year = 2019
            join published_observation d on d.territory_id = c.id and d.indicator_code = 'caf_allocataires' and d.year = 2019
            where c.level = 'commune' and c.code = any(@codes)
            """, new { codes });
        Assert.NotNull(expected);
        var areaValue = expected.Value;
        Assert.Equal(areaValue, reference.GetProperty("value").GetDouble(), 9);
        Assert.Equal(0, reference.GetProperty("withoutReference").GetInt32());
        // Each commune is placed against that figure: one with a much higher rate is never "better" or "lower".
        var figures = values.GetProperty("values").EnumerateArray().ToList();
        var categories = values.GetProperty("categories").EnumerateArray().ToList();
        var compared = 0;
        for (var i = 0; i < figures.Count; i++)
        {
            if (figures[i].ValueKind == JsonValueKind.Number && figures[i].GetDouble() > areaValue * 1.5)
            {
                Assert.Equal(JsonValueKind.String, categories[i].ValueKind);
                Assert.NotEqual("better", categories[i].GetString());
                Assert.NotEqual("lower", categories[i].GetString());
                compared++;
            }
        }

        Assert.True(compared > 0);

        var (other, _, _) = await AreaAsync();
        using var refused = await SendAsync(HttpMethod.Get, url, other);
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        Assert.Contains("reference", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task<HttpResponseMessage> UploadAsync(string token, byte[] file, string fileName = "perimetre.gpkg")
    {
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(file), "file", fileName },
            { new StringContent("Contrat de ville (GeoPackage)"), "name" },
        };
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/study-areas/upload") { Content = form };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await atlas.App.CreateClient().SendAsync(request);
    }

    [Fact]
    public async Task A_GeoPackage_perimeter_in_Lambert_93_takes_the_communes_whose_point_on_surface_is_inside_and_a_bad_file_changes_nothing()
    {
        var (token, _, _) = await AreaAsync();
        await using var connection = await atlas.Db.OpenConnectionAsync();
        // A rectangle around Saint-Denis, drawn in Lambert-93 as a French GIS user would.
        var wkb = await connection.ExecuteScalarAsync<byte[]>(
            "select ST_AsBinary(ST_Transform(ST_MakeEnvelope(2.33, 48.90, 2.40, 48.95, 4326), 2154))");
        var expected = (await connection.QueryAsync<string>("""
            select code from territory
            where level = 'commune' and ST_Intersects(label_point, ST_Transform(ST_Transform(ST_MakeEnvelope(2.33, 48.90, 2.40, 48.95, 4326), 2154), 4326))
            order by code
            """)).ToList();
        Assert.Contains("93066", expected);
        var square = new NetTopologySuite.IO.WKBReader().Read(wkb);

        using var response = await UploadAsync(token, await TerritoryAtlas.Testing.GeoPackageFile.PolygonAsync(square, 2154));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body);
        var created = JsonDocument.Parse(body).RootElement;
        Assert.Equal("perimeter", created.GetProperty("method").GetString());
        Assert.Equal(expected, created.GetProperty("communes").EnumerateArray().Select(c => c.GetString()!).Order(StringComparer.Ordinal));

        // Refused, nothing stored: not a GeoPackage, a coordinate system without an EPSG code.
        // The same owner's areas: the browser tests save areas into the same database meanwhile.
        const string mine = "select count(*) from study_area where owner_id = (select owner_id from study_area where id = @id)";
        var id = created.GetProperty("id").GetInt64();
        var before = await connection.ExecuteScalarAsync<long>(mine, new { id });
        using var notGpkg = await UploadAsync(token, "code;nom\n93066;Saint-Denis\n"u8.ToArray(), "communes.csv");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, notGpkg.StatusCode);
        Assert.Contains("communes.csv", await notGpkg.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var noEpsg = await UploadAsync(token, await TerritoryAtlas.Testing.GeoPackageFile.PolygonAsync(square, 2154, organisation: "NONE"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, noEpsg.StatusCode);
        Assert.Contains("EPSG", await noEpsg.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, await connection.ExecuteScalarAsync<long>(mine, new { id }));
    }

    [Fact]
    public async Task A_commune_nouvelle_counts_for_an_area_only_with_every_commune_it_absorbed()
    {
        // Saint-Denis's 2023 population légale is that of the commune nouvelle formed with Pierrefitte-sur-Seine
        // (perimeter_change), which has none of its own that year.
        var alone = await AreaAsync(communes: "select '93066'");
        var both = await AreaAsync(communes: "select unnest(array['93066', '93059'])");
        async Task<JsonElement> PopulationAsync((string Token, long Id, string[] Codes) area)
        {
            using var response = await SendAsync(HttpMethod.Get, $"/api/study-areas/{area.Id}/portrait", area.Token);
            return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("lines").EnumerateArray()
                .Single(l => l.GetProperty("indicator").GetString() == "population_municipale");
        }

        // Alone, 2023 would count Pierrefitte's people too: the area keeps its latest honest year.
        var aloneLine = await PopulationAsync(alone);
        Assert.Equal(2021, aloneLine.GetProperty("year").GetInt32());
        Assert.Equal(await PublishedAsync("commune", "93066", "population_municipale", 2021), aloneLine.GetProperty("value").GetDouble(), 6);
        // With both former communes, the merged figure is the area's.
        var bothLine = await PopulationAsync(both);
        Assert.Equal(2023, bothLine.GetProperty("year").GetInt32());
        Assert.Equal(await PublishedAsync("commune", "93066", "population_municipale", 2023), bothLine.GetProperty("value").GetDouble(), 6);
    }
}
