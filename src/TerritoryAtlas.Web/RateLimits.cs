using System.Threading.RateLimiting;

namespace TerritoryAtlas.Web;

/// <summary>
/// The rate limits, per client address (settings "RateLimits:…"; 0 or less turns one off). Refusals answer 429,
/// which the status code pages turn into problem+json.
/// </summary>
public static class RateLimits
{
    /// <summary>/embed, /api/maps and /tiles: a reader's map makes a few dozen requests, a scraper thousands.</summary>
    public const string PublicReads = "public-reads";

    /// <summary>
    /// POST /api/workshops: anyone may open a workshop (its host token is its only credential), so creation is what a
    /// script would abuse to fill the database; a facilitator opens a few rooms a day.
    /// </summary>
    public const string WorkshopCreation = "workshop-creation";

    public static IServiceCollection AddAtlasRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var reads = configuration.GetValue("RateLimits:PublicReadsPerMinute", 3000);
        var rooms = configuration.GetValue("RateLimits:WorkshopsPerHour", 30);
        return services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.AddPolicy(PublicReads, http => PerClientAddress(http, reads, TimeSpan.FromMinutes(1)));
            options.AddPolicy(WorkshopCreation, http => PerClientAddress(http, rooms, TimeSpan.FromHours(1)));
        });
    }

    private static RateLimitPartition<string> PerClientAddress(HttpContext http, int permits, TimeSpan window) => permits <= 0
        ? RateLimitPartition.GetNoLimiter("off")
        : RateLimitPartition.GetFixedWindowLimiter(http.Connection.RemoteIpAddress?.ToString() ?? "unknown",
            _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = window });
}
