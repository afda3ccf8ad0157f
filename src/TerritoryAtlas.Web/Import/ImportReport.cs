using System.Text.Json;
using Dapper;
using Npgsql;

namespace TerritoryAtlas.Web.Import;

public sealed record DatasetReport(
    string Dataset, string Kind, string File, int Read, int Written, int Rejected, int CodesMapped,
    IReadOnlyList<UnmatchedCode> Unmatched, string? Notes);

public sealed record UnmatchedCode(string Level, string Code, string Name, int Rows);

/// <summary>
/// What each step of an import read, wrote and rejected: one row per dataset in import_report as the step finishes
/// (the pages and the figures' provenance read it), and the table printed at the end.
/// </summary>
public sealed class ImportReport(NpgsqlDataSource db)
{
    private readonly List<DatasetReport> _reports = [];

    public IReadOnlyList<DatasetReport> Reports => _reports;

    public async Task AddAsync(DatasetReport report, CancellationToken ct)
    {
        _reports.Add(report);
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("""
            insert into import_report (dataset, kind, file, file_fingerprint, finished_at, rows_read, rows_written, rows_rejected,
                codes_mapped, unmatched_codes, notes)
            values (@Dataset, @Kind, @File, '', now(), @Read, @Written, @Rejected, @CodesMapped, @Unmatched::jsonb, @Notes)
            on conflict (dataset) do update set kind = excluded.kind, file = excluded.file, finished_at = excluded.finished_at,
                rows_read = excluded.rows_read, rows_written = excluded.rows_written, rows_rejected = excluded.rows_rejected,
                codes_mapped = excluded.codes_mapped, unmatched_codes = excluded.unmatched_codes, notes = excluded.notes
            """,
            new
            {
                report.Dataset,
                report.Kind,
                report.File,
                report.Read,
                report.Written,
                report.Rejected,
                report.CodesMapped,
                Unmatched = JsonSerializer.Serialize(report.Unmatched, ManifestFiles.Options),
                report.Notes,
            }, cancellationToken: ct));
    }

    public async Task PrintAsync(TextWriter output, TimeSpan elapsed)
    {
        await output.WriteLineAsync();
        await output.WriteLineAsync("Import report");
        await output.WriteLineAsync($"{"dataset",-36} {"read",9} {"written",9} {"rejected",9} {"mapped",7} {"unmatched codes",16}");
        foreach (var r in _reports)
        {
            await output.WriteLineAsync($"{r.Dataset,-36} {r.Read,9} {r.Written,9} {r.Rejected,9} {r.CodesMapped,7} {r.Unmatched.Count,16}");
            if (r.Notes is not null)
            {
                await output.WriteLineAsync($"    {r.Notes}");
            }

            if (r.Unmatched.Count > 0)
            {
                var sample = string.Join(", ", r.Unmatched.Take(8).Select(u => $"{u.Code} {u.Name} ({u.Rows})"));
                await output.WriteLineAsync($"    unmatched: {sample}{(r.Unmatched.Count > 8 ? $", … ({r.Unmatched.Count - 8} more: see table import_report)" : "")}");
            }
        }

        await output.WriteLineAsync(
            $"{"total",-36} {_reports.Sum(r => r.Read),9} {_reports.Sum(r => r.Written),9} {_reports.Sum(r => r.Rejected),9} " +
            $"{_reports.Sum(r => r.CodesMapped),7} {_reports.Sum(r => r.Unmatched.Count),16}");
        await output.WriteLineAsync($"import: finished in {elapsed.TotalSeconds:0.0} s");
    }
}
