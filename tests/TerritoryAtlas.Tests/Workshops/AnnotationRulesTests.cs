using System.Text.Json;
using TerritoryAtlas.Web.Workshops;

namespace TerritoryAtlas.Tests.Workshops;

public sealed class AnnotationRulesTests
{
    private static AnnotationInput Input(string kind, string geometry, string? note = null, string? colour = null) =>
        new(kind, JsonDocument.Parse(geometry).RootElement.Clone(), note, colour);

    public static TheoryData<string, string, string> Accepted => new()
    {
        { "point", """{"type":"Point","coordinates":[2.35,48.85]}""", "Point" },
        { "label", """{"type":"Point","coordinates":[2.35,48.85]}""", "Point" },
        { "line", """{"type":"LineString","coordinates":[[2.35,48.85],[4.83,45.76]]}""", "LineString" },
        { "polygon", """{"type":"Polygon","coordinates":[[[2.2,48.8],[2.4,48.8],[2.4,48.9],[2.2,48.8]]]}""", "Polygon" },
        { "Polygon", """{"type":"Polygon","coordinates":[[[2.2,48.8],[2.4,48.8],[2.4,48.9],[2.2,48.8]],[[2.3,48.82],[2.35,48.82],[2.35,48.84],[2.3,48.82]]]}""", "Polygon" },
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public void Allowed_geometries_pass_with_their_kind_and_srid(string kind, string geometry, string type)
    {
        var drawing = AnnotationRules.Check(Input(kind, geometry, "texte"));
        Assert.Equal(type, drawing.Geometry.GeometryType);
        Assert.Equal(4326, drawing.Geometry.SRID);
        Assert.Equal(kind.ToLowerInvariant(), drawing.Kind);
    }

    public static TheoryData<string, string, string?, string?, string> Refused => new()
    {
        { "point", """{"type":"Point","coordinates":[]}""", null, null, "" },
        { "point", """{"type":"GeometryCollection","geometries":[]}""", null, null, "" },
        { "polygon", """{"type":"MultiPolygon","coordinates":[[[[2.2,48.8],[2.4,48.8],[2.4,48.9],[2.2,48.8]]]]}""", null, null, "not allowed" },
        { "line", """{"type":"LineString","coordinates":[[2.35,48.85],[2.35,48.85]]}""", null, null, "two distinct points" },
        { "polygon", """{"type":"Polygon","coordinates":[[[2.2,48.8],[2.4,48.9],[2.4,48.8],[2.2,48.9],[2.2,48.8]]]}""", null, null, "cross" },
        { "point", """{"type":"Point","coordinates":[2.35,95]}""", null, null, "longitude, latitude" },
        { "point", """{"type":"Point","coordinates":[2.35,48.85]}""", null, "red", "#rrggbb" },
        { "label", """{"type":"Point","coordinates":[2.35,48.85]}""", "", null, "label needs its text" },
        { "", """{"type":"Point","coordinates":[2.35,48.85]}""", null, null, "Unknown annotation kind" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Bad_drawings_are_refused_with_a_reason(string kind, string geometry, string? note, string? colour, string reason)
    {
        var error = Assert.Throws<WorkshopException>(() => AnnotationRules.Check(Input(kind, geometry, note, colour)));
        Assert.Contains(reason, error.Message);
    }

    [Fact]
    public void The_vertex_and_note_bounds_are_inclusive()
    {
        var coordinates = string.Join(',', Enumerable.Range(0, AnnotationRules.MaxVertices).Select(i => $"[{2 + (i * 0.0001):0.0000},{47 + (i % 2 * 0.0001):0.0000}]"));
        var line = $$"""{"type":"LineString","coordinates":[{{coordinates}}]}""";
        Assert.Equal(AnnotationRules.MaxVertices, AnnotationRules.Check(Input("line", line, new string('n', AnnotationRules.MaxNoteLength))).Geometry.NumPoints);
        var longer = line.Replace("]]}", "],[3.0,47.5]]}", StringComparison.Ordinal);
        Assert.Contains("Too many vertices", Assert.Throws<WorkshopException>(() => AnnotationRules.Check(Input("line", longer))).Message);
    }

    [Fact]
    public void A_token_bucket_lets_a_burst_through_then_refuses()
    {
        var bucket = new TokenBucket(perSecond: 0.001, burst: 3);
        Assert.Equal([true, true, true, false], Enumerable.Range(0, 4).Select(_ => bucket.TryTake()).ToArray());
    }
}
