using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;

namespace TerritoryAtlas.IntegrationTests.Export;

[Collection(nameof(AtlasCollection))]
public sealed class OgcApiTests(AtlasFixture atlas)
{
    [Fact]
    public async Task The_landing_page_conformance_and_collections_describe_one_collection_per_level()
    {
        using var client = atlas.App.CreateClient();
        var landing = await client.GetFromJsonAsync<JsonElement>("/ogc");
        var rels = landing.GetProperty("links").EnumerateArray().Select(l => l.GetProperty("rel").GetString()).ToList();
        Assert.Superset(new HashSet<string?> { "self", "service-desc", "conformance", "data" }, rels.ToHashSet());

        var conformance = await client.GetFromJsonAsync<JsonElement>("/ogc/conformance");
        Assert.Contains("http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
            conformance.GetProperty("conformsTo").EnumerateArray().Select(c => c.GetString()));

        var collections = await client.GetFromJsonAsync<JsonElement>("/ogc/collections");
        var ids = collections.GetProperty("collections").EnumerateArray().Select(c => c.GetProperty("id").GetString()).ToList();
        Assert.Contains("commune", ids);
        Assert.Contains("departement", ids);

        var communes = await client.GetFromJsonAsync<JsonElement>("/ogc/collections/commune");
        var bbox = communes.GetProperty("extent").GetProperty("spatial").GetProperty("bbox")[0].EnumerateArray().Select(b => b.GetDouble()).ToList();
        Assert.InRange(bbox[0], -62, -5); // the overseas communes reach the Caribbean
        Assert.InRange(bbox[3], 51, 51.2); // Bray-Dunes, the northernmost commune
        Assert.Equal("Communes", communes.GetProperty("title").GetString());
        Assert.Contains("35,357", communes.GetProperty("description").GetString());
        Assert.Contains("2018", communes.GetProperty("description").GetString()); // the boundaries' vintage
        Assert.Contains("http://www.opengis.net/def/crs/EPSG/0/2154", communes.GetProperty("crs").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/ogc/collections/canton")).StatusCode);
    }

    [Theory]
    [InlineData("epci", "", 250, "select count(*) from territory where level = 'epci'")]
    [InlineData("commune", "&within=departement:93", 7, """
        select count(*) from territory t join territory_parent tp on tp.territory_id = t.id
        join territory p on p.id = tp.parent_id and p.level = 'departement' and p.code = '93' where t.level = 'commune'
        """)]
    [InlineData("commune", "&bbox=2.25,48.8,2.45,48.92&indicator=taux_pauvrete_60", 13, """
        select count(*) from territory where level = 'commune' and ST_Intersects(geom, ST_MakeEnvelope(2.25, 48.8, 2.45, 48.92, 4326))
        """)]
    public async Task Following_next_links_walks_every_item_exactly_once(string level, string filter, int limit, string countSql)
    {
        using var client = atlas.App.CreateClient();
        await using var connection = await atlas.Db.OpenConnectionAsync();
        var expected = await connection.ExecuteScalarAsync<int>(countSql);

        var seen = new List<string>();
        var url = $"/ogc/collections/{level}/items?limit={limit}{filter}";
        var pages = 0;
        while (url is not null)
        {
            var response = await client.GetAsync(url);
            Assert.Equal("application/geo+json", response.Content.Headers.ContentType?.MediaType);
            var page = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(expected, page.GetProperty("numberMatched").GetInt32());
            var features = page.GetProperty("features").EnumerateArray().ToList();
            Assert.Equal(page.GetProperty("numberReturned").GetInt32(), features.Count);
            // No page holds more than its own URL asks for; each next link asks for ten times more (up to 10,000).
            var asked = int.Parse(System.Web.HttpUtility.ParseQueryString(response.RequestMessage!.RequestUri!.Query)["limit"]!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.Equal(pages == 0 ? limit : Math.Min(10_000, limit * (int)Math.Pow(10, pages)), asked);
            Assert.InRange(features.Count, 1, asked);
            Assert.DoesNotContain("offset=", response.RequestMessage!.RequestUri!.Query, StringComparison.Ordinal);
            seen.AddRange(features.Select(f => f.GetProperty("id").GetString()!));
            url = page.GetProperty("links").EnumerateArray()
                .Where(l => l.GetProperty("rel").GetString() == "next")
                .Select(l => new Uri(l.GetProperty("href").GetString()!).PathAndQuery)
                .FirstOrDefault();
            Assert.True(++pages <= (expected / limit) + 1, "more pages than items allow");
        }

        Assert.Equal(expected, seen.Count);
        Assert.Equal(seen.Count, seen.Distinct().Count());
    }

    [Fact]
    public async Task One_item_is_found_by_its_insee_code_with_its_figures()
    {
        using var client = atlas.App.CreateClient();
        var feature = await client.GetFromJsonAsync<JsonElement>("/ogc/collections/departement/items/93?indicator=taux_pauvrete_60&year=2019");
        Assert.Equal("Feature", feature.GetProperty("type").GetString());
        Assert.Equal("93", feature.GetProperty("id").GetString());
        Assert.Equal(27.9, feature.GetProperty("properties").GetProperty("value").GetDouble(), 6);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/ogc/collections/departement/items/999")).StatusCode);
    }

    [Theory]
    [InlineData("/ogc/collections/commune/items?limit=10001", "limit")]
    [InlineData("/ogc/collections/commune/items?limit=0", "limit")]
    [InlineData("/ogc/collections/commune/items?offset=10", "offset")]
    [InlineData("/ogc/collections/commune/items?after=", "after")]
    [InlineData("/ogc/collections/commune/items?bbox=1,2,3,4&bbox-crs=EPSG:3857", "bbox-crs")]
    [InlineData("/ogc/collections/commune/items?bbox=900000,6000000,100000,7000000&bbox-crs=2154", "bbox")]
    [InlineData("/ogc/collections/commune/items?bbox=2,48", "bbox")]
    [InlineData("/ogc/collections/commune/items?f=html", "f")]
    [InlineData("/ogc/collections/commune/items?filter=x", "filter")]
    public async Task Bad_item_parameters_get_a_problem_naming_the_parameter(string url, string parameter)
    {
        await atlas.ProblemNamingAsync(url, (int)HttpStatusCode.BadRequest, parameter);
    }

    [Fact]
    public async Task The_api_definition_gives_limit_as_an_integer_with_default_and_maximum_as_gis_clients_read_it()
    {
        using var client = atlas.App.CreateClient();
        var api = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var limit = api.GetProperty("paths").GetProperty("/ogc/collections/{level}/items").GetProperty("get").GetProperty("parameters")
            .EnumerateArray().Single(p => p.GetProperty("name").GetString() == "limit").GetProperty("schema");
        Assert.Equal("integer", limit.GetProperty("type").GetString());
        Assert.Equal(100, limit.GetProperty("default").GetInt32());
        Assert.Equal(10000, limit.GetProperty("maximum").GetInt32());
    }

    /// <summary>
    /// GDAL 3.9+ (and QGIS) size their pages from the landing page's service-desc: the literal path of the layer relative
    /// to the OGC root, and a limit parameter given by $ref with default and maximum. Walked here as GDAL walks it.
    /// </summary>
    [Fact]
    public async Task The_ogc_service_description_gives_each_collection_a_path_whose_limit_reference_has_default_and_maximum()
    {
        using var client = atlas.App.CreateClient();
        var landing = await client.GetFromJsonAsync<JsonElement>("/ogc");
        var serviceDesc = landing.GetProperty("links").EnumerateArray().Single(l => l.GetProperty("rel").GetString() == "service-desc");
        Assert.Equal("application/vnd.oai.openapi+json;version=3.0", serviceDesc.GetProperty("type").GetString());

        using var response = await client.GetAsync(new Uri(serviceDesc.GetProperty("href").GetString()!).PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("version=3.0", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
        var api = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var ogcRoot = api.GetProperty("servers")[0].GetProperty("url").GetString()!;
        Assert.EndsWith("/ogc", ogcRoot, StringComparison.Ordinal);

        var collections = (await client.GetFromJsonAsync<JsonElement>("/ogc/collections")).GetProperty("collections").EnumerateArray()
            .Select(c => c.GetProperty("id").GetString()!).ToList();
        foreach (var id in collections)
        {
            // GDAL: itemsUrl minus the root URL is the key it looks up.
            var items = new Uri($"{ogcRoot}/collections/{id}/items").AbsoluteUri[ogcRoot.Length..];
            var references = api.GetProperty("paths").GetProperty(items).GetProperty("get").GetProperty("parameters")
                .EnumerateArray().Select(p => p.GetProperty("$ref").GetString()!).ToList();
            var limitRef = Assert.Single(references, r => r.Contains("limit", StringComparison.Ordinal));
            var schema = api;
            foreach (var part in limitRef.TrimStart('#', '/').Split('/'))
            {
                schema = schema.GetProperty(part);
            }

            schema = schema.GetProperty("schema");
            Assert.Equal(100, schema.GetProperty("default").GetInt32());
            Assert.Equal(10000, schema.GetProperty("maximum").GetInt32());
            Assert.All(references, r => Assert.True(api.GetProperty("components").GetProperty("parameters").TryGetProperty(r.Split('/')[^1], out _), r));
        }

        Assert.Contains("commune", collections);
    }

    [Fact]
    public async Task The_next_link_carries_the_last_code_and_the_last_page_has_none()
    {
        using var client = atlas.App.CreateClient();
        var first = await client.GetFromJsonAsync<JsonElement>("/ogc/collections/region/items?limit=10");
        var codes = first.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("id").GetString()!).ToList();
        var next = first.GetProperty("links").EnumerateArray().Single(l => l.GetProperty("rel").GetString() == "next").GetProperty("href").GetString()!;
        Assert.Contains($"after={Uri.EscapeDataString(codes[^1])}", next, StringComparison.Ordinal);

        var second = await client.GetFromJsonAsync<JsonElement>(new Uri(next).PathAndQuery);
        var rest = second.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("id").GetString()!).ToList();
        Assert.Equal(18 - 10, rest.Count); // 18 régions: the second page is the last, and says so by having no next link
        Assert.All(rest, c => Assert.True(string.CompareOrdinal(c, codes[^1]) > 0));
        Assert.DoesNotContain(second.GetProperty("links").EnumerateArray(), l => l.GetProperty("rel").GetString() == "next");
        Assert.Equal(18, second.GetProperty("numberMatched").GetInt32());
    }

    [Fact]
    public async Task Lambert93_is_served_on_request_with_its_content_crs()
    {
        using var client = atlas.App.CreateClient();
        var lambert = Uri.EscapeDataString("http://www.opengis.net/def/crs/EPSG/0/2154");
        // Seine-Saint-Denis's bounding box in Lambert-93 metres, about (655 000, 6 857 000)–(672 000, 6 877 000).
        var response = await client.GetAsync($"/ogc/collections/departement/items?crs={lambert}&bbox-crs={lambert}&bbox=660000,6862000,668000,6870000");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("<http://www.opengis.net/def/crs/EPSG/0/2154>", response.Headers.GetValues("Content-Crs").Single());
        var page = await response.Content.ReadFromJsonAsync<JsonElement>();
        var ids = page.GetProperty("features").EnumerateArray().Select(f => f.GetProperty("id").GetString()).ToList();
        Assert.Contains("93", ids);
        var x = page.GetProperty("features")[0].GetProperty("geometry").GetProperty("coordinates")[0][0][0][0].GetDouble();
        Assert.InRange(x, 100_000, 1_300_000); // metres, not degrees

        var plain = await client.GetAsync("/ogc/collections/departement/items/93");
        Assert.Equal("<http://www.opengis.net/def/crs/OGC/1.3/CRS84>", plain.Headers.GetValues("Content-Crs").Single());
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/ogc/collections/departement/items?crs=EPSG:3857")).StatusCode);
    }

    [Fact]
    public async Task Queryables_list_the_indicator_parameters()
    {
        using var client = atlas.App.CreateClient();
        var response = await client.GetAsync("/ogc/collections/commune/queryables");
        Assert.Equal("application/schema+json", response.Content.Headers.ContentType?.MediaType);
        var schema = await response.Content.ReadFromJsonAsync<JsonElement>();
        var names = schema.GetProperty("properties").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(["indicator", "year", "within", "min", "max"], names);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/ogc/collections/canton/queryables")).StatusCode);
    }
}
