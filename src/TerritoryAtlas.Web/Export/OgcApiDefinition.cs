using System.Text.Json.Nodes;

namespace TerritoryAtlas.Web.Export;

/// <summary>
/// The OGC API's own definition (the landing page's service-desc), as GIS clients read it to size their pages.
/// GDAL (3.9 and later) looks up the literal path of the layer it reads, relative to the OGC root
/// (<c>/collections/commune/items</c>, not a template), and only follows a limit parameter given as a <c>$ref</c>
/// whose schema has <c>default</c> and <c>maximum</c>; QGIS reads the same. The application's generated document
/// (/openapi/v1.json) describes the whole site with templated paths from the server root, which neither matches, so the
/// OGC root gets this one: one path per collection, its parameters shared as components.
/// </summary>
public static class OgcApiDefinition
{
    public const string MediaType = "application/vnd.oai.openapi+json;version=3.0";

    /// <summary>What a collection's items take, in the order a reader meets them.</summary>
    private static readonly string[] ItemParameters = ["limit", "after", "bbox", "bbox-crs", "crs", "indicator", "year", "within", "min", "max", "f"];

    public static JsonObject Build(string ogcRoot, IEnumerable<(string Level, string Title)> collections)
    {
        var paths = new JsonObject
        {
            ["/"] = Get("OgcLanding", "Landing page", "application/json"),
            ["/conformance"] = Get("OgcConformance", "Conformance classes", "application/json"),
            ["/collections"] = Get("OgcCollections", "One collection per territorial level", "application/json"),
        };
        foreach (var (level, title) in collections)
        {
            paths[$"/collections/{level}"] = Get($"OgcCollection_{level}", $"{title}: the collection", "application/json");
            paths[$"/collections/{level}/queryables"] = Get($"OgcQueryables_{level}", $"{title}: what the items can be asked for", "application/schema+json");
            paths[$"/collections/{level}/items"] = Get($"OgcItems_{level}", $"{title}: the features", ExportEndpoints.GeoJsonType,
                [.. ItemParameters.Select(p => (JsonNode)new JsonObject { ["$ref"] = $"#/components/parameters/{p}" })]);
            paths[$"/collections/{level}/items/{{featureId}}"] = Get($"OgcItem_{level}", $"{title}: one feature by its INSEE code", ExportEndpoints.GeoJsonType,
                [new JsonObject { ["$ref"] = "#/components/parameters/featureId" }, .. new[] { "crs", "indicator", "year", "f" }.Select(p => (JsonNode)new JsonObject { ["$ref"] = $"#/components/parameters/{p}" })]);
        }

        var parameters = new JsonObject
        {
            ["featureId"] = new JsonObject
            {
                ["name"] = "featureId",
                ["in"] = "path",
                ["required"] = true,
                ["description"] = "The territory's INSEE code.",
                ["schema"] = new JsonObject { ["type"] = "string" },
            },
        };
        foreach (var name in ItemParameters)
        {
            parameters[name] = new JsonObject
            {
                ["name"] = name,
                ["in"] = "query",
                ["required"] = false,
                ["description"] = QueryParameterDocs.Describe(name),
                ["schema"] = name switch
                {
                    "limit" => new JsonObject { ["type"] = "integer", ["minimum"] = 1, ["maximum"] = OgcEndpoints.MaxLimit, ["default"] = OgcEndpoints.DefaultLimit },
                    "min" or "max" => new JsonObject { ["type"] = "number" },
                    _ => new JsonObject { ["type"] = "string" },
                },
            };
        }

        return new JsonObject
        {
            ["openapi"] = "3.0.3",
            ["info"] = new JsonObject
            {
                ["title"] = "TerritoryAtlas – OGC API Features",
                ["version"] = "1.0",
                ["description"] = "French territories with social indicators; the whole HTTP API is described at /openapi/v1.json.",
            },
            ["servers"] = new JsonArray(new JsonObject { ["url"] = ogcRoot }),
            ["paths"] = paths,
            ["components"] = new JsonObject { ["parameters"] = parameters },
        };
    }

    private static JsonObject Get(string operationId, string summary, string contentType, JsonArray? parameters = null)
    {
        var get = new JsonObject
        {
            ["operationId"] = operationId,
            ["summary"] = summary,
            ["responses"] = new JsonObject
            {
                ["200"] = new JsonObject
                {
                    ["description"] = summary,
                    ["content"] = new JsonObject { [contentType] = new JsonObject() },
                },
                ["400"] = new JsonObject { ["description"] = "A parameter is malformed (application/problem+json naming it)." },
                ["404"] = new JsonObject { ["description"] = "No such collection, feature or indicator." },
            },
        };
        if (parameters is not null)
        {
            get["parameters"] = parameters;
        }

        return new JsonObject { ["get"] = get };
    }
}
