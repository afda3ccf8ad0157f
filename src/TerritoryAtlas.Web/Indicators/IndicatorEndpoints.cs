using System.Security.Claims;
using Microsoft.AspNetCore.Mvc;
using TerritoryAtlas.Web.Accounts;

namespace TerritoryAtlas.Web.Indicators;

public static class IndicatorEndpoints
{
    public static IServiceCollection AddIndicators(this IServiceCollection services) =>
        services.AddSingleton<IndicatorQueries>().AddSingleton<FigureSources>().AddSingleton<SeriesQueries>();

    public static void MapIndicatorEndpoints(this IEndpointRouteBuilder app)
    {
        // Only the indicators the caller may read: a restricted one is not listed to anyone else.
        app.MapGet("/api/indicators", async (ClaimsPrincipal user, IndicatorQueries queries, CancellationToken ct) =>
            Results.Ok(await queries.CatalogueAsync(Viewer.From(user), ct)));

        // ?format=csv gives the same figures as a CSV file (one line per territory and year).
        app.MapGet("/api/series/{indicator}/{level}/{code}", async (
            string indicator, string level, string code, [FromQuery] string? format, ClaimsPrincipal user, SeriesQueries queries, CancellationToken ct) =>
        {
            if (format is not (null or "json" or "csv"))
            {
                return Problem(new ParameterException("format", $"unsupported format '{format}'; use json or csv"));
            }

            try
            {
                var series = await queries.SeriesAsync(indicator, level, code, Viewer.From(user), ct);
                return format == "csv"
                    ? Results.File(System.Text.Encoding.UTF8.GetBytes(SeriesQueries.ToCsv(series)), "text/csv; charset=utf-8", $"serie_{indicator}_{level}_{code}.csv")
                    : Results.Ok(series);
            }
            catch (ParameterException e)
            {
                return Problem(e);
            }
        }).Produces<SeriesResponse>().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static IResult Problem(ParameterException e) => e.ToProblem();
}
