using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Dapper;

namespace TerritoryAtlas.IntegrationTests.Portraits;

[Collection(nameof(AtlasCollection))]
public sealed partial class PortraitTests(AtlasFixture atlas)
{
    private static readonly CultureInfo French = CultureInfo.GetCultureInfo("fr-FR");

    [Fact]
    public async Task The_portrait_of_departement_93_shows_its_name_and_for_every_indicator_the_value_and_rank_of_the_database()
    {
        using var client = atlas.App.CreateClient();
        var html = WebUtility.HtmlDecode(await client.GetStringAsync("/territoire/departement/93"));

        Assert.Matches("data-testid=\"portrait-name\"[^>]*>Seine-Saint-Denis<", html);
        Assert.Contains("Île-de-France", html, StringComparison.Ordinal);

        var rows = IndicatorRow().Matches(html).ToDictionary(m => m.Groups["code"].Value, m => m.Groups["body"].Value);
        Assert.Contains("taux_pauvrete_60", rows.Keys);
        Assert.True(rows.Count >= 30, $"{rows.Count} indicators in the portrait");

        await using var connection = await atlas.Db.OpenConnectionAsync();
        foreach (var (code, body) in rows)
        {
            // Computed here from the observation table itself: the latest year of 93, its value, and how many
            // départements have a higher published value that year.
            var expected = await connection.QuerySingleAsync<(int Year, double Value, int Decimals, int Higher, int Peers)>("""
                with mine as (
                    select o.year, o.value from observation o join territory t on t.id = o.territory_id
                    where t.level = 'departement' and t.code = '93' and o.indicator_code = @code and o.status = 'ok'
                    order by o.year desc limit 1
                )
                select mine.year, mine.value, i.decimals,
                       (select count(*)::int from observation o join territory t on t.id = o.territory_id
                        where t.level = 'departement' and o.indicator_code = @code and o.year = mine.year and o.status = 'ok' and o.value > mine.value),
                       (select count(*)::int from observation o join territory t on t.id = o.territory_id
                        where t.level = 'departement' and o.indicator_code = @code and o.year = mine.year and o.status = 'ok')
                from mine, indicator i where i.code = @code
                """, new { code });
            var value = Cell().Match(body).Groups["value"].Value.Trim();
            var rank = Rank().Match(body).Groups["rank"].Value.Trim();
            Assert.Equal(expected.Value.ToString("N" + expected.Decimals, French), value);
            var ordinal = expected.Higher + 1 == 1 ? "1er" : $"{expected.Higher + 1}e";
            Assert.Equal($"{ordinal} sur {expected.Peers} départements", rank);
        }

        // SOURCES.md: Seine-Saint-Denis has the highest poverty rate of metropolitan France.
        Assert.Matches("^[12](er|e) sur", Rank().Match(rows["taux_pauvrete_60"]).Groups["rank"].Value);
    }

    [Fact]
    public async Task An_unknown_territory_gets_a_message_naming_the_levels()
    {
        using var client = atlas.App.CreateClient();
        var response = await client.GetAsync("/territoire/departement/00");
        Assert.Contains("Aucun territoire « 00 » au niveau « departement »", WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_synthesis_of_region_84_lists_its_12_departements_then_the_region_and_france()
    {
        await using var connection = await atlas.Db.OpenConnectionAsync();
        var departements = (await connection.QueryAsync<string>("""
            select t.code from territory t join territory_parent p on p.territory_id = t.id and p.parent_level = 'region'
            join territory r on r.id = p.parent_id where r.code = '84' and t.level = 'departement' order by t.code
            """)).ToList();
        Assert.Equal(12, departements.Count);

        using var client = atlas.App.CreateClient();
        var html = WebUtility.HtmlDecode(await client.GetStringAsync("/synthese/84"));
        var linked = PortraitLink().Matches(html).Select(m => m.Groups["code"].Value).Distinct().Order(StringComparer.Ordinal).ToList();
        Assert.Equal(departements, linked);
        Assert.Contains("Auvergne-Rhône-Alpes", html, StringComparison.Ordinal);
        Assert.Contains("/territoire/region/84", html, StringComparison.Ordinal);
        Assert.Contains(">France<", html, StringComparison.Ordinal);

        var csv = (await client.GetStringAsync("/api/synthesis/84.csv?indicators=taux_pauvrete_60,aah_pour_100_20_64"))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(1 + 12 + 2, csv.Length);
        Assert.Equal("niveau,code,nom,\"taux_pauvrete_60 (2019, %)\",\"aah_pour_100_20_64 (2019, pour 100 habitants de 20 à 64 ans)\"", csv[0]);
        Assert.Equal(departements, csv.Skip(1).Take(12).Select(l => l.Split(',')[1]));
        Assert.StartsWith("region,84,Auvergne-Rhône-Alpes,", csv[13], StringComparison.Ordinal);
        Assert.StartsWith("france,FR,France,", csv[14], StringComparison.Ordinal);

        // The région's rate in the synthesis is the database's: Σ numerators / Σ denominators.
        var regionRate = await connection.ExecuteScalarAsync<double>("""
            select o.value from observation o join territory t on t.id = o.territory_id
            where t.level = 'region' and t.code = '84' and o.indicator_code = 'aah_pour_100_20_64' and o.year = 2019
            """);
        Assert.Equal(regionRate, double.Parse(csv[13].Split(',')[4], CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("/api/synthesis/00.csv", 404, "region")]
    [InlineData("/api/synthesis/84.csv?indicators=taux_pauvrete_60,nope", 404, "indicators")]
    public async Task Bad_synthesis_parameters_get_a_problem_naming_the_parameter(string url, int status, string parameter)
    {
        await atlas.ProblemNamingAsync(url, status, parameter);
    }

    [GeneratedRegex("data-indicator=\"(?<code>[a-z0-9_]+)\"(?<body>.*?)</tr>", RegexOptions.Singleline)]
    private static partial Regex IndicatorRow();

    [GeneratedRegex("data-testid=\"portrait-value\"[^>]*>(?<value>[^<]*)<")]
    private static partial Regex Cell();

    [GeneratedRegex("data-testid=\"portrait-rank\"[^>]*>(?<rank>[^<]*)<")]
    private static partial Regex Rank();

    [GeneratedRegex("href=\"/territoire/departement/(?<code>[0-9AB]+)\"")]
    private static partial Regex PortraitLink();
}
