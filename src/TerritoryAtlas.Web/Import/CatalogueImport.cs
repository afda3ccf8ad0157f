using System.Text.Json;
using Dapper;
using Npgsql;
using TerritoryAtlas.Web.Data;

namespace TerritoryAtlas.Web.Import;

/// <summary>
/// The import's first step: themes and indicators of indicators/catalogue.json (catalogue_indicator.sql), in one
/// transaction. An indicator no longer in the file goes, unless a contribution defined it (Datasets/).
/// </summary>
public static class CatalogueImport
{
    public static async Task RunAsync(NpgsqlDataSource db, Catalogue catalogue, string path, ImportReport report, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        foreach (var theme in catalogue.Themes)
        {
            await connection.ExecuteAsync(new CommandDefinition("""
                insert into theme (code, label_fr, label_en, sort_order) values (@Code, @LabelFr, @LabelEn, @Order)
                on conflict (code) do update set label_fr = excluded.label_fr, label_en = excluded.label_en, sort_order = excluded.sort_order
                """, theme, transaction, cancellationToken: ct));
        }

        var sql = AtlasDatabase.Sql("Import.catalogue_indicator.sql");
        var order = 0;
        foreach (var i in catalogue.Indicators)
        {
            await connection.ExecuteAsync(new CommandDefinition(sql,
                new
                {
                    i.Code,
                    i.Theme,
                    i.LabelFr,
                    i.LabelEn,
                    i.ShortLabelFr,
                    i.ShortLabelEn,
                    i.UnitFr,
                    i.UnitEn,
                    i.Kind,
                    i.Decimals,
                    i.DefinitionFr,
                    i.DefinitionEn,
                    i.Source,
                    i.Producer,
                    i.Licence,
                    i.Polarity,
                    i.Additive,
                    i.Numerator,
                    i.Denominator,
                    i.Multiplier,
                    i.Secrecy?.Threshold,
                    i.Secrecy?.AppliesTo,
                    i.Secrecy?.RuleFr,
                    i.Secrecy?.RuleEn,
                    SeriesBreaks = JsonSerializer.Serialize(i.SeriesBreaks ?? [], ManifestFiles.Options),
                    i.Derived,
                    Order = order++,
                }, transaction, cancellationToken: ct));
        }

        var removed = await connection.ExecuteAsync(new CommandDefinition(
            "delete from indicator where code <> all(@codes) and not contributed",
            new { codes = catalogue.Indicators.Select(i => i.Code).ToArray() }, transaction, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition(
            "delete from theme t where not exists (select 1 from indicator i where i.theme = t.code) and t.code <> all(@codes)",
            new { codes = catalogue.Themes.Select(t => t.Code).ToArray() }, transaction, cancellationToken: ct));
        await transaction.CommitAsync(ct);
        await report.AddAsync(new DatasetReport("catalogue", "catalogue", path, catalogue.Indicators.Count, catalogue.Indicators.Count, 0, 0, [],
            removed > 0 ? $"{removed} indicators no longer in the catalogue removed" : null), ct);
    }
}
