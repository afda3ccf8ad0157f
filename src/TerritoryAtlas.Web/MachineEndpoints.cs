namespace TerritoryAtlas.Web;

/// <summary>
/// The addresses programs call rather than people open (APIs, OGC API, vector tiles, hubs): they answer problem+json
/// and 401, never a page, a sign-in redirect or the not-found page. One list for the accounts' challenge and the
/// status-code pages.
/// </summary>
public static class MachineEndpoints
{
    private static readonly string[] Prefixes = ["/api", "/ogc", "/tiles", "/hubs"];

    // Asked several times on every request (tiles by the thousand a second): a loop, not a LINQ closure.
    public static bool Serve(HttpRequest request)
    {
        foreach (var prefix in Prefixes)
        {
            if (request.Path.StartsWithSegments(prefix))
            {
                return true;
            }
        }

        return false;
    }
}
