namespace TerritoryAtlas.Web.Components;

/// <summary>
/// A page about something that does not exist (a territory, a région, a workshop) answers HTTP 404 with its own
/// readable body. Only the first, server-side render has a response to set; interactive renders have none, and a
/// reader who got there by a link inside the app already sees the message.
/// </summary>
public static class PageStatus
{
    public static void NotFound(HttpContext? http)
    {
        // Set as the headers leave, not now: Blazor's static rendering treats a 404 already set while it renders as
        // "render nothing, let a status-code page answer", which would send an empty body.
        if (http is { Response.HasStarted: false })
        {
            http.Response.OnStarting(() =>
            {
                http.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            });
        }
    }
}
