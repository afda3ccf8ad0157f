using System.Security.Claims;

namespace TerritoryAtlas.Web.Accounts;

/// <summary>
/// Who is reading, as far as visibility cares: anonymous, a member of some organisations, or an admin. Every reader
/// of restricted data takes one (from the request's or the circuit's <see cref="ClaimsPrincipal"/>) and passes it to
/// SQL's <c>indicator_visible(visibility, code, is_member, is_admin, organisations)</c>.
/// </summary>
public sealed record Viewer(bool IsMember, bool IsAdmin, IReadOnlyList<int> OrganisationIds)
{
    public static readonly Viewer Anonymous = new(false, false, []);

    /// <summary>Sees every indicator, as an admin does: for asking whether one exists at all, never for serving it.</summary>
    public static readonly Viewer Staff = new(false, true, []);

    /// <summary>True for the anonymous viewer: caches may share what it sees with everyone.</summary>
    public bool IsAnonymous => !IsMember && !IsAdmin;

    /// <summary>
    /// A key for caches of what this viewer may see: "public" for anonymous readers, otherwise one per
    /// (admin, organisations) combination, so two members of the same organisations share entries and nobody else does.
    /// </summary>
    public string CacheKey => IsAnonymous ? "public" : IsAdmin ? "admin" : "m:" + string.Join(',', OrganisationIds);

    public int[] OrganisationArray => [.. OrganisationIds];

    public static Viewer From(ClaimsPrincipal? user)
    {
        if (user?.Identity?.IsAuthenticated != true)
        {
            return Anonymous;
        }

        var organisations = user.FindAll(AtlasClaims.Organisation)
            .Select(c => int.TryParse(c.Value, out var id) ? id : (int?)null)
            .OfType<int>()
            .Distinct()
            .Order()
            .ToArray();
        return new Viewer(IsMember: true, IsAdmin: user.IsInRole(AtlasRoles.Admin), organisations);
    }
}

/// <summary>The roles of the platform (ASP.NET Core Identity roles, and <see cref="ClaimTypes.Role"/> claims).</summary>
public static class AtlasRoles
{
    /// <summary>Observatory staff: users, organisations, catalogue, visibility.</summary>
    public const string Admin = "admin";

    /// <summary>May contribute indicators for its organisation.</summary>
    public const string Producer = "producer";

    /// <summary>Belongs to an organisation; reads what is shared with members or with that organisation.</summary>
    public const string Member = "member";

    public static readonly IReadOnlyList<string> All = [Admin, Producer, Member];
}

/// <summary>Claim types of the atlas's own, put on every signed-in principal (cookie, bearer token, single sign-on).</summary>
public static class AtlasClaims
{
    /// <summary>An organisation id the account belongs to (one claim per organisation).</summary>
    public const string Organisation = "atlas:organisation";
}
