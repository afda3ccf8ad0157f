using System.Security.Claims;
using Microsoft.AspNetCore.Mvc;
using TerritoryAtlas.Web.Accounts;
using TerritoryAtlas.Web.Indicators;
using TerritoryAtlas.Web.Territories;

namespace TerritoryAtlas.Web.Maps;

public static class MapEndpoints
{
    public static IServiceCollection AddMaps(this IServiceCollection services)
    {
        // Sizes: value payloads count 1, tiles count their kilobytes; the bound keeps memory predictable.
        services.AddMemoryCache(options => options.SizeLimit = 256 * 1024);
        services.AddSingleton<ComputedOnce>();
        services.AddSingleton<MapQueries>();
        services.AddSingleton<TileQueries>();
        return services;
    }

    public static void MapMapEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/maps/{level}/{indicator}/{year:int}", async (
            string level, string indicator, int year, MapQueries queries, RateLimits.ComputationGate gate, HttpContext http, ClaimsPrincipal user, CancellationToken ct,
            [FromQuery] string? classification, [FromQuery] int? classes, [FromQuery] string? breaks, [FromQuery] string? palette,
            [FromQuery] string? mode, [FromQuery] string? reference, [FromQuery] string? within) =>
        {
            try
            {
                // The options are declared above for the API's description (and classes is bound as a number, as it
                // always was); the request reads them from the query, as the page and the embed do.
                var request = MapRequest.FromQuery(level, indicator, year, http.Request.Query);
                // Serialised and compressed once per data version and request, like tiles: a commune payload is
                // 1 MB of JSON, and a page's first drawing waits for it on a machine busy starting the map. Served
                // from memory it is not counted; read from the database it takes a permit (RateLimits.ComputationGate).
                var payload = await queries.ValuesJsonAsync(request, Viewer.From(user), ct, Admitter(gate, http), user);
                await payload.WriteAsync(http, "application/json; charset=utf-8", ct);
                return Results.Empty;
            }
            catch (ParameterException e)
            {
                return Problem(e);
            }
            catch (ComputationRefusedException)
            {
                return RateLimits.ComputationGate.Refusal(http);
            }
        });

        app.MapGet("/tiles/{level}/{z:int}/{x:int}/{y:int}.mvt", async (
            string level, int z, int x, int y, [FromQuery] long? v, HttpContext http, MapQueries maps, TileQueries tiles, RateLimits.ComputationGate gate, CancellationToken ct) =>
        {
            if (!Levels.IsKnown(level))
            {
                return Problem(new ParameterException("level", $"unknown level '{level}'; levels are {string.Join(", ", Levels.Ordered)}", 404));
            }

            if (z is < 0 or > 22)
            {
                return Problem(new ParameterException("z", "zoom must be between 0 and 22"));
            }

            var size = 1 << z;
            if (x < 0 || x >= size || y < 0 || y >= size)
            {
                return Problem(new ParameterException(x < 0 || x >= size ? "x" : "y", $"at zoom {z}, x and y must be between 0 and {size - 1}"));
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

            // Compressed once when the tile was built, not on every request. Served from memory it is not counted;
            // built or read from the database it takes a permit (RateLimits.ComputationGate).
            CompressedBytes tile;
            try
            {
                tile = tiles.Cached(version, level, z, x, y) ?? await tiles.TileAsync(version, level, z, x, y, ct, Admitter(gate, http));
            }
            catch (ComputationRefusedException)
            {
                return RateLimits.ComputationGate.Refusal(http);
            }

            await tile.WriteAsync(http, "application/vnd.mapbox-vector-tile", ct);
            return Results.Empty;
        });

        app.MapGet("/api/territories/{level}/names", async (string level, [FromQuery] long? v, HttpContext http, MapQueries maps, TileQueries tiles, CancellationToken ct) =>
        {
            if (!Levels.IsKnown(level))
            {
                return Problem(new ParameterException("level", $"unknown level '{level}'; levels are {string.Join(", ", Levels.Ordered)}", 404));
            }

            var version = await maps.DataVersionAsync(ct);
            http.Response.Headers.CacheControl = v == version ? "public, max-age=31536000, immutable" : "public, max-age=60";
            var (codes, names) = await tiles.NamesAsync(version, level, ct);
            return Results.Ok(new { level, dataVersion = version, codes, names });
        });
    }

    private static IResult Problem(ParameterException e) => e.ToProblem();

    // The caches' rate-limit check for a computation, made outside the handlers: a lambda written in a handler would
    // allocate its closure on every request as the handler is entered, warm tiles included.
    private static Func<bool> Admitter(RateLimits.ComputationGate gate, HttpContext http) => () => gate.Admit(http);
}
