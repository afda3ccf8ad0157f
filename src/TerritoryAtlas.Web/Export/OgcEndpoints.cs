using System.Globalization;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.Extensions.Caching.Memory;
using Npgsql;
using TerritoryAtlas.Web.Indicators;
using TerritoryAtlas.Web.Maps;
using TerritoryAtlas.Web.Territories;

namespace TerritoryAtlas.Web.Export;

/// <summary>
/// OGC API – Features over the territories: one collection per level, features in GeoJSON with the figures asked for
/// (indicator=, year= as in the export). Part 1 core with keyset pages (the next link carries the last code, so a page
/// far in costs what the first does), Part 2 (Lambert-93 on request) and Part 3's queryables. GDAL and QGIS read the
/// page size from the API definition's limit (integer, default 100, maximum 10000): at their defaults they fetch the
/// communes in four pages. QGIS: Layer › Add WFS / OGC API – Features, URL …/ogc.
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
        "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    ];

    public const string Crs84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
    public const string Lambert93Uri = "http://www.opengis.net/def/crs/EPSG/0/2154";

    /// <summary>What the export's parser checks; crs and bbox (which may be in Lambert-93) are read here.</summary>
    private static readonly IReadOnlySet<string> ItemParameters =
        new HashSet<string>(ExportRequest.ExportParameters.Where(p => p is not ("crs" or "bbox")).Concat(["limit", "after", "f"]));

    private static readonly string[] QueryableNames = ["indicator", "year", "within", "min", "max"];

    /// <summary>A collection as readers see it: a title, a description naming vintage and source, its extent.</summary>
    private sealed record CollectionInfo(string Title, string Description, double[] Bbox);

    /// <summary>
    /// A collection's title: its level's plural name from the levels home (Territories/levels.json, or the zoning that
    /// made it), as French statistics name them ("Communes", "Départements"), so a new level needs nothing here.
    /// </summary>
    private static string Title(string level) => Levels.Find(level)?.MenuFr ?? level;

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
                    Link($"{root}/ogc/api", "service-desc", OgcApiDefinition.MediaType, "the API definition"),
                    Link($"{root}/ogc/conformance", "conformance", "application/json", "conformance classes"),
                    Link($"{root}/ogc/collections", "data", "application/json", "the collections: one per level"),
                },
            });
        }).WithName("OgcLanding").WithSummary("OGC API – Features landing page");

        ogc.MapGet("/api", async (HttpContext http, NpgsqlDataSource db, MapQueries maps, IMemoryCache cache, CancellationToken ct) =>
        {
            var collections = await CollectionsAsync(db, maps, cache, ct);
            var definition = OgcApiDefinition.Build($"{Root(http)}/ogc",
                Levels.Ordered.Where(collections.ContainsKey).Select(l => (l, collections[l].Title)));
            return Results.Text(definition.ToJsonString(), OgcApiDefinition.MediaType);
        }).WithName("OgcApiDefinition").WithSummary("The OGC API's definition (OpenAPI 3.0), one path per collection, as GDAL and QGIS read it");

        ogc.MapGet("/conformance", () => Results.Json(new { conformsTo = ConformsTo }))
            .WithName("OgcConformance").WithSummary("OGC API – Features conformance classes");

        ogc.MapGet("/collections", async (HttpContext http, NpgsqlDataSource db, MapQueries maps, IMemoryCache cache, CancellationToken ct) =>
        {
            var root = Root(http);
            var collections = await CollectionsAsync(db, maps, cache, ct);
            return Results.Json(new
            {
                links = new[] { Link($"{root}/ogc/collections", "self", "application/json", "the collections") },
                collections = Levels.Ordered.Where(collections.ContainsKey).Select(l => Collection(root, l, collections[l])),
            });
        }).WithName("OgcCollections").WithSummary("One collection per territorial level");

        ogc.MapGet("/collections/{level}", async (string level, HttpContext http, NpgsqlDataSource db, MapQueries maps, IMemoryCache cache, CancellationToken ct) =>
        {
            var collections = await CollectionsAsync(db, maps, cache, ct);
            return collections.TryGetValue(level, out var collection)
                ? Results.Json(Collection(Root(http), level, collection))
                : ExportEndpoints.Problem(new ParameterException("level", $"no collection '{level}'; see /ogc/collections", 404));
        }).WithName("OgcCollection").WithSummary("One level's collection");

        ogc.MapGet("/collections/{level}/queryables", async (string level, HttpContext http, NpgsqlDataSource db, MapQueries maps, IMemoryCache cache, CancellationToken ct) =>
        {
            var collections = await CollectionsAsync(db, maps, cache, ct);
            if (!collections.ContainsKey(level))
            {
                return ExportEndpoints.Problem(new ParameterException("level", $"no collection '{level}'; see /ogc/collections", 404));
            }

            // Part 3: what the items can be asked for. Here the figures are chosen rather than filtered on: the
            // indicator parameters, with their meaning; the catalogue of codes is /api/indicators.
            return Results.Json(new Dictionary<string, object>
            {
                ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
                ["$id"] = $"{Root(http)}/ogc/collections/{level}/queryables",
                ["type"] = "object",
                ["title"] = collections[level].Title,
                ["properties"] = QueryableNames.ToDictionary(n => n, n => (object)new
                {
                    title = n,
                    description = QueryParameterDocs.Describe(n),
                    type = n is "min" or "max" ? "number" : "string",
                }),
                ["additionalProperties"] = false,
            }, contentType: "application/schema+json");
        }).WithName("OgcQueryables").WithSummary("The parameters a level's items can be asked for (OGC API – Features Part 3)");

        ogc.MapGet("/collections/{level}/items", async (
            string level, HttpContext http, IndicatorQueries indicators, ExportQueries queries, MapQueries maps, IMemoryCache cache, CancellationToken ct) =>
        {
            ExportRequest request;
            int limit;
            try
            {
                // bbox may be in Lambert-93 (bbox-crs): the export's parser reads degrees, so it gets the query
                // without bbox and the box is read here.
                var query = new QueryCollection(http.Request.Query.Where(q => q.Key is not ("bbox" or "bbox-crs" or "crs"))
                    .ToDictionary(q => q.Key, q => q.Value));
                request = await ExportRequest.ParseAsync(level, query, ItemParameters, indicators, Accounts.Viewer.From(http.User), queries.FindTerritoryAsync, ct);
                limit = Integer(http, "limit", DefaultLimit, 1, MaxLimit);
                request = request with
                {
                    Crs = Crs(http, "crs"),
                    Bbox = Bbox(http),
                    // One row more than the page: its presence is what says a next page exists.
                    Limit = limit + 1,
                    After = Single(http, "after") is { } after && after.Length is > 0 and <= 64
                        ? after
                        : Single(http, "after") is null ? null : throw new ParameterException("after", "after is the last code of the previous page; follow the next link"),
                };
                CheckFormat(http);
            }
            catch (ParameterException e)
            {
                return ExportEndpoints.Problem(e);
            }

            var matched = await NumberMatchedAsync(http, request, queries, maps, cache, ct);
            var self = http.Request.GetEncodedUrl();
            http.Response.ContentType = ExportEndpoints.GeoJsonType;
            http.Response.Headers["Content-Crs"] = $"<{CrsUri(request.Crs)}>";
            var page = new FeaturePage(limit, (json, page) =>
            {
                json.WriteNumber("numberReturned", page.Returned);
                json.WriteStartArray("links");
                WriteLink(json, self, "self", ExportEndpoints.GeoJsonType, "this page");
                if (page.More)
                {
                    WriteLink(json, PageUrl(http, page.LastCode!, NextLimit(limit)), "next", ExportEndpoints.GeoJsonType, "next page");
                }

                json.WriteEndArray();
            });
            await ExportWriters.WriteGeoJsonAsync(queries, request, ExportWriters.DefaultEncoding(request), http.Response.BodyWriter, ct, json =>
            {
                json.WriteNumber("numberMatched", matched);
                json.WriteString("timeStamp", DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
            }, page);
            return Results.Empty;
        })
        .WithMetadata(new QueryParameterDocs([.. ItemParameters.Concat(["bbox", "bbox-crs", "crs"]).Order()]))
        .WithName("OgcItems")
        .WithSummary("Features of a level: bbox (bbox-crs), crs, limit (1–10000, default 100), after (keyset paging: follow the next link); indicator=, year=, within=, min=, max= as in the export")
        .Produces(StatusCodes.Status200OK, contentType: ExportEndpoints.GeoJsonType)
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status404NotFound);

        ogc.MapGet("/collections/{level}/items/{code}", async (
            string level, string code, HttpContext http, IndicatorQueries indicators, ExportQueries queries, CancellationToken ct) =>
        {
            ExportRequest request;
            try
            {
                var query = new QueryCollection(http.Request.Query.Where(q => q.Key != "crs").ToDictionary(q => q.Key, q => q.Value));
                request = await ExportRequest.ParseAsync(level, query, new HashSet<string>(["indicator", "year", "f"]), indicators, Accounts.Viewer.From(http.User), queries.FindTerritoryAsync, ct);
                request = request with { Code = code, Crs = Crs(http, "crs") };
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
            http.Response.Headers["Content-Crs"] = $"<{CrsUri(request.Crs)}>";
            await ExportWriters.WriteFeatureAsync(queries, request, http.Response.BodyWriter, json =>
            {
                json.WriteStartArray("links");
                WriteLink(json, http.Request.GetEncodedUrl(), "self", ExportEndpoints.GeoJsonType, "this feature");
                WriteLink(json, $"{root}/ogc/collections/{level}", "collection", "application/json", "the collection");
                json.WriteEndArray();
            }, ct);
            return Results.Empty;
        })
        .WithMetadata(new QueryParameterDocs("crs", "f", "indicator", "year"))
        .WithName("OgcItem")
        .WithSummary("One territory by its INSEE code")
        .Produces(StatusCodes.Status200OK, contentType: ExportEndpoints.GeoJsonType)
        .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static object Collection(string root, string level, CollectionInfo info) => new
    {
        id = level,
        title = info.Title,
        description = info.Description,
        itemType = "feature",
        extent = new { spatial = new { bbox = new[] { info.Bbox }, crs = Crs84 } },
        crs = new[] { Crs84, Lambert93Uri },
        storageCrs = Crs84,
        links = new[]
        {
            Link($"{root}/ogc/collections/{level}", "self", "application/json", "this collection"),
            Link($"{root}/ogc/collections/{level}/items", "items", ExportEndpoints.GeoJsonType, "the features"),
            Link($"{root}/ogc/collections/{level}/queryables", "http://www.opengis.net/def/rel/ogc/1.0/queryables", "application/schema+json", "what the items can be asked for"),
        },
    };

    /// <summary>Each level's extent, vintage and source, read once per data version (a scan of every geometry).</summary>
    private static async Task<Dictionary<string, CollectionInfo>> CollectionsAsync(NpgsqlDataSource db, MapQueries maps, IMemoryCache cache, CancellationToken ct)
    {
        var version = await maps.DataVersionAsync(ct);
        return (await cache.GetOrCreateAsync(("ogc-collections", version), async entry =>
        {
            entry.SetSize(1);
            await using var connection = await db.OpenConnectionAsync(ct);
            var rows = await connection.QueryAsync<(string Level, long Count, string Vintage, string Source, double West, double South, double East, double North)>(new CommandDefinition("""
                select level, n, vintages, sources, ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e)
                from (select level, count(*) as n, string_agg(distinct vintage, ', ') as vintages, string_agg(distinct source, '; ') as sources,
                             ST_Extent(geom) as e
                      from territory where geom is not null group by level) q
                """, cancellationToken: ct));
            return rows.ToDictionary(r => r.Level, r => new CollectionInfo(
                Title(r.Level),
                $"{r.Count.ToString("N0", CultureInfo.InvariantCulture)} {Title(r.Level)} with their INSEE codes, names and parents; "
                + $"boundaries {r.Vintage} ({r.Source}). Figures on request: indicator=, year= (see /api/indicators).",
                [r.West, r.South, r.East, r.North]));
        }))!;
    }

    /// <summary>
    /// numberMatched: a count over the whole level costs as much as a page, so it is kept per data version and filter
    /// (the query without the paging parameters); a new import changes the version and so the key.
    /// </summary>
    private static async Task<int> NumberMatchedAsync(HttpContext http, ExportRequest request, ExportQueries queries, MapQueries maps, IMemoryCache cache, CancellationToken ct)
    {
        var version = await maps.DataVersionAsync(ct);
        var filter = string.Join('&', http.Request.Query.Where(q => q.Key is not ("limit" or "after" or "f" or "crs"))
            .OrderBy(q => q.Key, StringComparer.Ordinal).Select(q => $"{q.Key}={string.Join(',', q.Value.ToArray())}"));
        return await cache.GetOrCreateAsync(("ogc-count", version, request.Level, filter), async entry =>
        {
            entry.SetSize(1);
            entry.SetSlidingExpiration(TimeSpan.FromHours(1));
            return await queries.CountAsync(request, ct);
        });
    }

    private static int Crs(HttpContext http, string name) => Single(http, name) switch
    {
        null or Crs84 or "CRS84" or "4326" or "EPSG:4326" => 4326,
        Lambert93Uri or "2154" or "EPSG:2154" => 2154,
        var other => throw new ParameterException(name, $"unsupported {name} '{other}'; use {Crs84} (the default) or {Lambert93Uri} (Lambert-93)"),
    };

    private static string CrsUri(int crs) => crs == 2154 ? Lambert93Uri : Crs84;

    /// <summary>bbox in degrees, or in Lambert-93 metres with bbox-crs: its corners go back to degrees (the box then covers a little more, never less).</summary>
    private static BoundingBox? Bbox(HttpContext http)
    {
        var text = Single(http, "bbox");
        if (Crs(http, "bbox-crs") != 2154 || text is null)
        {
            return ExportRequest.ParseBbox(text);
        }

        var numbers = text.Split(',').Select(t => double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && double.IsFinite(n) ? n : double.NaN).ToArray();
        if (numbers.Length != 4 || numbers.Any(double.IsNaN) || numbers[0] >= numbers[2] || numbers[1] >= numbers[3]
            || numbers.Any(n => Math.Abs(n) > 20_000_000))
        {
            throw new ParameterException("bbox", $"'{text}' is not west,south,east,north in Lambert-93 metres (west < east, south < north)");
        }

        var corners = new[] { (numbers[0], numbers[1]), (numbers[0], numbers[3]), (numbers[2], numbers[1]), (numbers[2], numbers[3]) }
            .Select(c => Territories.Lambert93.ToWgs84(c.Item1, c.Item2)).ToList();
        var box = new BoundingBox(corners.Min(c => c.Longitude), corners.Min(c => c.Latitude), corners.Max(c => c.Longitude), corners.Max(c => c.Latitude));
        return double.IsFinite(box.West) && double.IsFinite(box.South) && double.IsFinite(box.East) && double.IsFinite(box.North)
            ? ExportRequest.ParseBbox(string.Create(CultureInfo.InvariantCulture, $"{Math.Max(-180, box.West)},{Math.Max(-90, box.South)},{Math.Min(180, box.East)},{Math.Min(90, box.North)}"))
            : throw new ParameterException("bbox", $"'{text}' lies outside Lambert-93's domain");
    }

    private static string? Single(HttpContext http, string name) => http.Request.Query[name].Count switch
    {
        0 => null,
        1 => http.Request.Query[name][0],
        _ => throw new ParameterException(name, $"'{name}' is given more than once"),
    };

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

    /// <summary>
    /// The page size the next link asks for: ten times this page's, up to the maximum. A client following next links
    /// reads the whole collection; GDAL before 3.8 (Debian 12's 3.6 among them) pages by 10 whatever the API
    /// definition says, which made copying the communes 3,536 requests. Growing, it is 7 (10, 100, 1,000, then 10,000 a
    /// page). Each response still holds no more than the limit its own URL asks for, and says how many it holds
    /// (numberReturned); a client wanting fixed pages builds its URL with limit= and after= (the last code it read).
    /// </summary>
    public static int NextLimit(int limit) => (int)Math.Min(MaxLimit, limit * 10L);

    private static string PageUrl(HttpContext http, string after, int limit)
    {
        var query = http.Request.Query.Where(q => q.Key is not ("after" or "limit"))
            .SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string?>(q.Key, v)))
            .Append(new("limit", limit.ToString(CultureInfo.InvariantCulture)))
            .Append(new("after", after));
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
