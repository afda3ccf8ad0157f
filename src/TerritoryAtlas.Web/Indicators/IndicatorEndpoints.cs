namespace TerritoryAtlas.Web.Indicators;

public static class IndicatorEndpoints
{
    public static IServiceCollection AddIndicators(this IServiceCollection services) => services.AddSingleton<IndicatorQueries>();

    public static void MapIndicatorEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/indicators", async (IndicatorQueries queries, CancellationToken ct) => Results.Ok(await queries.CatalogueAsync(ct)));
    }
}
