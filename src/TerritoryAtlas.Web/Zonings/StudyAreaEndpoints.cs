using System.Text;
using Microsoft.AspNetCore.Antiforgery;

namespace TerritoryAtlas.Web.Zonings;

/// <summary>
/// /api/study-areas: signed-in accounts create, list, change and delete their areas (JSON: `name`, `visibility`
/// private|organisation|public, `codes` or `perimeter`); an area and its portrait are read by whoever may read it
/// (a public one anonymously), and answer 404 to everyone else, as if it did not exist.
/// </summary>
public static class StudyAreaEndpoints
{
    public static void MapStudyAreaEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/study-areas").WithTags("Study areas");
        var signedIn = group.MapGroup("").RequireAuthorization();

        signedIn.MapPost("", (StudyAreaInput input, HttpContext http, StudyAreaService areas, CancellationToken ct) =>
                Act(async () => Results.Json(await areas.CreateAsync(input, http.User, ct), statusCode: StatusCodes.Status201Created)))
            .Produces<StudyAreaView>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        // A perimeter file (GeoPackage, as QGIS saves it): multipart `file`, `name`, `visibility`.
        signedIn.MapPost("/upload", (HttpContext http, StudyAreaService areas, IAntiforgery antiforgery, CancellationToken ct) =>
                Act(async () =>
                {
                    // Scripts authenticate with a bearer token; a browser's cookie-authenticated post must carry the antiforgery token.
                    if (!http.Request.Headers.Authorization.ToString().StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                        && !await antiforgery.IsRequestValidAsync(http))
                    {
                        throw new StudyAreaRefused(400, "antiforgery token missing or invalid", "jeton antiforgery absent ou invalide");
                    }

                    if (http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
                    {
                        size.MaxRequestBodySize = PerimeterFile.MaxBytes + (1 << 20);
                    }

                    if (!http.Request.HasFormContentType)
                    {
                        throw new StudyAreaRefused(415, "send multipart/form-data with file, name and visibility", "envoyez un formulaire multipart avec file, name et visibility");
                    }

                    var form = await http.Request.ReadFormAsync(ct);
                    if (form.Files.GetFile("file") is not { Length: > 0 } file)
                    {
                        throw new StudyAreaRefused(422, "file: a GeoPackage (.gpkg) holding the perimeter's polygons", "file : un GeoPackage (.gpkg) contenant les polygones du périmètre");
                    }

                    if (file.Length > PerimeterFile.MaxBytes)
                    {
                        throw new StudyAreaRefused(413, $"{file.FileName}: {file.Length:N0} bytes, at most {PerimeterFile.MaxBytes:N0}", $"{file.FileName} : {file.Length:N0} octets, au plus {PerimeterFile.MaxBytes:N0}");
                    }

                    await using var stream = file.OpenReadStream();
                    var perimeter = await PerimeterFile.ReadGeoPackageAsync(stream, file.FileName, ct);
                    var input = new StudyAreaInput(form["name"], form["visibility"], null, null);
                    return Results.Json(await areas.CreateAsync(input, http.User, ct, perimeter), statusCode: StatusCodes.Status201Created);
                }))
            .DisableAntiforgery()
            .Produces<StudyAreaView>(StatusCodes.Status201Created).ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        signedIn.MapGet("", async (HttpContext http, StudyAreaService areas, CancellationToken ct) => Results.Json(await areas.ListAsync(http.User, ct)))
            .Produces<IReadOnlyList<StudyAreaView>>();

        group.MapGet("/{id:long}", async (long id, HttpContext http, StudyAreaService areas, CancellationToken ct) =>
                await areas.GetAsync(id, http.User, ct) is { } area ? Results.Json(area) : NotFound(id))
            .Produces<StudyAreaView>().ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/{id:long}/portrait", async (long id, HttpContext http, StudyAreaService areas, CancellationToken ct) =>
                await areas.PortraitAsync(id, http.User, ct) is { } portrait ? Results.Json(portrait) : NotFound(id))
            .RequireRateLimiting(RateLimits.PublicReads)
            .Produces<StudyAreaPortrait>().ProducesProblem(StatusCodes.Status404NotFound);

        // Files: the portrait in long CSV (?compare= adds a reference's lines), the outline with its figures in GeoJSON.
        group.MapGet("/{id:long}/portrait.csv", async (long id, string? compare, HttpContext http, StudyAreaExports exports,
                ComparisonReferences references, CancellationToken ct) =>
            {
                try
                {
                    var reference = await references.ResolveAsync(compare, "compare", http.User, ct);
                    return await exports.CsvAsync(id, reference, http.User, ct) is { } csv
                        ? Results.File(Encoding.UTF8.GetBytes(csv), "text/csv; charset=utf-8", $"zone_etude_{id}.csv")
                        : NotFound(id);
                }
                catch (ParameterException e)
                {
                    return e.ToProblem();
                }
            })
            .RequireRateLimiting(RateLimits.Exports)
            .Produces(StatusCodes.Status200OK, contentType: "text/csv").ProducesProblem(StatusCodes.Status404NotFound);

        group.MapGet("/{id:long}.geojson", async (long id, HttpContext http, StudyAreaExports exports, CancellationToken ct) =>
                await exports.GeoJsonAsync(id, http.User, ct) is { } geojson
                    ? Results.File(geojson, "application/geo+json", $"zone_etude_{id}.geojson")
                    : NotFound(id))
            .RequireRateLimiting(RateLimits.Exports)
            .Produces(StatusCodes.Status200OK, contentType: "application/geo+json").ProducesProblem(StatusCodes.Status404NotFound);

        signedIn.MapPut("/{id:long}", (long id, StudyAreaInput input, HttpContext http, StudyAreaService areas, CancellationToken ct) =>
                Act(async () => await areas.UpdateAsync(id, input, http.User, ct) is { } area ? Results.Json(area) : NotFound(id)))
            .Produces<StudyAreaView>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status422UnprocessableEntity);

        signedIn.MapDelete("/{id:long}", (long id, HttpContext http, StudyAreaService areas, CancellationToken ct) =>
                Act(async () => await areas.DeleteAsync(id, http.User, ct) ? Results.NoContent() : NotFound(id)))
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static async Task<IResult> Act(Func<Task<IResult>> action)
    {
        try
        {
            return await action();
        }
        catch (StudyAreaRefused e)
        {
            return Results.Problem(detail: e.Problem, statusCode: e.Status);
        }
    }

    private static IResult NotFound(long id) =>
        Results.Problem(detail: $"no study area {id} you may read", statusCode: StatusCodes.Status404NotFound);
}
