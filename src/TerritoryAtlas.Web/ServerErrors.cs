using System.Diagnostics;
using Microsoft.AspNetCore.Diagnostics;

namespace TerritoryAtlas.Web;

/// <summary>
/// What a reader gets when something fails unexpectedly (outside development): no stack trace, no SQL, no exception
/// text, but the correlation id the log line has too, so their report finds it. APIs get problem+json (with that id as
/// `traceId`, ASP.NET Core's default); a browser asking for a page gets a page in words.
/// </summary>
public sealed class ServerErrors(ILogger<ServerErrors> log) : IExceptionHandler
{
    public static string CorrelationId(HttpContext http) => Activity.Current?.TraceId.ToString() ?? http.TraceIdentifier;

    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (!http.Request.Headers.Accept.ToString().Contains("text/html", StringComparison.Ordinal) || MachineEndpoints.Serve(http.Request))
        {
            return false;
        }

        // Handled here, the middleware no longer logs it (.NET 10): the line the reference leads to is written here.
        log.LogError(exception, "An unhandled exception has occurred while rendering {Method} {Path}", http.Request.Method, http.Request.Path);
        var english = TerritoryAtlas.Web.Components.Language.Of(http.Request).IsEnglish;
        var id = System.Net.WebUtility.HtmlEncode(CorrelationId(http));
        http.Response.StatusCode = StatusCodes.Status500InternalServerError;
        await WritePageAsync(http, english, "", $"""
            <h1>{(english ? "Something went wrong" : "Une erreur est survenue")}</h1>
            <p>{(english ? "The page could not be shown. If it happens again, tell the observatory this reference:" : "La page n'a pas pu être affichée. Si cela se reproduit, indiquez à l'observatoire cette référence :")}
            <code data-testid="correlation-id">{id}</code></p><p><a href="/">{(english ? "Back to the map" : "Retour à la carte")}</a></p>
            """, ct);
        return true;
    }

    /// <summary>
    /// The bare page a failure shows (this one, an outage's): no layout, no script, nothing that could fail in turn.
    /// <paramref name="head"/> and <paramref name="body"/> are markup the caller has encoded.
    /// </summary>
    public static Task WritePageAsync(HttpContext http, bool english, string head, string body, CancellationToken ct)
    {
        http.Response.ContentType = "text/html; charset=utf-8";
        return http.Response.WriteAsync($"""
            <!DOCTYPE html><html lang="{(english ? "en" : "fr")}"><head><meta charset="utf-8">{head}<title>TerritoryAtlas</title></head>
            <body style="font-family:sans-serif;max-width:40em;margin:3em auto">{body}</body></html>
            """, ct);
    }
}
