using System.Text.Json;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.Features;
using TerritoryAtlas.Web.Accounts;
using TerritoryAtlas.Web.Import;

namespace TerritoryAtlas.Web.Datasets;

/// <summary>
/// The HTTP API for scripts: POST /api/datasets (multipart file + metadata) → a draft with its validation report;
/// GET /api/datasets/{id}; POST /api/datasets/{id}/publish; POST /api/datasets/{id}/rollback. Producers (for their
/// organisation) and admins only; the same <see cref="DatasetDrafts"/>,
/// <see cref="DatasetVersions"/> and <see cref="DatasetPublication"/> the upload page uses.
/// </summary>
public static class DatasetEndpoints
{
    public static IServiceCollection AddDatasets(this IServiceCollection services, IConfiguration configuration)
    {
        var options = new DatasetOptions();
        if (configuration.GetValue<long?>("Datasets:MaxUploadMegabytes") is { } megabytes)
        {
            options.MaxUploadBytes = megabytes * 1024 * 1024;
        }

        services.AddSingleton(options);
        services.AddSingleton<DatasetDrafts>();
        services.AddSingleton<DatasetVersions>();
        services.AddSingleton<DatasetPublication>();
        // The form reader buffers large parts to temporary files, never in memory; its own limit must not be lower.
        services.Configure<FormOptions>(o => o.MultipartBodyLengthLimit = Math.Max(o.MultipartBodyLengthLimit, options.MaxUploadBytes + (1 << 20)));
        return services;
    }

    public static void MapDatasetEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/datasets").WithTags("Datasets")
            .RequireAuthorization(p => p.RequireRole(AtlasRoles.Producer, AtlasRoles.Admin));

        group.MapPost("", async (HttpContext http, DatasetDrafts drafts, IAntiforgery antiforgery, CancellationToken ct) =>
        {
            // Scripts authenticate with a bearer token; a browser's cookie-authenticated post must carry the antiforgery token.
            if (!http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                && !await antiforgery.IsRequestValidAsync(http))
            {
                return Problem(StatusCodes.Status400BadRequest, "antiforgery token missing or invalid", null);
            }

            if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            {
                size.MaxRequestBodySize = drafts.MaxUploadBytes + (1 << 20);
            }

            if (!http.Request.HasFormContentType)
            {
                return Problem(StatusCodes.Status400BadRequest, "send multipart/form-data with a 'file' part and a 'metadata' JSON part", null);
            }

            IFormCollection form;
            try
            {
                form = await http.Request.ReadFormAsync(ct);
            }
            catch (Exception e) when (e is InvalidDataException or BadHttpRequestException)
            {
                return Problem(StatusCodes.Status413PayloadTooLarge,
                    $"the upload is larger than the limit of {drafts.MaxUploadBytes / (1024 * 1024)} MB or malformed ({e.Message})", null);
            }

            if (form.Files.GetFile("file") is not { } file)
            {
                return Problem(StatusCodes.Status400BadRequest, "the 'file' part is missing", null);
            }

            ContributionMetadata? metadata = null;
            if (form["metadata"] is { Count: > 0 } json && !string.IsNullOrWhiteSpace(json.ToString()))
            {
                try
                {
                    metadata = JsonSerializer.Deserialize<ContributionMetadata>(json.ToString(), ManifestFiles.Options);
                }
                catch (JsonException e)
                {
                    return Problem(StatusCodes.Status400BadRequest, $"metadata: line {e.LineNumber + 1}: {e.Message}", null);
                }
            }

            try
            {
                await using var stream = file.OpenReadStream();
                var version = await drafts.ContributeAsync(stream, Path.GetFileName(file.FileName), metadata, Contributor.From(http.User), null, ct);
                return Results.Json(new { id = version.Id, status = version.Status, report = version.Report, version }, statusCode: StatusCodes.Status201Created);
            }
            catch (ContributionRefused e)
            {
                return Problem(e.Status, e.Problem, e.Report);
            }
        }).DisableAntiforgery().Accepts<IFormFile>("multipart/form-data").Produces(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        group.MapGet("/{id:long}", async (long id, HttpContext http, DatasetVersions versions, CancellationToken ct) =>
            await versions.GetAsync(id, Contributor.From(http.User), ct) is { } version
                ? Results.Json(version)
                : Problem(StatusCodes.Status404NotFound, $"no dataset version {id}", null));

        group.MapGet("/{id:long}/preview", async (long id, HttpContext http, DatasetVersions versions, CancellationToken ct) =>
            Results.Json(await versions.PreviewRowsAsync(id, Contributor.From(http.User), 500, ct)));

        // A boundary version's outlines as vector tiles, for its preview map: the contributor's own, never cached by others.
        group.MapGet("/{id:long}/boundaries/{z:int:range(0,14)}/{x:int:min(0)}/{y:int:min(0)}.mvt", async (long id, int z, int x, int y,
            HttpContext http, DatasetVersions versions, CancellationToken ct) =>
        {
            if (x >= 1 << z || y >= 1 << z)
            {
                return Problem(StatusCodes.Status404NotFound, $"no tile {z}/{x}/{y}", null);
            }

            http.Response.Headers.CacheControl = "private, no-store";
            return await versions.BoundaryTileAsync(id, Contributor.From(http.User), z, x, y, ct) is { } tile
                ? tile.Length == 0 ? Results.NoContent() : Results.Bytes(tile, "application/vnd.mapbox-vector-tile")
                : Problem(StatusCodes.Status404NotFound, $"no boundary version {id}", null);
        }).Produces(StatusCodes.Status200OK, contentType: "application/vnd.mapbox-vector-tile").Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound);

        group.MapPost("/{id:long}/publish", (long id, HttpContext http, DatasetPublication publication, CancellationToken ct) =>
            Act(() => publication.PublishAsync(id, Contributor.From(http.User), ct)));

        group.MapPost("/{id:long}/rollback", (long id, HttpContext http, DatasetPublication publication, CancellationToken ct) =>
            Act(() => publication.RollbackAsync(id, Contributor.From(http.User), ct)));

        // Where a level's outlines come from (the import, or a published boundary layer: file, when; who for admins).
        app.MapGet("/api/levels/{level}/boundaries", async (string level, HttpContext http, Npgsql.NpgsqlDataSource db, CancellationToken ct) =>
            Territories.Levels.IsKnown(level)
                ? Results.Json(new { level, sources = await BoundaryLayers.SourcesAsync(db, level, Viewer.From(http.User).IsAdmin, ct) })
                : Problem(StatusCodes.Status404NotFound, $"no level '{level}'", null))
            .WithTags("Territories").Produces(StatusCodes.Status200OK).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> Act(Func<Task<DatasetVersionView>> action)
    {
        try
        {
            return Results.Json(await action());
        }
        catch (ContributionRefused e)
        {
            return Problem(e.Status, e.Problem, e.Report);
        }
    }

    private static IResult Problem(int status, string detail, ValidationReport? report) =>
        Results.Problem(detail: detail, statusCode: status,
            extensions: report is null ? null : new Dictionary<string, object?> { ["report"] = report });
}
