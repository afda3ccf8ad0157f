using NetTopologySuite.Geometries;
using TerritoryAtlas.Web.Import;

namespace TerritoryAtlas.Tests.Import;

public sealed class BoundaryFileTests : IDisposable
{
    private static readonly BoundaryLayer Layer = new(
        "departement", "geodata/dep.geojson", Code: "code", Name: "nom", Srid: 4326, Vintage: "COG 2018", Source: "test",
        Licence: "Licence Ouverte", ExpectedFeatures: null, ParentDepartement: null);

    private const string Square = """{"type":"Polygon","coordinates":[[[2,48],[3,48],[3,49],[2,49],[2,48]]]}""";

    // A 10 m Lambert-93 square whose south-west corner, (652469.02, 6862035.26), is Paris at (2.35220° E, 48.85660° N).
    private const string LambertSquareAroundParis =
        """{"type":"Polygon","coordinates":[[[652469.02,6862035.26],[652479.02,6862035.26],[652479.02,6862045.26],[652469.02,6862045.26],[652469.02,6862035.26]]]}""";

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Feature(string? code, string geometry, string name = "Test") =>
        code is null
            ? $$"""{"type":"Feature","properties":{"nom":"{{name}}"},"geometry":{{geometry}}}"""
            : $$"""{"type":"Feature","properties":{"code":"{{code}}","nom":"{{name}}"},"geometry":{{geometry}}}""";

    private static string Collection(params string[] features) =>
        $$"""{"type":"FeatureCollection","features":[{{string.Join(",", features)}}]}""";

    private List<BoundaryFeature> Read(string json, BoundaryLayer? layer = null) =>
        BoundaryFile.Read(_dir.File("layer.geojson", json), "dep.geojson", layer ?? Layer);

    [Fact]
    public void Polygons_and_multipolygons_are_read_with_their_codes_and_names()
    {
        var features = Read(Collection(
            Feature("75", Square, "Paris"),
            Feature("2A", """{"type":"MultiPolygon","coordinates":[[[[8,41],[9,41],[9,42],[8,42],[8,41]]],[[[8,43],[8.5,43],[8.5,43.5],[8,43]]]]}""", "Corse-du-Sud"),
            Feature("972", """{"type":"Polygon","coordinates":[[[-61.2,14.4],[-60.8,14.4],[-60.8,14.9],[-61.2,14.4]],[[-61.1,14.5],[-61.0,14.5],[-61.0,14.6],[-61.1,14.5]]]}""", "Martinique")));

        Assert.Equal(["75", "2A", "972"], features.Select(f => f.Code));
        Assert.Equal(["Paris", "Corse-du-Sud", "Martinique"], features.Select(f => f.Name));
        Assert.IsType<Polygon>(features[0].Geometry);
        var corse = Assert.IsType<MultiPolygon>(features[1].Geometry);
        Assert.Equal(2, corse.NumGeometries);
        Assert.Equal(1, ((Polygon)features[2].Geometry).NumInteriorRings);
        Assert.All(features, f => Assert.Equal(4326, f.Geometry.SRID));
        // The square from (2, 48) to (3, 49) keeps its coordinates: a WGS84 file is not reprojected.
        Assert.Equal(new Envelope(2, 3, 48, 49), features[0].Geometry.EnvelopeInternal);
    }

    public static TheoryData<string, string> BrokenGeometries() => new()
    {
        { "coordinates that are not numbers", """{"type":"Polygon","coordinates":"abc"}""" },
        { "a point", """{"type":"Point","coordinates":[2.35,48.85]}""" },
        { "a line", """{"type":"LineString","coordinates":[[2,48],[3,49]]}""" },
        { "no geometry", "null" },
        { "an empty polygon", """{"type":"Polygon","coordinates":[]}""" },
        { "an unknown type", """{"type":"Circle","coordinates":[2,48]}""" },
        { "an unclosed ring", """{"type":"Polygon","coordinates":[[[2,48],[3,48],[3,49],[2,49]]]}""" },
    };

