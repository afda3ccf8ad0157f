using System.Security.Claims;
using Dapper;
using Npgsql;
using TerritoryAtlas.Web.Accounts;
using TerritoryAtlas.Web.Territories;

namespace TerritoryAtlas.Web.Zonings;

/// <summary>
/// What a portrait, the synthesis or the map is compared with when the reader chooses: any territory
/// (<c>level:code</c>, e.g. <c>departement:93</c>) or a study area they may read (<c>area:ID</c>). Its figures are
/// the published ones of the territory, or the study area's, computed from its communes; all years, so each caller
/// picks the year it compares (the same year, never another one across a perimeter change).
/// </summary>
public sealed record ComparisonReference(string Key, string Kind, string Name, ILookup<string, AreaFigure> Figures)
{
    /// <summary>Changes when the reference's make-up does (a study area's communes): part of cache keys.</summary>
    public string Version { get; init; } = "";

    /// <summary>The figure of that year, if the reference has one.</summary>
    public AreaFigure? In(string indicator, int year) => Figures[indicator].FirstOrDefault(f => f.Year == year);

    /// <summary>The figure of that year, else of the latest earlier year (as the portrait's parents are read).</summary>
    public AreaFigure? AtOrBefore(string indicator, int year) =>
        Figures[indicator].Where(f => f.Year <= year).MaxBy(f => f.Year);
}

public sealed class ComparisonReferences(NpgsqlDataSource db, StudyAreaService areas)
{
    /// <summary>The reference a parameter names, with its figures for this reader; null when none is asked for.</summary>
    /// <exception cref="ParameterException">Malformed (400), or no such territory or readable study area (404).</exception>
    /// <param name="indicators">Only these indicators' figures (null: every one the reader may read).</param>
    public async Task<ComparisonReference?> ResolveAsync(string? reference, string parameter, ClaimsPrincipal user, CancellationToken ct,
        IReadOnlyList<string>? indicators = null)
    {
        if (string.IsNullOrWhiteSpace(reference))
        {
            return null;
        }

        var parts = reference.Trim().Split(':', 2);
        var viewer = Viewer.From(user);
        if (parts.Length == 2 && parts[0] == "area")
        {
            if (!long.TryParse(parts[1], out var id) || await areas.GetAsync(id, user, ct) is not { } area)
            {
                throw new ParameterException(parameter, $"no study area '{parts[1]}' you may read", StatusCodes.Status404NotFound);
            }

            await using var connection = await db.OpenConnectionAsync(ct);
            return new ComparisonReference($"area:{area.Id}", "area", area.Name, await AreaFigures.OfAsync(connection, area.Communes, indicators, viewer, ct))
            {
                Version = area.UpdatedAt.Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture),
            };
        }

        if (parts.Length != 2 || !Levels.IsKnown(parts[0]))
        {
            throw new ParameterException(parameter,
                $"{parameter} must be level:code (e.g. departement:93; levels: {string.Join(", ", Levels.Ordered)}) or area:ID (a study area)");
        }

        await using (var connection = await db.OpenConnectionAsync(ct))
        {
            var territory = await connection.QuerySingleOrDefaultAsync<(int Id, string Name)?>(new CommandDefinition(
                "select id, name from territory where level = @level and code = @code", new { level = parts[0], code = parts[1] }, cancellationToken: ct))
                ?? throw new ParameterException(parameter, $"no {parts[0]} with code '{parts[1]}'", StatusCodes.Status404NotFound);
            var figures = await connection.QueryAsync<AreaFigure>(new CommandDefinition("""
                select o.indicator_code as indicator, o.year::int as year, o.value, o.numerator, o.denominator, o.status, o.status <> 'suppressed' as whole
                from published_observation o
                join indicator i on i.code = o.indicator_code
                where o.territory_id = @id and o.status <> 'missing' and (@indicators::text[] is null or o.indicator_code = any(@indicators))
                  and indicator_visible(i.visibility, i.code, @isMember, @isAdmin, @organisations)
                """, new { id = territory.Id, indicators = indicators?.ToArray(), isMember = viewer.IsMember, isAdmin = viewer.IsAdmin, organisations = viewer.OrganisationArray },
                cancellationToken: ct));
            // What the territory does not publish (populations légales and the CAF counts exist by commune only) is
            // summed from its communes, under the same rules as a study area, and says so (Origin "communes").
            var published = figures.Select(f => f with { Origin = "published" }).ToList();
            var publishedIndicators = published.Select(f => f.Indicator).ToHashSet();
            var communes = (await connection.QueryAsync<string>(new CommandDefinition("""
                select c.code from territory_parent p join territory c on c.id = p.territory_id and c.level = 'commune' where p.parent_id = @id
                """, new { id = territory.Id }, cancellationToken: ct))).ToList();
            var summed = communes.Count == 0
                ? []
                : (await AreaFigures.OfAsync(connection, communes, indicators, viewer, ct)).SelectMany(g => g).Where(f => !publishedIndicators.Contains(f.Indicator));
            return new ComparisonReference($"{parts[0]}:{parts[1]}", parts[0], territory.Name, published.Concat(summed).ToLookup(f => f.Indicator));
        }
    }
}
