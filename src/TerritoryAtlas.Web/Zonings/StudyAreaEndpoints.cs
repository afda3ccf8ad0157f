using System.Text;

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
