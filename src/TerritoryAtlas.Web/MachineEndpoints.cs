namespace TerritoryAtlas.Web;

/// <summary>
/// The addresses programs call rather than people open (APIs, OGC API, vector tiles, hubs): they answer problem+json
/// and 401, never a page, a sign-in redirect or the not-found page. One list for the accounts' challenge and the
/// status-code pages.
/// </summary>
public static class MachineEndpoints
{
    private static readonly string[] Prefixes = ["/api", "/ogc", "/tiles", "/hubs"];

    public static bool Serve(HttpRequest request) => Prefixes.Any(p => request.Path.StartsWithSegments(p));
}
