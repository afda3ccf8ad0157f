using Dapper;
using Npgsql;
using TerritoryAtlas.Web.Data;

namespace TerritoryAtlas.Web.Import;

/// <summary>
/// The perimeter changes of communes since the boundary vintage, in one table (perimeter_change) that the
/// computed step reads to carry each figure to its commune's current perimeter or break the series there.
/// From the COG correspondences of the data directory (2018 communes that became communes déléguées of a commune
/// that kept its code: a merger) and from the geodata manifest's declared changes (later COG vintages). They are the
/// import's source in perimeter_change_source: INSEE's correspondence tables an admin published (Datasets/) are
/// sources too, kept across imports, and win for the communes they describe (perimeter_changes.sql).
/// </summary>
public static class Perimeters
{
    public static async Task<int> ImportAsync(
        NpgsqlDataSource db, GeodataManifest geodata, string dataDirectory, CancellationToken ct)
    {
        var changes = new List<DeclaredPerimeterChange>();
        await using var connection = await db.OpenConnectionAsync(ct);
        var boundaryCodes = (await connection.QueryAsync<(string Level, string Code)>(new CommandDefinition(
            "select level, code from territory where level = any(@levels)",
            new { levels = geodata.Correspondences.Select(c => c.Level).Distinct().ToArray() }, cancellationToken: ct))).ToHashSet();
        foreach (var c in geodata.Correspondences)
        {
            var csv = CsvFile.Read(Path.Combine(dataDirectory, c.Path), c.Path);
            int boundary = csv.Column(c.BoundaryCode), other = csv.Column(c.OtherCode);
            var link = c.Link is null ? -1 : csv.Column(c.Link);
            var name = csv.Header.Contains("nom_2024") ? csv.Column("nom_2024") : -1;
            foreach (var group in csv.Records.Where(r => r[other].Length > 0 && (link < 0 || r[link] != "non-resolu")).GroupBy(r => r[other]))
            {
                // A commune nouvelle with a new code has no 2018 polygon: its figures are reported as unmatched, not
                // drawn; one that kept a 2018 commune's code now covers its absorbed communes too.
                if (!boundaryCodes.Contains((c.Level, group.Key)))
                {
                    continue;
                }

                var parts = group.Select(r => r[boundary]).Prepend(group.Key).Distinct().ToList();
                var label = name >= 0 ? group.First()[name] : group.Key;
                // The table says the merger happened after the boundary vintage (COG 2018) and by its own vintage,
                // not when: a figure on a COG in between is placed by inference (perimeter_observations.sql).
                changes.Add(new DeclaredPerimeterChange(c.Level, group.Key, 2019, "merged", parts,
                    $"commune nouvelle {label} ({string.Join(", ", parts)})", $"new commune {label} ({string.Join(", ", parts)})",
                    c.Path, c.Vintage));
            }
        }

        foreach (var declared in geodata.PerimeterChanges ?? [])
        {
            if (declared.Kind is not ("merged" or "split"))
            {
                throw new ImportException("geodata/manifest.json", $"perimeter change {declared.Code}", $"kind '{declared.Kind}' is not merged or split");
            }

            changes.RemoveAll(c => c.Level == declared.Level && c.Code == declared.Code);
            changes.Add(declared);
        }

        await using var transaction = await connection.BeginTransactionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("delete from perimeter_change_source where dataset_version_id is null",
            transaction: transaction, cancellationToken: ct));
        foreach (var c in changes)
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                insert into perimeter_change_source (level, code, from_year, kind, parts, reason_fr, reason_en, source, known_by)
                values (@Level, @Code, @FromYear, @Kind, @Parts, @ReasonFr, @ReasonEn, @Source, @KnownBy)
                """, new { c.Level, c.Code, FromYear = (short)c.FromYear, c.Kind, Parts = c.Parts.ToArray(), c.ReasonFr, c.ReasonEn, c.Source, KnownBy = (short?)c.KnownBy },
                transaction, cancellationToken: ct));
        }

        await connection.ExecuteAsync(new CommandDefinition(AtlasDatabase.Sql("Import.perimeter_changes.sql"), transaction: transaction, cancellationToken: ct));
        await transaction.CommitAsync(ct);
        return changes.Count;
    }
}
