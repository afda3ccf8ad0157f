using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace TerritoryAtlas.Web.Export;

/// <summary>
/// The export and OGC endpoints read their query string themselves (to refuse unknown parameters by name), so the
/// OpenAPI generator cannot see the parameters: this metadata names them, and the transformer writes them into the
/// document.
/// </summary>
public sealed record QueryParameterDocs(params string[] Names)
{
    private static readonly Dictionary<string, string> Descriptions = new()
    {
        ["indicator"] = "Indicator code(s), comma-separated or repeated (see /api/indicators). Without it: codes, names and geometry only.",
        ["year"] = "Year(s), comma-separated or repeated; default: the latest year of each indicator at this level.",
        ["within"] = "level:code of a wider territory, e.g. departement:93 (the communes of Seine-Saint-Denis) or region:84.",
        ["min"] = "Keep territories whose value (first indicator, first year) is at least this.",
        ["max"] = "Keep territories whose value (first indicator, first year) is at most this.",
        ["bbox"] = "west,south,east,north in WGS84 degrees; keeps territories intersecting it.",
        ["crs"] = "4326 (default, RFC 7946 longitude/latitude) or 2154 (Lambert-93, reprojected with ProjNET, declared in a crs member).",
        ["simplify"] = "Simplification tolerance in metres (0–10000; in degrees as metres / 111320 for WGS84).",
        ["sep"] = "CSV separator: , (default, decimal point) or ; (decimal comma, as French spreadsheets expect).",
        ["bom"] = "true to start the CSV with a UTF-8 byte order mark (Excel).",
        ["limit"] = "Page size, 1–10000 (default 100).",
        ["after"] = "Keyset paging: the last code of the previous page (follow the next link rather than writing it).",
        ["bbox-crs"] = "The CRS of bbox: http://www.opengis.net/def/crs/OGC/1.3/CRS84 (default, degrees) or http://www.opengis.net/def/crs/EPSG/0/2154 (Lambert-93 metres).",
        ["f"] = "Format: json (GeoJSON), the only one served.",
    };

    public static string Describe(string name) => Descriptions[name];

    public static void AddTransformer(OpenApiOptions options) =>
        options.AddOperationTransformer((operation, context, _) =>
        {
            if (context.Description.ActionDescriptor.EndpointMetadata.OfType<QueryParameterDocs>().FirstOrDefault() is { } docs)
            {
                operation.Parameters ??= [];
                foreach (var name in docs.Names)
                {
                    operation.Parameters.Add(new OpenApiParameter
                    {
                        Name = name,
                        In = ParameterLocation.Query,
                        Required = false,
                        Description = Descriptions[name],
                        // limit is an integer with its default and maximum: GDAL and QGIS size their pages from them.
                        Schema = name == "limit"
                            ? new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1", Maximum = "10000", Default = System.Text.Json.Nodes.JsonValue.Create(100) }
                            : new OpenApiSchema { Type = JsonSchemaType.String },
                    });
                }
            }

            return Task.CompletedTask;
        });
}
