using System.Globalization;
using System.Security.Claims;
using System.Text;
using TerritoryAtlas.Web.Accounts;
using TerritoryAtlas.Web.Indicators;

namespace TerritoryAtlas.Web.Portraits;

public static class PortraitEndpoints
{
    public static IServiceCollection AddPortraits(this IServiceCollection services) => services.AddSingleton<PortraitQueries>();

    public static void MapPortraitEndpoints(this IEndpointRouteBuilder app)
    {
        // The portrait's table as CSV: each figure shown with its year, rank, evolution and provenance; names of people
        // in the provenance only for whoever may see them (admins, the version's organisation), as on the page.
        app.MapGet("/api/portraits/{level}/{code}.csv", async (string level, string code, ClaimsPrincipal user, PortraitQueries queries, CancellationToken ct) =>
            {
                var portrait = await queries.PortraitAsync(level, code, Viewer.From(user), ct);
                return portrait is null
                    ? new ParameterException("code", $"no territory '{code}' at level '{level}'; the levels are {string.Join(", ", Territories.Levels.Ordered)}",
                        StatusCodes.Status404NotFound).ToProblem()
                    : Results.File(Encoding.UTF8.GetBytes(PortraitQueries.ToCsv(portrait)), "text/csv; charset=utf-8",
                        string.Create(CultureInfo.InvariantCulture, $"portrait_{portrait.Territory.Level}_{portrait.Territory.Code}.csv"));
            })
            .RequireRateLimiting(RateLimits.Exports)
            .Produces(StatusCodes.Status200OK, contentType: "text/csv").ProducesProblem(StatusCodes.Status404NotFound);

        // ?indicators=a,b,c chooses the columns; without it, the default set of the synthesis page.
        // ?compare=level:code or area:ID adds the reference's row (a study area's only for whoever may read it).
        app.MapGet("/api/synthesis/{region}.csv", async (string region, string? indicators, string? compare, ClaimsPrincipal user, PortraitQueries queries,
            Zonings.ComparisonReferences references, CancellationToken ct) =>
        {
            try
            {
                var codes = indicators?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                var synthesis = await queries.SynthesisAsync(region, codes, Viewer.From(user), ct);
                var reference = await references.ResolveAsync(compare, "compare", user, ct);
                return synthesis is null
                    ? new ParameterException("region", $"no région has the code '{region}'", StatusCodes.Status404NotFound).ToProblem()
                    : Results.File(Encoding.UTF8.GetBytes(PortraitQueries.ToCsv(PortraitQueries.WithReference(synthesis, reference))), "text/csv; charset=utf-8",
                        string.Create(CultureInfo.InvariantCulture, $"synthese_region_{region}.csv"));
            }
            catch (ParameterException e)
            {
                return e.ToProblem();
            }
        });
    }
}
