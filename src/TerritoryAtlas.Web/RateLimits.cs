using System.Threading.RateLimiting;

namespace TerritoryAtlas.Web;

/// <summary>
/// The rate limits, per client address (settings "RateLimits:…"; 0 or less turns one off). Refusals answer 429,
/// which the status code pages turn into problem+json.
/// </summary>
public static class RateLimits
{
    /// <summary>/embed and a study area's portrait: each one is computed for its request.</summary>
    public const string PublicReads = "public-reads";

    /// <summary>
    /// /api/export/*: a whole level's figures and boundaries per request, the most expensive read; an analyst
    /// downloads a few files a minute, a script in a loop thousands.
    /// </summary>
    public const string Exports = "exports";

    /// <summary>
    /// POST /api/workshops: anyone may open a workshop (its host token is its only credential), so creation is what a
    /// script would abuse to fill the database; a facilitator opens a few workshops a day.
    /// </summary>
    public const string WorkshopCreation = "workshop-creation";

    public static IServiceCollection AddAtlasRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var reads = configuration.GetValue("RateLimits:PublicReadsPerMinute", 3000);
        var workshops = configuration.GetValue("RateLimits:WorkshopsPerHour", 30);
        var exports = configuration.GetValue("RateLimits:ExportsPerMinute", 60);
        services.AddSingleton(new ComputationGate(configuration.GetValue("RateLimits:ComputationsPerMinute", 3000)));
        return services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = (context, _) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "60";
                return ValueTask.CompletedTask;
            };
            options.AddPolicy(PublicReads, http => PerClientAddress(http, reads, TimeSpan.FromMinutes(1)));
            options.AddPolicy(Exports, http => PerClientAddress(http, exports, TimeSpan.FromMinutes(1)));
            options.AddPolicy(WorkshopCreation, http => PerClientAddress(http, workshops, TimeSpan.FromHours(1)));
        });
    }

    /// <summary>
    /// Tiles and map values are served from memory once someone asked for them: a workshop of a hundred following its
    /// host, or an office of three hundred behind one address, costs the server almost nothing and must not be
    /// refused. Only a request that makes the server compute (a tile or a values payload not in memory yet) takes a
    /// permit here (settings RateLimits:ComputationsPerMinute, per client address), which is what stops a client
    /// walking every tile of France.
    /// </summary>
    public sealed class ComputationGate(int perMinute) : IDisposable
    {
        private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(address => perMinute <= 0
            ? RateLimitPartition.GetNoLimiter(address)
            : RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions { PermitLimit = perMinute, Window = TimeSpan.FromMinutes(1) }));

        /// <summary>Takes a permit for a computation this request starts; false when its address has none left.</summary>
        public bool Admit(HttpContext http)
        {
            using var lease = _limiter.AttemptAcquire(ClientAddress(http));
            return lease.IsAcquired;
        }

        /// <summary>The 429 of a request whose computation was not admitted.</summary>
        public static IResult Refusal(HttpContext http)
        {
            http.Response.Headers.RetryAfter = "60";
            return Results.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests",
                detail: "Too many new maps or tiles asked from this address in a minute; what was already computed is still served. Try again in a minute.");
        }

        public void Dispose() => _limiter.Dispose();
    }

    // After ForwardedHeaders: the client's address as the trusted proxy reported it.
    private static string ClientAddress(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static RateLimitPartition<string> PerClientAddress(HttpContext http, int permits, TimeSpan window) => permits <= 0
        ? RateLimitPartition.GetNoLimiter("off")
        : RateLimitPartition.GetFixedWindowLimiter(ClientAddress(http),
            _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = window });
}

/// <summary>A computation its requester's address had no permit left for (RateLimits.ComputationGate): answered 429.</summary>
public sealed class ComputationRefusedException() : Exception("Too many computations from this address.");
