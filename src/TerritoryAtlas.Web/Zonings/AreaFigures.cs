using Dapper;
using Npgsql;
using TerritoryAtlas.Web.Accounts;
using TerritoryAtlas.Web.Data;

namespace TerritoryAtlas.Web.Zonings;

/// <summary>
/// One figure of a group of communes in one year: a sum of counts, or a rate from summed numerators and denominators.
/// Whole: no part was secret (a portrait prefers the latest such year).
/// </summary>
/// Origin: "communes" (computed from them here) or "published" (as its producer published it).
public sealed record AreaFigure(string Indicator, int Year, double? Value, double? Numerator, double? Denominator, string Status, bool Whole)
{
    public string Origin { get; init; } = "communes";
}

/// <summary>
/// The figures of any group of communes (a study area, or the communes a reference stands for), computed from the
/// communes when read by Zonings/study_area_figures.sql, for the indicators the viewer may read.
/// </summary>
public static class AreaFigures
{
    private static readonly string Sql = AtlasDatabase.Sql("Zonings.study_area_figures.sql");

    /// <summary>Every year with a complete sum, per indicator (null: every indicator the viewer may read).</summary>
    public static async Task<ILookup<string, AreaFigure>> OfAsync(NpgsqlConnection connection, IReadOnlyList<string> communes,
        IReadOnlyList<string>? indicators, Viewer viewer, CancellationToken ct) =>
        (await connection.QueryAsync<AreaFigure>(new CommandDefinition(Sql,
            new
            {
                codes = communes.ToArray(),
                indicators = indicators?.ToArray(),
                isMember = viewer.IsMember,
                isAdmin = viewer.IsAdmin,
                organisations = viewer.OrganisationArray,
            }, cancellationToken: ct))).ToLookup(f => f.Indicator);

    /// <summary>The figure a portrait shows: the latest year whose parts were all published, else the latest year.</summary>
    public static AreaFigure? Latest(IEnumerable<AreaFigure> years) =>
        years.OrderByDescending(f => f.Whole).ThenByDescending(f => f.Year).FirstOrDefault();
}
