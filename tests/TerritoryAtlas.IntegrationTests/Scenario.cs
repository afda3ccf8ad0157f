using Dapper;
using Npgsql;

namespace TerritoryAtlas.IntegrationTests;

/// <summary>
/// A tiny territory for scratch databases: France, région 84 and two of its départements (01 Ain, 69 Rhône), one
/// theme, a count (with INSEE's fiscal secrecy rule), a population and the rate of the two.
/// </summary>
public static class Scenario
{
    public const string Territories = """
        insert into territory (level, code, name, search_name, vintage, source) values
            ('france', 'FR', 'France', 'france', 'test', 'test'),
            ('region', '84', 'Auvergne-Rhône-Alpes', 'auvergne-rhone-alpes', 'test', 'test'),
            ('departement', '01', 'Ain', 'ain', 'test', 'test'),
            ('departement', '69', 'Rhône', 'rhone', 'test', 'test');
        insert into territory_parent (territory_id, parent_level, parent_id, method)
        select c.id, p.level, p.id, 'code'
        from territory c join territory p on (c.level = 'departement' and p.level in ('region', 'france')) or (c.level = 'region' and p.level = 'france');
        insert into theme (code, label_fr, label_en, sort_order) values ('revenus', 'Revenus et pauvreté', 'Income', 1);
        insert into indicator (code, theme, label_fr, label_en, unit_fr, unit_en, kind, decimals, definition_fr, definition_en, source, producer,
                               licence, polarity, additive, numerator, denominator, multiplier, secrecy_threshold, secrecy_applies_to,
                               secrecy_rule_fr, sort_order) values
            ('test_menages', 'revenus', 'Ménages de test', 'Test households', 'ménages', 'households', 'count', 0, 'Compte de test', 'Test count',
             'Source de test', 'INSEE', 'Licence Ouverte', 0, true, null, null, null, 11, 'value',
             'Secret fiscal : moins de 11 ménages', 1),
            ('test_population', 'revenus', 'Population de test', 'Test population', 'habitants', 'inhabitants', 'count', 0, 'Population', 'Population',
             'Source de test', 'INSEE', 'Licence Ouverte', 0, true, null, null, null, null, null, null, 2),
            ('test_taux', 'revenus', 'Ménages pour 100 habitants', 'Households per 100', 'pour 100 habitants', 'per 100', 'rate', 2,
             'Taux de test', 'Test rate', 'Source de test', 'INSEE', 'Licence Ouverte', 0, false, 'test_menages', 'test_population', 100, null, null,
             null, 3);
        """;

    public static async Task InsertObservationsAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction,
        params (string Indicator, string Level, string Code, int Year, double? Value, string Status)[] rows)
    {
        foreach (var r in rows)
        {
            await connection.ExecuteAsync("""
                insert into observation (indicator_code, territory_id, year, value, status, origin, dataset)
                select @Indicator, id, @Year, @Value, @Status, 'source', 'test' from territory where level = @Level and code = @Code
                """, new { r.Indicator, r.Level, r.Code, Year = (short)r.Year, r.Value, r.Status }, transaction);
        }
    }
}
