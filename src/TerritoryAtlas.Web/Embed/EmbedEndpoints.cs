using System.Text.Encodings.Web;
using TerritoryAtlas.Web.Accounts;
using TerritoryAtlas.Web.Indicators;
using TerritoryAtlas.Web.Maps;

namespace TerritoryAtlas.Web.Embed;

/// <summary>Partner origins allowed to frame the embed page (settings "Embed:AllowedOrigins").</summary>
public sealed class EmbedOptions
{
    /// <summary>
    /// Empty by default: only the atlas itself may frame its widgets until a platform lists its partners. A
    /// wildcard would let any site pass the platform's maps off as its own and invite click-jacking.
    /// </summary>
    public List<string> AllowedOrigins { get; init; } = [];
}

/// <summary>Whether a page of <see cref="Origin"/> may frame the embed (the loader script's question).</summary>
public sealed record EmbedOriginCheck(string? Origin, bool Allowed);

/// <summary>
/// `GET /embed`: a read-only map widget for partner sites. It is plain server-rendered HTML with no Blazor circuit:
/// the page loads the same map module as the app, which fetches tiles and values over HTTP (cacheable), so a
/// thousand readers of a partner's site cost GET requests, not a thousand circuits.
/// </summary>
public static class EmbedEndpoints
{
    public static IServiceCollection AddEmbed(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<EmbedOptions>(configuration.GetSection("Embed"));
        return services;
    }

    public static void MapEmbedEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/embed", async (HttpContext http, MapQueries maps, IndicatorQueries indicators,
            Microsoft.Extensions.Options.IOptions<EmbedOptions> options, CancellationToken ct) =>
        {
            var q = http.Request.Query;
            var lang = q["lang"] == "en" ? "en" : "fr";
            // An embed is public whoever opens it (partner sites, shared caches: Cache-Control public below), so it
            // reads as the anonymous viewer: a restricted indicator is never embedded, even by a member, and the
            // widget says so in the same words as for an unknown one.
            var catalogue = await indicators.CatalogueAsync(Viewer.Anonymous, ct);
            var asked = q["indicator"].ToString() is { Length: > 0 } code ? code : IndicatorQueries.DefaultIndicator;
            var indicator = catalogue.FirstOrDefault(i => i.Code == asked);
            if (indicator is null)
            {
                SetFramingPolicy(http, options.Value);
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                return Results.Content(EmbedPage.Error("indicator", lang == "en"
                    ? $"the indicator '{asked}' does not exist or is not public: only public indicators can be embedded"
                    : $"l'indicateur « {asked} » n'existe pas ou n'est pas public : seuls les indicateurs publics peuvent être intégrés", lang),
                    "text/html; charset=utf-8");
            }

            var level = q["level"].ToString() is { Length: > 0 } l ? l : "departement";
            int year = int.TryParse(q["year"], out var y) ? y : indicator.YearsByLevel.GetValueOrDefault(level)?.LastOrDefault() ?? 0;
            // Validate exactly as the values endpoint will, so a bad snippet shows a readable message, not a grey map.
            MapRequest request;
            MapValues values;
            try
            {
                // The same reading of the options as the values API's (comparison mode included), so the embed shows
                // the view the atlas showed.
                request = MapRequest.FromQuery(level, indicator.Code, year, q);
                values = await maps.ValuesAsync(request, Viewer.Anonymous, ct);
            }
            catch (ParameterException e)
            {
                SetFramingPolicy(http, options.Value);
                http.Response.StatusCode = e.Status;
                return Results.Content(EmbedPage.Error(e.Parameter, e.Message, lang), "text/html; charset=utf-8");
            }

            SetFramingPolicy(http, options.Value);
            http.Response.Headers.CacheControl = "public, max-age=300";
            var title = q["title"].ToString() is { Length: > 0 } t ? t : $"{values.Label} — {values.Year}";
            var fullView = $"/?{http.Request.QueryString.Value?.TrimStart('?')}";
            return Results.Content(EmbedPage.Render(values, request, title, q["legend"] != "false", lang, fullView), "text/html; charset=utf-8");
        }).RequireRateLimiting(RateLimits.PublicReads);

        // A refused frame shows only the browser's grey icon, and the partner's page cannot look inside it. The loader
        // script asks here instead (any origin may read the answer: it says only whether that origin is listed) and
        // replaces the frame by a readable message.
        app.MapGet("/embed/allowed", (HttpContext http, Microsoft.Extensions.Options.IOptions<EmbedOptions> options) =>
        {
            var origin = http.Request.Headers.Origin.ToString();
            http.Response.Headers.AccessControlAllowOrigin = "*";
            http.Response.Headers.CacheControl = "no-store";
            var allowed = origin.Length > 0 && (AllowedOrigins(options.Value).Contains(origin.TrimEnd('/'), StringComparer.OrdinalIgnoreCase)
                                                || string.Equals(origin, $"{http.Request.Scheme}://{http.Request.Host}", StringComparison.OrdinalIgnoreCase));
            return Results.Ok(new EmbedOriginCheck(origin.Length == 0 ? null : origin, allowed));
        }).RequireRateLimiting(RateLimits.PublicReads).ExcludeFromDescription();
    }

    private static IEnumerable<string> AllowedOrigins(EmbedOptions options) =>
        options.AllowedOrigins.Where(o => Uri.TryCreate(o, UriKind.Absolute, out var u) && u.Scheme is "http" or "https")
            .Select(o => o.TrimEnd('/'));

    // Computed once: it is the same for every embed.
    private static readonly string WorkerScriptHash = MapWorkerScript.CspHash(MapWorkerScript.EmbedWorkerUrl);

    /// <summary>The embed's own framing policy: itself plus the partners' origins, nothing else.</summary>
    private static void SetFramingPolicy(HttpContext http, EmbedOptions options)
    {
        var origins = AllowedOrigins(options);
        http.Response.Headers.ContentSecurityPolicy =
            $"frame-ancestors 'self' {string.Join(' ', origins)}".TrimEnd() + "; default-src 'self'; img-src 'self' data: blob:; " +
            $"script-src 'self' {WorkerScriptHash}; " +
            "worker-src 'self' blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'";
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
    }

    // Markup characters encoded, French letters left readable.
    private static readonly HtmlEncoder Html = HtmlEncoder.Create(System.Text.Unicode.UnicodeRanges.All);

    internal static string Encode(string text) => Html.Encode(text);
}
