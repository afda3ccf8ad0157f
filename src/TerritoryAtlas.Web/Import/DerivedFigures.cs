using Dapper;
using Npgsql;
using TerritoryAtlas.Web.Data;

namespace TerritoryAtlas.Web.Import;

/// <summary>
/// Recomputes what the atlas derives from the observations (<see cref="DerivedSteps"/>: sums, secondary
/// secrecy, zonings' zones, rates, figures on current commune perimeters) inside the caller's transaction: for every
/// indicator, or only for some. Every derived figure of an indicator is computed from figures of that indicator alone
/// (a rate from its numerator's and denominator's), so a publication that changed a few indicators recomputes those
/// and the rates made from them, and leaves the rest of the table as the last full pass wrote it.
/// </summary>
public static class DerivedFigures
{
    /// <summary>The computed figures, in order: sums of parts, their secondary secrecy, zonings' zones, then rates from the final statuses.</summary>
    public static readonly IReadOnlyList<string> ComputedSteps =
        ["Import.computed_observations.sql", "Import.secondary_secrecy.sql", "Zonings.zone_observations.sql", "Import.computed_rates.sql"];

    private const string PerimeterStep = "Import.perimeter_observations.sql";

    /// <summary>
    /// Everything derived from the observations, in order: the computed figures, then the figures carried to current
    /// commune perimeters (which need the final rates and secrecy). A publication or roll back that changes
    /// observations runs all of them, or the figures computed from the changed ones go stale.
    /// </summary>
    public static readonly IReadOnlyList<string> DerivedSteps = [.. ComputedSteps, PerimeterStep];

    /// <summary>What each step does, in French and English, for the pages' progress.</summary>
    public static readonly IReadOnlyDictionary<string, (string French, string English)> Labels = new Dictionary<string, (string, string)>
    {
        ["Import.computed_observations.sql"] = ("Sommes des départements et des IRIS", "Sums of départements and IRIS"),
        ["Import.secondary_secrecy.sql"] = ("Secret secondaire", "Secondary secrecy"),
        ["Zonings.zone_observations.sql"] = ("Zonages et arrondissements", "Zonings and arrondissements"),
        ["Import.computed_rates.sql"] = ("Taux recalculés", "Rates recomputed"),
        ["Import.perimeter_observations.sql"] = ("Communes fusionnées, sur leur périmètre actuel", "Merged communes, on their current perimeter"),
    };

    /// <summary>
    /// The steps that read the commune perimeters in force (perimeter_change): zonings' zones and arrondissements (a
    /// merged commune's figure covers the communes it absorbed), their rates, and the figures on current perimeters.
    /// Sums of départements and secondary secrecy do not read them. What a new correspondence recomputes.
    /// </summary>
    public static readonly IReadOnlyList<string> PerimeterSteps =
        ["Zonings.zone_observations.sql", "Import.computed_rates.sql", "Import.perimeter_observations.sql"];

    private static readonly string ScopeSql = AtlasDatabase.Sql("Import.derived_scope.sql");

    /// <summary>
    /// A derived step's SQL (one of <see cref="DerivedSteps"/>) as it runs: after derived_scope.sql, which
    /// makes the table of indicators it recomputes from `atlas.indicators` (every one when unset).
    /// </summary>
    public static string StepSql(string step) => ScopeSql + "\n" + AtlasDatabase.Sql(step);

    /// <param name="indicators">the indicators whose observations changed; null for all of them.</param>
    /// <param name="starting">told each step's name (<see cref="DerivedSteps"/>) before it runs.</param>
    public static Task RecomputeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyCollection<string>? indicators,
        Action<string>? starting, CancellationToken ct) =>
        RecomputeAsync(connection, transaction, indicators, DerivedSteps, starting, ct);

    /// <param name="steps">which of <see cref="DerivedSteps"/> to run, in their order.</param>
    public static async Task RecomputeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyCollection<string>? indicators,
        IReadOnlyList<string> steps, Action<string>? starting, CancellationToken ct)
    {
        // Read by every step's derived_scope (derived_scope.sql), for this transaction only; back to '' (every
        // indicator) afterwards, so a later step in the same transaction is not limited by surprise.
        await SetScopeAsync(connection, transaction, indicators is null ? "" : string.Join(',', indicators), ct);
        foreach (var step in DerivedSteps.Where(steps.Contains))
        {
            starting?.Invoke(step);
            await connection.ExecuteAsync(new CommandDefinition(StepSql(step), transaction: transaction, commandTimeout: 0, cancellationToken: ct));
        }

        await SetScopeAsync(connection, transaction, "", ct);
    }

    /// <summary>
    /// What a commune correspondence's publication or roll back recomputes (<see cref="PerimeterSteps"/>, every
    /// indicator), with the rates of the zones and arrondissements only: the zones step rewrote their sums, and no other
    /// rate's numerator or denominator changed (computed_rates.sql, `atlas.rates`).
    /// </summary>
    public static async Task RecomputePerimetersAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Action<string>? starting,
        CancellationToken ct)
    {
        await SetAsync(connection, transaction, "atlas.rates", "summed", ct);
        await RecomputeAsync(connection, transaction, null, PerimeterSteps, starting, ct);
        await SetAsync(connection, transaction, "atlas.rates", "", ct);
    }

    private static Task SetScopeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string scope, CancellationToken ct) =>
        SetAsync(connection, transaction, "atlas.indicators", scope, ct);

    private static Task SetAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string setting, string value, CancellationToken ct) =>
        connection.ExecuteAsync(new CommandDefinition("select set_config(@setting, @value, true)", new { setting, value }, transaction, cancellationToken: ct));

    /// <summary>
    /// The import's computed figures (<see cref="ComputedSteps"/>) for every indicator, in one transaction, and what
    /// they came to for the report.
    /// </summary>
    public static async Task ComputeAllAsync(NpgsqlDataSource db, ImportReport report, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        // The figures were just written: statistics from autovacuum, if any, describe whatever part of them it happened
        // to sample mid-import, and the derived steps' joins over a million figures depend on them (a stale sample once
        // made the secondary-secrecy step spill 34 GB of temporary files).
        await connection.ExecuteAsync(new CommandDefinition("analyze observation", commandTimeout: 0, cancellationToken: ct));
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await RecomputeAsync(connection, transaction, null, ComputedSteps, null, ct);
        var (sums, rates) = await connection.QuerySingleAsync<(long, long)>(new CommandDefinition("""
            select count(*) filter (where o.numerator is null), count(*) filter (where o.numerator is not null)
            from observation o where o.origin = 'computed'
            """, transaction: transaction, cancellationToken: ct));
        var published = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "select count(*) from observation where computed_value is not null", transaction: transaction, cancellationToken: ct));
        await transaction.CommitAsync(ct);
        await report.AddAsync(new DatasetReport("computed", "computed", "(sums and rates)", 0, (int)(sums + rates), 0, 0, [],
            $"{sums} sums of départements, {rates} rates, {published} published figures checked against the sum of their parts"), ct);
    }

    /// <summary>The import's last step: every figure carried to its commune's current perimeter, in one transaction.</summary>
    public static async Task CarryToPerimetersAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await RecomputeAsync(connection, transaction, null, [PerimeterStep], null, ct);
        await transaction.CommitAsync(ct);
    }
}