    [Theory]
    [MemberData(nameof(BrokenGeometries))]
    public void A_feature_with_a_broken_geometry_is_named_by_its_index(string @case, string geometry)
    {
        var json = Collection(Feature("01", Square), Feature("02", geometry));

        var e = Assert.Throws<ImportException>(() => Read(json));

        Assert.True(e.Place.StartsWith("feature #1", StringComparison.Ordinal), $"{@case}: place was '{e.Place}'");
        Assert.Equal("dep.geojson", e.File);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void A_feature_without_a_code_is_named_with_the_missing_property(string? code)
    {
        var json = Collection(Feature("01", Square), Feature(code, Square));

        var e = Assert.Throws<ImportException>(() => Read(json));

        Assert.Equal("feature #1", e.Place);
        Assert.Contains("'code'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_duplicate_code_is_named_with_its_feature()
    {
        var json = Collection(Feature("75", Square), Feature("93", Square), Feature("75", Square));

        var e = Assert.Throws<ImportException>(() => Read(json));

        Assert.Equal("feature #2 (code 75)", e.Place);
        Assert.Contains("duplicate", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_Lambert93_collection_declared_by_its_crs_member_is_reprojected_to_longitude_latitude()
    {
        var json = $$$"""
            {"type":"FeatureCollection",
             "crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::2154"}},
             "features":[{{{Feature("75", LambertSquareAroundParis, "Paris")}}}]}
            """;

        var paris = Assert.Single(Read(json));

        Assert.Equal(4326, paris.Geometry.SRID);
        var corner = paris.Geometry.Coordinates[0];
        Assert.Equal(2.35220, corner.X, 1e-6);
        Assert.Equal(48.85660, corner.Y, 1e-6);
        // At 48.86° N a degree of latitude is ≈ 111,200 m and one of longitude ≈ 73,400 m (GRS 80), so 10 m is
        // ≈ 9.0e-5° of latitude and ≈ 1.36e-4° of longitude; the Lambert grid turns by ≈ 0.5° there, which widens
        // the envelope by under 1 %.
        var envelope = paris.Geometry.EnvelopeInternal;
        Assert.Equal(9.0e-5, envelope.Height, 0.3e-5);
        Assert.Equal(1.36e-4, envelope.Width, 0.3e-5);
    }

    [Fact]
    public void A_layer_declared_in_Lambert93_in_the_manifest_is_reprojected_without_a_crs_member()
    {
        var paris = Assert.Single(Read(Collection(Feature("75", LambertSquareAroundParis)), Layer with { Srid = 2154 }));

        Assert.Equal(2.35220, paris.Geometry.Coordinates[0].X, 1e-6);
        Assert.Equal(48.85660, paris.Geometry.Coordinates[0].Y, 1e-6);
    }

    [Fact]
    public void Projected_coordinates_in_a_file_said_to_be_WGS84_are_rejected()
    {
        var e = Assert.Throws<ImportException>(() => Read(Collection(Feature("75", LambertSquareAroundParis))));

        Assert.Equal("feature #0 (code 75)", e.Place);
        Assert.Contains("projection", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unsupported_crs_is_rejected()
    {
        var json = """{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::3857"}},"features":[]}""";

        var e = Assert.Throws<ImportException>(() => Read(json));

        Assert.Equal("crs", e.Place);
        Assert.Contains("3857", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_document_that_is_not_a_feature_collection_is_rejected()
    {
        var e = Assert.Throws<ImportException>(() => Read(Feature("75", Square)));

        Assert.Equal("document", e.Place);
    }

    [Fact]
    public void Malformed_JSON_is_reported_with_its_line()
    {
        var e = Assert.Throws<ImportException>(() => Read("{\"type\":\"FeatureCollection\",\n\"features\":[,]}"));

        Assert.StartsWith("line 2", e.Place, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("93", "1", "93001")] // ADMIN EXPRESS: INSEE_ARR is the number within INSEE_DEP
    [InlineData("2A", "4", "2A004")]
    [InlineData("971", "2", "97102")] // an overseas département's code has three characters
    [InlineData("93", "931", "93001")] // the COG's ARR: département and number
    [InlineData("974", "9744", "97404")]
    [InlineData("93", "93003", "93003")] // the data directory's layer, already the atlas's code
    [InlineData("93", "X", "X")] // not a number: kept, and then reported as a code the level does not have
    public void An_arrondissement_code_is_its_departement_and_its_number(string departement, string number, string code) =>
        Assert.Equal(code, BoundaryFile.ArrondissementCode(departement, number));
}
