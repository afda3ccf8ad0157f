using System.Globalization;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Caching.Memory;
using Npgsql;
using TerritoryAtlas.Web.Indicators;
using TerritoryAtlas.Web.Maps;

namespace TerritoryAtlas.Web.Export;

/// <summary>
/// OGC API – Features, Part 1 core, over the territories: one collection per level, features in GeoJSON with the
/// figures asked for (indicator=, year= as in the export), bbox, limit/offset paging with next links. QGIS adds it as
/// a layer (Layer › Add WFS / OGC API – Features, URL …/ogc).
/// </summary>
public static class OgcEndpoints
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 10_000;

    private static readonly string[] ConformsTo =
    [
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    ];

    private static readonly IReadOnlySet<string> ItemParameters =
        new HashSet<string>(ExportRequest.ExportParameters.Where(p => p != "crs").Concat(["limit", "offset", "f"]));

    public static void MapOgcEndpoints(this IEndpointRouteBuilder app)
    {
        var ogc = app.MapGroup("/ogc").WithTags("OGC API – Features");

        ogc.MapGet("/", (HttpContext http) =>
        {
            var root = Root(http);
            return Results.Json(new
            {
                title = "TerritoryAtlas",
                description = "French territories (régions to communes) with social indicators, as OGC API – Features",
                links = new[]
                {
                    Link($"{root}/ogc", "self", "application/json", "this document"),
                    Link($"{root}/openapi/v1.json", "service-desc", "application/vnd.oai.openapi+json;version=3.0", "the API definition"),
                    Link($"{root}/ogc/conformance", "conformance", "application/json", "conformance classes"),
                    Link($"{root}/ogc/collections", "data", "application/json", "the collections: one per level"),
                },
            });
        }).WithName("OgcLanding").WithSummary("OGC API – Features landing page");

        ogc.MapGet("/conformance", () => Results.Json(new { conformsTo = ConformsTo }))
            .WithName("OgcConformance").WithSummary("OGC API – Features conformance classes");

        ogc.MapGet("/collections", async (HttpContext http, NpgsqlDataSource db, MapQueries maps, IMemoryCache cache, CancellationToken ct) =>
        {
            var root = Root(http);
            var extents = await ExtentsAsync(db, maps, cache, ct);
            return Results.Json(new
            {
                links = new[] { Link($"{root}/ogc/collections", "self", "application/json", "the collections") },
                collections = Levels.Ordered.Where(extents.ContainsKey).Select(l => Collection(root, l, extents[l])),
            });
        }).WithName("OgcCollections").WithSummary("One collection per territorial level");

        ogc.MapGet("/collections/{level}", async (string level, HttpContext http, NpgsqlDataSource db, MapQueries maps, IMemoryCache cache, CancellationToken ct) =>
        {
            var extents = await ExtentsAsync(db, maps, cache, ct);
            return extents.TryGetValue(level, out var extent)
                ? Results.Json(Collection(Root(http), level, extent))
                : ExportEndpoints.Problem(new ParameterException("level", $"no collection '{level}'; see /ogc/collections", 404));
        }).WithName("OgcCollection").WithSummary("One level's collection");

        ogc.MapGet("/collections/{level}/items", async (
            string level, HttpContext http, IndicatorQueries indicators, ExportQueries queries, CancellationToken ct) =>
        {
            ExportRequest request;
            try
            {
                request = await ExportRequest.ParseAsync(level, http.Request.Query, ItemParameters, indicators, queries.FindTerritoryAsync, ct);
                request = request with { Limit = Integer(http, "limit", DefaultLimit, 1, MaxLimit), Offset = Integer(http, "offset", 0, 0, int.MaxValue) };
                CheckFormat(http);
            }
            catch (ParameterException e)
            {
                return ExportEndpoints.Problem(e);
            }

            var matched = await queries.CountAsync(request, ct);
            var returned = Math.Max(0, Math.Min(request.Limit!.Value, matched - request.Offset));
            var self = http.Request.GetEncodedUrl();
            http.Response.ContentType = ExportEndpoints.GeoJsonType;
            await ExportWriters.WriteGeoJsonAsync(queries, request, ExportWriters.DefaultEncoding(request), http.Response.BodyWriter, ct, json =>
            {
                json.WriteNumber("numberMatched", matched);
                json.WriteNumber("numberReturned", returned);
                json.WriteString("timeStamp", DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
                json.WriteStartArray("links");
                WriteLink(json, self, "self", ExportEndpoints.GeoJsonType, "this page");
                if (request.Offset + returned < matched)
                {
                    WriteLink(json, PageUrl(http, request.Offset + request.Limit.Value, request.Limit.Value), "next", ExportEndpoints.GeoJsonType, "next page");
                }

                if (request.Offset > 0)
                {
                    WriteLink(json, PageUrl(http, Math.Max(0, request.Offset - request.Limit.Value), request.Limit.Value), "prev", ExportEndpoints.GeoJsonType, "previous page");
                }

                json.WriteEndArray();
            });
            return Results.Empty;
        })
        .WithMetadata(new QueryParameterDocs([.. ItemParameters.Order()]))
        .WithName("OgcItems")
        .WithSummary("Features of a level: bbox, limit (1–10000, default 100), offset; indicator=, year=, within=, min=, max= as in the export")
        .Produces(StatusCodes.Status200OK, contentType: ExportEndpoints.GeoJsonType)
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status404NotFound);

        ogc.MapGet("/collections/{level}/items/{code}", async (
            string level, string code, HttpContext http, IndicatorQueries indicators, ExportQueries queries, CancellationToken ct) =>
        {
            ExportRequest request;
            try
            {
                request = await ExportRequest.ParseAsync(level, http.Request.Query, new HashSet<string>(["indicator", "year", "f"]), indicators, queries.FindTerritoryAsync, ct);
                request = request with { Code = code };
                CheckFormat(http);
            }
            catch (ParameterException e)
            {
                return ExportEndpoints.Problem(e);
            }

            if (await queries.CountAsync(request, ct) == 0)
            {
                return ExportEndpoints.Problem(new ParameterException("code", $"no {level} has the code '{code}'", 404));
            }

            var root = Root(http);
            http.Response.ContentType = ExportEndpoints.GeoJsonType;
            await ExportWriters.WriteFeatureAsync(queries, request, http.Response.BodyWriter, json =>
            {
                json.WriteStartArray("links");
                WriteLink(json, http.Request.GetEncodedUrl(), "self", ExportEndpoints.GeoJsonType, "this feature");
                WriteLink(json, $"{root}/ogc/collections/{level}", "collection", "application/json", "the collection");
                json.WriteEndArray();
            }, ct);
            return Results.Empty;
        })
        .WithMetadata(new QueryParameterDocs("indicator", "year", "f"))
        .WithName("OgcItem")
        .WithSummary("One territory by its INSEE code")
        .Produces(StatusCodes.Status200OK, contentType: ExportEndpoints.GeoJsonType)
        .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static object Collection(string root, string level, double[] bbox) => new
    {
        id = level,
        title = level,
        description = $"Territories of level '{level}' with their INSEE codes, names and parents",
        itemType = "feature",
        extent = new { spatial = new { bbox = new[] { bbox }, crs = "http://www.opengis.net/def/crs/OGC/1.3/CRS84" } },
        crs = new[] { "http://www.opengis.net/def/crs/OGC/1.3/CRS84" },
        links = new[]
        {
            Link($"{root}/ogc/collections/{level}", "self", "application/json", "this collection"),
            Link($"{root}/ogc/collections/{level}/items", "items", ExportEndpoints.GeoJsonType, "the features"),
        },
    };

    /// <summary>Each level's extent, read once per data version (a scan of every geometry).</summary>
    private static async Task<Dictionary<string, double[]>> ExtentsAsync(NpgsqlDataSource db, MapQueries maps, IMemoryCache cache, CancellationToken ct)
    {
        var version = await maps.DataVersionAsync(ct);
        return (await cache.GetOrCreateAsync(("ogc-extents", version), async entry =>
        {
            entry.SetSize(1);
            await using var connection = await db.OpenConnectionAsync(ct);
            var rows = await connection.QueryAsync<(string Level, double West, double South, double East, double North)>(new CommandDefinition("""
                select level, ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)
                from (select level, ST_Extent(geom) as e from territory where geom is not null group by level) q
                """, cancellationToken: ct));
            return rows.ToDictionary(r => r.Level, r => new[] { r.West, r.South, r.East, r.North });
        }))!;
    }

    private static string Root(HttpContext http) => $"{http.Request.Scheme}://{http.Request.Host}{http.Request.PathBase}";

    private static object Link(string href, string rel, string type, string title) => new { href, rel, type, title };

    private static void WriteLink(Utf8JsonWriter json, string href, string rel, string type, string title)
    {
        json.WriteStartObject();
        json.WriteString("href", href);
        json.WriteString("rel", rel);
        json.WriteString("type", type);
        json.WriteString("title", title);
        json.WriteEndObject();
    }

    private static string PageUrl(HttpContext http, int offset, int limit)
    {
        var query = http.Request.Query.Where(q => q.Key is not ("offset" or "limit"))
            .SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string?>(q.Key, v)))
            .Append(new("limit", limit.ToString(CultureInfo.InvariantCulture)))
            .Append(new("offset", offset.ToString(CultureInfo.InvariantCulture)));
        return $"{Root(http)}{http.Request.Path}{QueryString.Create(query)}";
    }

    private static int Integer(HttpContext http, string name, int fallback, int min, int max)
    {
        var values = http.Request.Query[name];
        if (values.Count == 0)
        {
            return fallback;
        }

        if (values.Count > 1 || !int.TryParse(values[0], NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < min || number > max)
        {
            throw new ParameterException(name, $"{name} must be a whole number between {min} and {max}");
        }

        return number;
    }

    private static void CheckFormat(HttpContext http)
    {
        if (http.Request.Query["f"] is { Count: > 0 } f && f.Any(v => v is not ("json" or "geojson")))
        {
            throw new ParameterException("f", "only f=json (GeoJSON) is served");
        }
    }
}
