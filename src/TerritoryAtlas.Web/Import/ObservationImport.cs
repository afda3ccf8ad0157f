using System.Diagnostics;
using Dapper;
using Npgsql;
using TerritoryAtlas.Web.Data;

namespace TerritoryAtlas.Web.Import;

/// <summary>
/// One dataset of indicators/manifest.json through the shared pipeline (read, validate strictly, stage with COPY:
/// <see cref="ObservationPipeline"/>), then into observation (insert_observations.sql) in the same transaction that
/// removes the dataset's previous figures.
/// </summary>
public static class ObservationImport
{
    public static async Task RunAsync(NpgsqlDataSource db, IndicatorDataset dataset, string dataDirectory, PipelineContext context,
        ImportReport importReport, TextWriter output, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        await output.WriteLineAsync($"import: observations {dataset.Name} from {dataset.Path}…");
        var csv = CsvFile.Read(Path.Combine(dataDirectory, dataset.Path), dataset.Path);
        var vintages = Vintages.Of(dataset);
        var rows = ObservationFile.Read(csv, dataset).Select(r => r with { Cog = vintages.Of(r.Indicator, r.Year, r.Flag) }).ToList();
        var report = new ValidationReport { File = dataset.Path };
        IReadOnlyList<UnmatchedCode> unplacedIris = [];
        if (rows.Any(r => r.Level == "iris"))
        {
            (context, unplacedIris) = await IrisTerritories.RegisterAsync(db, rows, dataset, context, ct);
        }

        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("""
            delete from observation where dataset = @dataset;
            create temporary table staging_observation (indicator_code text, territory_id integer, year smallint,
                value double precision, numerator double precision, denominator double precision, status text, flag text, cog smallint) on commit drop;
            """, new { dataset = dataset.Name }, transaction, commandTimeout: 0, cancellationToken: ct));
        var staged = await ObservationPipeline.CopyAsync(connection, "staging_observation",
            ObservationPipeline.Validate(rows, report, context, strict: true), ct);
        var written = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            AtlasDatabase.Sql("Import.insert_observations.sql"), new { dataset = dataset.Name }, transaction, commandTimeout: 0, cancellationToken: ct));
        var articles = CommuneNamesWithArticle(rows);
        if (articles.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(AtlasDatabase.Sql("Import.commune_articles.sql"),
                new { codes = articles.Keys.ToArray(), names = articles.Values.ToArray() }, transaction, cancellationToken: ct));
        }

        await transaction.CommitAsync(ct);

        var notes = new List<string>();
        if (report.Duplicates > 0)
        {
            notes.Add($"{report.Duplicates} rows repeat a territory, indicator and year after code mapping");
        }

        if (staged - written > 0)
        {
            notes.Add($"{staged - written} rows already given by an earlier dataset");
        }

        var read = (int)report.Read;
        var unmatched = report.UnknownCodes.Concat(unplacedIris).ToList();
        await importReport.AddAsync(new DatasetReport(dataset.Name, "observations", dataset.Path, read, (int)written, read - (int)written,
            (int)report.CodesCarried, unmatched, notes.Count > 0 ? string.Join("; ", notes) : null), ct);
        await output.WriteLineAsync(
            $"import: observations {dataset.Name}: {read} read, {written} written, {read - written} rejected " +
            $"({unmatched.Count} unmatched codes, {report.CodesCarried} rows mapped through the COG correspondence) in {watch.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>The indicator file's name of each commune when it starts with an article (commune_articles.sql decides).</summary>
    private static Dictionary<string, string> CommuneNamesWithArticle(IEnumerable<SourceObservation> rows)
    {
        string[] articles = ["Le ", "La ", "Les ", "L'", "L’"];
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (row.Level == "commune" && articles.Any(a => row.Name.StartsWith(a, StringComparison.Ordinal)))
            {
                names.TryAdd(row.Code, row.Name);
            }
        }

        return names;
    }
}
