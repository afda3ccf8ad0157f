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
