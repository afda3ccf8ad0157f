using Microsoft.AspNetCore.Mvc;
using TerritoryAtlas.Web.Indicators;

namespace TerritoryAtlas.Web.Maps;

public static class MapEndpoints
{
    public static IServiceCollection AddMaps(this IServiceCollection services)
    {
        // Sizes: value payloads count 1, tiles count their kilobytes; the bound keeps memory predictable.
        services.AddMemoryCache(options => options.SizeLimit = 256 * 1024);
        services.AddSingleton<MapQueries>();
        services.AddSingleton<TileQueries>();
        return services;
    }

    public static void MapMapEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/maps/{level}/{indicator}/{year:int}", async (
            string level, string indicator, int year, MapQueries queries, CancellationToken ct,
            [FromQuery] string? classification, [FromQuery] int? classes) =>
        {
            try
            {
                return Results.Ok(await queries.ValuesAsync(level, indicator, year, classification ?? "quantile", classes ?? 5, ct));
            }
            catch (MapRequestException e)
            {
                return Problem(e);
            }
        });

        app.MapGet("/tiles/{level}/{z:int}/{x:int}/{y:int}.mvt", async (
            string level, int z, int x, int y, [FromQuery] long? v, HttpContext http, MapQueries maps, TileQueries tiles, CancellationToken ct) =>
        {
            if (!Levels.IsKnown(level))
            {
                return Problem(new MapRequestException("level", $"unknown level '{level}'; levels are {string.Join(", ", Levels.Ordered)}", 404));
            }

            if (z is < 0 or > 22)
            {
                return Problem(new MapRequestException("z", "zoom must be between 0 and 22"));
            }

            var size = 1 << z;
            if (x < 0 || x >= size || y < 0 || y >= size)
            {
                return Problem(new MapRequestException(x < 0 || x >= size ? "x" : "y", $"at zoom {z}, x and y must be between 0 and {size - 1}"));
            }

            var version = await maps.DataVersionAsync(ct);
            var etag = $"\"{version}-{level}-{z}-{x}-{y}\"";
            // A URL carrying the current data version never changes: browsers may keep it for a year.
            http.Response.Headers.CacheControl = v == version ? "public, max-age=31536000, immutable" : "public, max-age=60";
            http.Response.Headers.ETag = etag;
            if (http.Request.Headers.IfNoneMatch == etag)
            {
                return Results.StatusCode(StatusCodes.Status304NotModified);
            }

            var bytes = await tiles.TileAsync(version, level, z, x, y, ct);
            return Results.Bytes(bytes, "application/vnd.mapbox-vector-tile");
        });
    }

    private static IResult Problem(MapRequestException e) =>
        Results.Problem(title: $"Invalid parameter '{e.Parameter}'", detail: e.Message, statusCode: e.Status,
            extensions: new Dictionary<string, object?> { ["parameter"] = e.Parameter });
}
