namespace TerritoryAtlas.Web.Workshops;

/// <summary>
/// The workshop pages' addresses, which people print, project and share: in French like the UI's other pages
/// (« atelier »), built here only (the pages' @page directives must spell them out).
/// </summary>
public static class WorkshopLinks
{
    /// <summary>The start page: join with a code, or open a workshop.</summary>
    public const string Start = "/atelier";

    /// <summary>The join form's plain GET target, for an Enter pressed before the page is interactive.</summary>
    public const string JoinForm = "/atelier/rejoindre";

    public static string Participant(string joinCode) => $"{Start}/{Uri.EscapeDataString(joinCode)}";

    public static string Projection(string joinCode) => $"{Participant(joinCode)}/projection";

    /// <summary>The host's link: its token is base64url, nothing to escape.</summary>
    public static string Host(string joinCode, string hostToken) => $"{Participant(joinCode)}?host={hostToken}";
}
