using Dapper;
using Npgsql;
using TerritoryAtlas.Web.Data;

namespace TerritoryAtlas.Web.Import;

/// <summary>
/// The territories no boundary file brings (France, France métropolitaine, DROM): each the union of its members
/// (groupings.sql), then every parent link the files do not give (hierarchy.sql), once all outlines are in.
/// </summary>
public static class Groupings
{
    public static async Task ImportAsync(NpgsqlDataSource db, IReadOnlyList<Grouping> groupings, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        foreach (var g in groupings)
        {
            var members = g.Codes == "*" ? [] : g.Codes.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            await connection.ExecuteAsync(new CommandDefinition(AtlasDatabase.Sql("Import.groupings.sql"),
                new { level = g.Level, code = g.Code, name = g.Name, from_level = g.FromLevel, members, source = "Union of its régions" },
                transaction, commandTimeout: 0, cancellationToken: ct));
        }

        await transaction.CommitAsync(ct);
    }

    /// <summary>Parents by code and by point on surface for every level (hierarchy.sql); the files' own links are kept.</summary>
    public static async Task LinkParentsAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await LinkParentsAsync(connection, transaction, [], ct);
        await transaction.CommitAsync(ct);
    }

    /// <summary>
    /// The parents of the territories <paramref name="only"/> names (empty: of every territory), found as the import
    /// finds them (hierarchy.sql): a territory a published boundary layer adds gets the links an imported one has.
    /// </summary>
    public static async Task LinkParentsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, int[] only, CancellationToken ct)
    {
        await connection.ExecuteAsync(new CommandDefinition(AtlasDatabase.Sql("Import.hierarchy.sql"), new { only }, transaction, commandTimeout: 0,
            cancellationToken: ct));
        await DeriveParentsAsync(connection, transaction, only, ct);
    }

    /// <summary>
    /// The links of the territories <paramref name="only"/> names (empty: of every territory) that derive from their
    /// other links (a commune's région from its département's: hierarchy_derived.sql), computed again.
    /// </summary>
    public static Task DeriveParentsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, int[] only, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition(AtlasDatabase.Sql("Import.hierarchy_derived.sql"), new { only }, transaction, commandTimeout: 0,
            cancellationToken: ct));
}
