using System.Globalization;
using System.Text;
using TerritoryAtlas.Web.Indicators;

namespace TerritoryAtlas.Web.Portraits;

public static class PortraitEndpoints
{
    public static IServiceCollection AddPortraits(this IServiceCollection services) => services.AddSingleton<PortraitQueries>();

    public static void MapPortraitEndpoints(this IEndpointRouteBuilder app)
    {
        // ?indicators=a,b,c chooses the columns; without it, the default set of the synthesis page.
        app.MapGet("/api/synthesis/{region}.csv", async (string region, string? indicators, PortraitQueries queries, CancellationToken ct) =>
        {
            try
            {
                var codes = indicators?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                var synthesis = await queries.SynthesisAsync(region, codes, ct);
                return synthesis is null
                    ? Results.Problem(title: "Invalid parameter 'region'", detail: $"no région has the code '{region}'", statusCode: 404,
                        extensions: new Dictionary<string, object?> { ["parameter"] = "region" })
                    : Results.File(Encoding.UTF8.GetBytes(PortraitQueries.ToCsv(synthesis)), "text/csv; charset=utf-8",
                        string.Create(CultureInfo.InvariantCulture, $"synthese_region_{region}.csv"));
            }
            catch (IndicatorRequestException e)
            {
                return Results.Problem(title: $"Invalid parameter '{e.Parameter}'", detail: e.Message, statusCode: e.Status,
                    extensions: new Dictionary<string, object?> { ["parameter"] = e.Parameter });
            }
        });
    }
}
