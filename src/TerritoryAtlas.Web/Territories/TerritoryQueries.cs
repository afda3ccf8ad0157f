using Dapper;
using Npgsql;
using TerritoryAtlas.Web.Data;
using TerritoryAtlas.Web.Indicators;

namespace TerritoryAtlas.Web.Territories;

public sealed record TerritoryMatch(string Level, string Code, string Name, double[] Bbox);

public sealed class TerritoryQueries(NpgsqlDataSource db)
{
    private static readonly string SearchSql = AtlasDatabase.Sql("Territories.territory_search.sql");

    /// <summary>Search by name or INSEE code, accent- and case-insensitive ("saint-denis", "93066", "ile de france").</summary>
    public async Task<IReadOnlyList<TerritoryMatch>> SearchAsync(string query, IReadOnlyList<string>? levels, int limit, CancellationToken ct)
    {
        query = query.Trim();
        if (query.Length == 0)
        {
            return [];
        }

        await using var connection = await db.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<(string Level, string Code, string Name, double MinX, double MinY, double MaxX, double MaxY)>(
            new CommandDefinition(SearchSql, new { query, levels = (levels ?? []).ToArray(), limit = Math.Clamp(limit, 1, 50) }, cancellationToken: ct));
        return rows.Select(r => new TerritoryMatch(r.Level, r.Code, r.Name, [r.MinX, r.MinY, r.MaxX, r.MaxY])).ToList();
    }
}

public static class TerritoryEndpoints
{
    public static IServiceCollection AddTerritories(this IServiceCollection services) =>
        services.AddSingleton<TerritoryQueries>().AddSingleton<LevelCatalogue>();

    /// <summary>
    /// Every request first brings <see cref="Levels.Current"/> up to the data version (one cached check), so a zoning
    /// added on another instance is a level here too.
    /// </summary>
    public static void UseLevels(this IApplicationBuilder app)
    {
        var catalogue = app.ApplicationServices.GetRequiredService<LevelCatalogue>();
        // Nearly always current (the data version is re-read every two seconds): no asynchronous step then.
        app.Use((context, next) => catalogue.IsCurrent ? next(context) : RefreshThenAsync(catalogue, context, next));
    }

    private static async Task RefreshThenAsync(LevelCatalogue catalogue, HttpContext context, RequestDelegate next)
    {
        try
        {
            await catalogue.CurrentAsync(context.RequestAborted);
        }
        catch (Exception e) when (Data.DatabaseOutage.Is(e) && catalogue.Loaded)
        {
            // The database is unreachable: the levels in force stay. What needs the database fails on its own
            // (503); the rest (a hub's transport, static files) goes on.
        }

        await next(context);
    }

    public static void MapTerritoryEndpoints(this IEndpointRouteBuilder app)
    {
        // The levels as the browser reads them: code, labels, parent, order, whether mapped, vintage.
        app.MapGet("/api/levels", async (LevelCatalogue levels, CancellationToken ct) => Results.Ok((await levels.CurrentAsync(ct)).Select(l => new
        {
            l.Code,
            l.Rank,
            l.LabelFr,
            l.LabelEn,
            l.MenuFr,
            l.MenuEn,
            Parent = l.MapParent,
            l.ExportParents,
            l.Mapped,
            l.PrebuiltMaxZoom,
            l.Vintage,
            l.Zoning,
        })));
        app.MapGet("/api/territories", async (string? q, string? level, int? limit, TerritoryQueries queries, CancellationToken ct) =>
        {
            if (string.IsNullOrWhiteSpace(q))
            {
                return new ParameterException("q", "give q, a name or an INSEE code (at least one character)").ToProblem();
            }

            if (level is not null && !Levels.IsKnown(level))
            {
                return new ParameterException("level", $"levels are {string.Join(", ", Levels.Ordered)}").ToProblem();
            }

            return Results.Ok(await queries.SearchAsync(q, level is null ? null : [level], limit ?? 10, ct));
        });
    }
}
