using Microsoft.AspNetCore.ResponseCompression;
using TerritoryAtlas.Web.Indicators;
using TerritoryAtlas.Web.Maps;

namespace TerritoryAtlas.Web.Export;

public static class ExportEndpoints
{
    public const string GeoJsonType = "application/geo+json";
    public const string CsvType = "text/csv";

    public static IServiceCollection AddExport(this IServiceCollection services)
    {
        services.AddSingleton<ExportQueries>();
        services.Configure<Microsoft.AspNetCore.OpenApi.OpenApiOptions>("v1", QueryParameterDocs.AddTransformer);
        // GeoJSON shrinks ~5× under gzip or brotli; the defaults do not list its media type nor CSV's.
        services.Configure<ResponseCompressionOptions>(options =>
            options.MimeTypes = ResponseCompressionDefaults.MimeTypes.Concat([GeoJsonType, CsvType, "application/problem+json"]).Distinct());
        return services;
    }

    public static void MapExportEndpoints(this IEndpointRouteBuilder app)
    {
        var export = app.MapGroup("/api/export").WithTags("Export").RequireRateLimiting(RateLimits.Exports);

        export.MapGet("/{level}.geojson", async (string level, HttpContext http, IndicatorQueries indicators, ExportQueries queries, CancellationToken ct) =>
        {
            var request = await ParseAsync(level, http, ExportRequest.ExportParameters, indicators, queries, ct);
            if (request.Problem is { } problem)
            {
                return problem;
            }

            // ct is the request's RequestAborted: a client that hangs up cancels the query in PostGIS.
            Download(http, GeoJsonType, request.Value!.FileStem + ".geojson");
            await ExportWriters.WriteGeoJsonAsync(queries, request.Value!, ExportWriters.DefaultEncoding(request.Value!), http.Response.BodyWriter, ct);
            return Results.Empty;
        })
        .WithMetadata(new QueryParameterDocs([.. ExportRequest.ExportParameters.Order()]))
        .WithName("ExportGeoJson")
        .WithSummary("Territories of a level with indicator figures as GeoJSON (RFC 7946; crs=2154 for Lambert-93)")
        .Produces(StatusCodes.Status200OK, contentType: GeoJsonType)
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status404NotFound);

        export.MapGet("/{level}.csv", async (string level, HttpContext http, IndicatorQueries indicators, ExportQueries queries, CancellationToken ct) =>
        {
            var request = await ParseAsync(level, http, ExportRequest.CsvParameters, indicators, queries, ct);
            if (request.Problem is { } problem)
            {
                return problem;
            }

            Download(http, CsvType + "; charset=utf-8", request.Value!.FileStem + ".csv");
            if (request.Value!.Pairs.Count > 0)
            {
                // Where each figure comes from: the sidecar with the same parameters (RFC 8288 describedby).
                http.Response.Headers.Link = $"<{http.Request.PathBase}/api/export/{Uri.EscapeDataString(level)}/sources.csv{http.Request.QueryString}>; rel=\"describedby\"; type=\"text/csv\"";
            }

            await ExportWriters.WriteCsvAsync(queries, request.Value!, http.Response.Body, ct);
            return Results.Empty;
        })
        .WithMetadata(new QueryParameterDocs([.. ExportRequest.CsvParameters.Order()]))
        .WithName("ExportCsv")
        .WithSummary("Territories of a level with indicator figures as CSV (UTF-8; sep=; for decimal commas, bom=true for Excel)")
        .Produces(StatusCodes.Status200OK, contentType: CsvType)
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status404NotFound);

        export.MapGet("/{level}/sources.csv", async (string level, HttpContext http, IndicatorQueries indicators, ExportQueries queries, CancellationToken ct) =>
        {
            var request = await ParseAsync(level, http, ExportRequest.CsvParameters, indicators, queries, ct);
            if (request.Problem is { } problem)
            {
                return problem;
            }

            Download(http, CsvType + "; charset=utf-8", request.Value!.FileStem + "-sources.csv");
            await ExportWriters.WriteSourcesCsvAsync(request.Value!, http.Response.Body, ct);
            return Results.Empty;
        })
        .WithMetadata(new QueryParameterDocs([.. ExportRequest.CsvParameters.Order()]))
        .WithName("ExportCsvSources")
        .WithSummary("The CSV export's sidecar: one line per indicator with its definition, source, producer, licence and the years exported (same parameters as the CSV)")
        .Produces(StatusCodes.Status200OK, contentType: CsvType)
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status404NotFound);

        export.MapGet("/{level}/preview", async (string level, HttpContext http, IndicatorQueries indicators, ExportQueries queries, CancellationToken ct) =>
        {
            var request = await ParseAsync(level, http, ExportRequest.CsvParameters, indicators, queries, ct);
            return request.Problem ?? Results.Ok(await queries.PreviewAsync(request.Value!, ct));
        })
        .WithMetadata(new QueryParameterDocs([.. ExportRequest.ExportParameters.Order()]))
        .WithName("ExportPreview")
        .WithSummary("Row count and approximate sizes of the export the same parameters would give")
        .Produces<ExportPreview>()
        .ProducesProblem(StatusCodes.Status400BadRequest)
        .ProducesProblem(StatusCodes.Status404NotFound);
    }

    /// <summary>Headers of a streamed download: its type and a file name that says what it holds.</summary>
    private static void Download(HttpContext http, string contentType, string fileName)
    {
        http.Response.ContentType = contentType;
        http.Response.Headers.ContentDisposition = new Microsoft.Net.Http.Headers.ContentDispositionHeaderValue("attachment")
        {
            FileName = fileName,
        }.ToString();
    }

    private static async Task<(ExportRequest? Value, IResult? Problem)> ParseAsync(
        string level, HttpContext http, IReadOnlySet<string> allowed, IndicatorQueries indicators, ExportQueries queries, CancellationToken ct)
    {
        try
        {
            return (await ExportRequest.ParseAsync(level, http.Request.Query, allowed, indicators, Accounts.Viewer.From(http.User), queries.FindTerritoryAsync, ct), null);
        }
        catch (ParameterException e)
        {
            return (null, Problem(e));
        }
    }

    internal static IResult Problem(ParameterException e) => e.ToProblem();
}
