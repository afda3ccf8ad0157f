using System.Security.Claims;
using TerritoryAtlas.Web.Accounts;
using TerritoryAtlas.Web.Import;

namespace TerritoryAtlas.Web.Datasets;

/// <summary>Who contributes or publishes: their name for provenance, and what they may do.</summary>
public sealed record Contributor(string Name, bool IsAdmin, bool IsProducer, IReadOnlyList<int> OrganisationIds)
{
    public static Contributor From(ClaimsPrincipal user)
    {
        var viewer = Viewer.From(user);
        return new Contributor(
            user.FindFirstValue(ClaimTypes.Name) ?? user.FindFirstValue(ClaimTypes.Email) ?? user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "unknown",
            viewer.IsAdmin, user.IsInRole(AtlasRoles.Producer), viewer.OrganisationIds);
    }

    /// <summary>Whether a version of this organisation's (null: the observatory's) is theirs to see: admins see all, producers their organisations'.</summary>
    public bool MaySee(int? organisation) =>
        IsAdmin || (IsProducer && organisation is { } o && OrganisationIds.Contains(o));

    /// <summary>The organisation a contribution is for: the one asked (an admin's any, a producer's own), else a producer's only one.</summary>
    public int? OrganisationFor(ContributionMetadata metadata)
    {
        if (IsAdmin)
        {
            return metadata.OrganisationId;
        }

        if (!IsProducer)
        {
            throw new ContributionRefused(StatusCodes.Status403Forbidden, "only producers and admins contribute datasets", null);
        }

        if (metadata.OrganisationId is { } asked)
        {
            return OrganisationIds.Contains(asked)
                ? asked
                : throw new ContributionRefused(StatusCodes.Status403Forbidden, $"you do not belong to organisation {asked}", null);
        }

        return OrganisationIds.Count == 1
            ? OrganisationIds[0]
            : throw new ContributionRefused(StatusCodes.Status400BadRequest,
                OrganisationIds.Count == 0 ? "your account belongs to no organisation" : "give organisation_id: your account belongs to several", null);
    }
}

/// <summary>A contribution refused before anything changed: the problem and the validation report so far.</summary>
public sealed class ContributionRefused(int status, string problem, ValidationReport? report) : Exception(problem)
{
    public int Status { get; } = status;
    public string Problem { get; } = problem;
    public ValidationReport? Report { get; } = report;
}
