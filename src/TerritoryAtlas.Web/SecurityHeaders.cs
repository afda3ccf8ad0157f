namespace TerritoryAtlas.Web;

/// <summary>
/// Headers every response carries: no MIME sniffing, no full URL (query strings name territories and indicators)
/// sent to other sites, no powerful browser features (the atlas uses none), and a correlation id — the trace id the
/// log lines and problem+json bodies (`traceId`) carry too — so a reader's report of an error finds its log lines.
/// Framing is decided elsewhere (antiforgery's X-Frame-Options on pages, the embed's own policy).
/// </summary>
public static class SecurityHeaders
{
    public const string CorrelationHeader = "X-Correlation-Id";

    // Set as the headers leave, so a response cleared on the way (the exception handler's) still carries them.
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(SetHeaders, context);
        return next(context);
    });

    // Static, with the context as state: no closure allocated per request.
    private static Task SetHeaders(object state)
    {
        var context = (HttpContext)state;
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
        headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=(), usb=()";
        headers[CorrelationHeader] = ServerErrors.CorrelationId(context);
        return Task.CompletedTask;
    }
}
