using Dapper;
using Npgsql;
using TerritoryAtlas.Web.Data;

namespace TerritoryAtlas.Web.Import;

/// <summary>
/// IRIS are territories no boundary layer brings (yet): a file of IRIS figures registers its IRIS under their
/// commune before its figures are placed, so they keep their own codes and the commune sums can find them.
/// </summary>
public static class IrisTerritories
{
    /// <summary>
    /// Registers the file's IRIS; returns the context knowing them, and the commune codes none of the 2018 communes
    /// could take.
    /// </summary>
    public static async Task<(PipelineContext Context, IReadOnlyList<UnmatchedCode> Unplaced)> RegisterAsync(
        NpgsqlDataSource db, IReadOnlyList<SourceObservation> rows, IndicatorDataset dataset, PipelineContext context, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var result = await RegisterAsync(connection, transaction, rows, dataset.Year, Path.GetFileName(dataset.Path), context, ct);
        await transaction.CommitAsync(ct);
        return result;
    }

    /// <summary>
    /// The same inside the caller's transaction (a contribution registers its IRIS with its draft, so a refused file
    /// leaves none behind).
    /// </summary>
    public static async Task<(PipelineContext Context, IReadOnlyList<UnmatchedCode> Unplaced)> RegisterAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<SourceObservation> rows, int? year, string fileName,
        PipelineContext context, CancellationToken ct)
    {
        var territories = context.Territories.ToDictionary();
        var correspondences = context.Correspondences;
        var iris = rows.Where(r => r.Level == "iris" && r.Rejection is null).DistinctBy(r => r.Code).ToList();
        // The commune of an IRIS is in the file's own COG vintage; a code the 2018 layer lacks is carried to the one
        // 2018 commune it corresponds to, as for any commune figure.
        var communes = iris.Select(r => CommuneOf(r.Code)).Select(c =>
            territories.ContainsKey(("commune", c)) ? c : correspondences.GetValueOrDefault(("commune", c), c)).ToArray();
        var ids = await connection.QueryAsync<(string Code, int Id)>(new CommandDefinition(AtlasDatabase.Sql("Import.iris_territories.sql"),
            new
            {
                codes = iris.Select(r => r.Code).ToArray(),
                names = iris.Select(r => r.Name).ToArray(),
                communes,
                vintage = year is { } y ? $"IRIS {y} (CNAF)" : "IRIS",
                source = $"Codes IRIS du fichier {fileName}",
            }, transaction, commandTimeout: 0, cancellationToken: ct));
        foreach (var (code, id) in ids)
        {
            territories[("iris", code)] = id;
        }

        // Their IRIS stay under their own codes but count in no commune: the report lists the commune codes.
        var unplaced = communes.Select((commune, i) => (commune, iris[i]))
            .Where(c => !territories.ContainsKey(("commune", c.commune)))
            .GroupBy(c => c.commune)
            .Select(g => new UnmatchedCode("commune", g.Key, $"commune of IRIS {string.Join(", ", g.Take(3).Select(c => c.Item2.Code))}", g.Count()))
            .ToList();
        return (new PipelineContext(territories, correspondences, context.Indicators, context.CommuneLinks), unplaced);
    }

    /// <summary>
    /// The commune of an IRIS: its code's first five characters, except in Paris, Lyon and Marseille, whose IRIS
    /// lie in municipal arrondissements (751xx, 6938x, 132xx) while the boundary layer holds the whole cities.
    /// </summary>
    public static string CommuneOf(string iris) => iris[..5] switch
    {
        var c when c.StartsWith("751", StringComparison.Ordinal) && c != "75100" => "75056",
        var c when c.StartsWith("6938", StringComparison.Ordinal) => "69123",
        var c when c.StartsWith("132", StringComparison.Ordinal) && string.CompareOrdinal(c, "13201") >= 0 && string.CompareOrdinal(c, "13216") <= 0 => "13055",
        var c => c,
    };
}
