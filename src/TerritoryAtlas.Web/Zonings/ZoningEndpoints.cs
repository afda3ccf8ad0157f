using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.Features;
using TerritoryAtlas.Web.Accounts;

namespace TerritoryAtlas.Web.Zonings;

/// <summary>
/// POST /api/zonings (admin; multipart `file` + `name`, `code`, `vintage`, optional `name_en`, `column`) builds a zoning;
/// GET /api/zonings and /api/zonings/{code} list them and their zones (public, like the levels they become);
/// DELETE /api/zonings/{code} (admin) removes one.
/// </summary>
public static class ZoningEndpoints
{
    public static IServiceCollection AddZonings(this IServiceCollection services)
    {
        services.AddSingleton<ZoningService>();
        services.AddSingleton<StudyAreaService>();
        services.AddSingleton<ComparisonReferences>();
        services.AddSingleton<StudyAreaExports>();
        services.Configure<FormOptions>(o => o.MultipartBodyLengthLimit = Math.Max(o.MultipartBodyLengthLimit, CorrespondenceTable.MaxBytes + (1 << 20)));
        return services;
    }

    public static void MapZoningEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/zonings").WithTags("Zonings");

        group.MapPost("", async (HttpContext http, ZoningService zonings, IAntiforgery antiforgery, CancellationToken ct) =>
        {
            // Scripts authenticate with a bearer token; a browser's cookie-authenticated post must carry the antiforgery token.
            if (!http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                && !await antiforgery.IsRequestValidAsync(http))
            {
                return Problem(StatusCodes.Status400BadRequest, "antiforgery token missing or invalid");
            }

            if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
            {
                size.MaxRequestBodySize = CorrespondenceTable.MaxBytes + (1 << 20);
            }

            if (!http.Request.HasFormContentType)
            {
                return Problem(StatusCodes.Status400BadRequest, "send multipart/form-data with a 'file' part and 'name', 'code' and 'vintage' fields");
            }

            IFormCollection form;
            try
            {
                form = await http.Request.ReadFormAsync(ct);
            }
            catch (Exception e) when (e is InvalidDataException or BadHttpRequestException)
            {
                return Problem(StatusCodes.Status413PayloadTooLarge,
                    $"the upload is larger than the limit of {CorrespondenceTable.MaxBytes / (1024 * 1024)} MB or malformed ({e.Message})");
            }

            if (form.Files.GetFile("file") is not { } file)
            {
                return Problem(StatusCodes.Status400BadRequest, "the 'file' part (the correspondence table, CSV or XLSX) is missing");
            }

            var request = new ZoningRequest(form["code"].ToString(), form["name"].ToString(), form["vintage"].ToString(),
                form["name_en"].ToString(), form["column"] is { Count: > 0 } column && column.ToString().Length > 0 ? column.ToString() : null);
            try
            {
                await using var stream = file.OpenReadStream();
                var summary = await zonings.AddAsync(stream, Path.GetFileName(file.FileName), request, http.User.Identity?.Name, ct);
                return Results.Json(summary, statusCode: StatusCodes.Status201Created);
            }
            catch (ZoningRefused e)
            {
                return Problem(e.Status, e.Problem, e.Lines);
            }
        }).RequireAuthorization(p => p.RequireRole(AtlasRoles.Admin)).DisableAntiforgery()
            .Accepts<IFormFile>("multipart/form-data").Produces<ZoningSummary>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status409Conflict);

        group.MapGet("", async (ZoningService zonings, CancellationToken ct) => Results.Json(await zonings.ListAsync(ct)))
            .Produces<IReadOnlyList<ZoningView>>();

        group.MapGet("/{code}", async (string code, ZoningService zonings, CancellationToken ct) =>
                await zonings.ZonesAsync(code, ct) is { } zones
                    ? Results.Json(zones)
                    : Problem(StatusCodes.Status404NotFound, $"no zoning '{code}' (GET /api/zonings lists them)"))
            .Produces<IReadOnlyList<ZoneView>>().ProducesProblem(StatusCodes.Status404NotFound);

        group.MapDelete("/{code}", async (string code, ZoningService zonings, CancellationToken ct) =>
                await zonings.RemoveAsync(code, ct)
                    ? Results.NoContent()
                    : Problem(StatusCodes.Status404NotFound, $"no zoning '{code}' (GET /api/zonings lists them)"))
            .RequireAuthorization(p => p.RequireRole(AtlasRoles.Admin)).Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static IResult Problem(int status, string detail, IReadOnlyList<ZoningProblem>? lines = null) =>
        Results.Problem(detail: detail, statusCode: status, extensions: lines is null or { Count: 0 } ? null : new Dictionary<string, object?>
        {
            ["problems"] = lines.Take(ZoningService.MaxListedProblems).ToList(),
            ["problemCount"] = lines.Count,
        });
}
