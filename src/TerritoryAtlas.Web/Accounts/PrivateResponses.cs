namespace TerritoryAtlas.Web.Accounts;

/// <summary>
/// Whatever is answered to a signed-in caller (cookie or bearer token) may hold restricted figures: unless the
/// endpoint said itself that it is public (tiles, territory names, embeds, static files: nothing restricted), the
/// response is marked <c>Cache-Control: private</c>, so no shared cache or proxy keeps one member's figures for
/// another reader. Anonymous responses are left exactly as they were: public readers keep their caching.
/// </summary>
public static class PrivateResponses
{
    /// <summary>Only for requests that may carry an identity (<see cref="Accounts.UseAccounts"/> branches them here).</summary>
    public static IApplicationBuilder UsePrivateResponses(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(() =>
        {
            // Read when the response starts: authentication has run by then, wherever it sits in the pipeline.
            if (context.User.Identity?.IsAuthenticated == true)
            {
                var cacheControl = context.Response.Headers.CacheControl.ToString();
                if (!cacheControl.Contains("public", StringComparison.OrdinalIgnoreCase)
                    && !cacheControl.Contains("private", StringComparison.OrdinalIgnoreCase))
                {
                    context.Response.Headers.CacheControl = cacheControl.Length == 0 ? "private" : "private, " + cacheControl;
                }
            }

            return Task.CompletedTask;
        });
        return next(context);
    });
}
