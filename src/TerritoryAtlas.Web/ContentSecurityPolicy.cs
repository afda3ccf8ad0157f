using System.Security.Cryptography;

namespace TerritoryAtlas.Web;

/// <summary>
/// The Content-Security-Policy of the application's pages: scripts only from the app itself or carrying this
/// response's nonce (the import map, the map page's worker starter), never inline handlers or injected markup; styles
/// may be inline (MudBlazor and MapLibre set element styles); workers and images also from blob: and data: (MapLibre);
/// connections to the app (and the configured basemap's host); no plugins; framed by the app only; forms post to the
/// app only. Embeds set their own (partners frame them). APIs, tiles and hubs carry none: they are not documents.
/// </summary>
public static class ContentSecurityPolicy
{
    private const string NonceKey = "csp-nonce";

    /// <summary>This response's nonce, for the few inline scripts a page writes (null outside a page request).</summary>
    public static string? Nonce(HttpContext? http) => http?.Items[NonceKey] as string;

    public static IApplicationBuilder UseContentSecurityPolicy(this IApplicationBuilder app, IConfiguration configuration)
    {
        // A basemap (Maps:BasemapStyleUrl) is fetched by MapLibre from its own host.
        var basemap = Uri.TryCreate(configuration["Maps:BasemapStyleUrl"], UriKind.Absolute, out var style) && style.Scheme is "https" or "http"
            ? " " + style.GetLeftPart(UriPartial.Authority)
            : "";
        return app.Use((http, next) =>
        {
            if (MachineEndpoints.Serve(http.Request) || http.Request.Path.StartsWithSegments("/embed"))
            {
                return next(http);
            }

            var nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
            http.Items[NonceKey] = nonce;
            http.Response.OnStarting(() =>
            {
                if (http.Response.ContentType?.StartsWith("text/html", StringComparison.Ordinal) == true)
                {
                    http.Response.Headers.ContentSecurityPolicy =
                        $"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; " +
                        $"img-src 'self' data: blob:{basemap}; font-src 'self' data:; connect-src 'self'{basemap}; " +
                        "worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'";
                }

                return Task.CompletedTask;
            });
            return next(http);
        });
    }
}
