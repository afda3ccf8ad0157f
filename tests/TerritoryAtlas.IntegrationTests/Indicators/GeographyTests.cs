using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using TerritoryAtlas.Web.Data;
using TerritoryAtlas.Web.Import;

namespace TerritoryAtlas.IntegrationTests.Indicators;

/// <summary>
/// Geography vintages, the CAF figures by IRIS and secondary secrecy, on the full import of the real data.
/// </summary>
[Collection(nameof(AtlasCollection))]
public sealed class GeographyTests(AtlasFixture atlas)
{
    [Fact]
    public async Task Saint_Denis_population_is_read_on_its_2025_perimeter_with_no_growth_from_the_merger()
    {
        using var client = atlas.App.CreateClient();
        var body = await client.GetFromJsonAsync<JsonElement>("/api/series/population_municipale/commune/93066");
        var saintDenis = body.GetProperty("series")[0];
        var points = saintDenis.GetProperty("points").EnumerateArray().ToDictionary(p => p.GetProperty("year").GetInt32());

        // 2019 and 2021 were published for Saint-Denis and Pierrefitte-sur-Seine apart: carried to the commune
        // nouvelle of 2025 by summing them (populations légales 2019: 112,852 + 30,861), the published figure beside.
        Assert.Equal(112_852 + 30_861, points[2019].GetProperty("value").GetDouble());
        Assert.Equal(112_852, points[2019].GetProperty("publishedValue").GetDouble());
        Assert.Equal("former", points[2019].GetProperty("perimeter").GetString());
        Assert.Equal(113_942 + 32_379, points[2021].GetProperty("value").GetDouble());
        Assert.Equal(149_077, points[2023].GetProperty("value").GetDouble());
        Assert.Equal("current", points[2023].GetProperty("perimeter").GetString());

        // +3.7 % from 2019 to 2023, not the +32.1 % of Saint-Denis alone against the merged commune.
        var evolution = saintDenis.GetProperty("evolution");
        Assert.Equal(2019, evolution.GetProperty("firstYear").GetInt32());
        Assert.Equal(100.0 * (149_077 - 143_713) / 143_713, evolution.GetProperty("changePercent").GetDouble(), 6);
        Assert.True(evolution.GetProperty("changePercent").GetDouble() < 5);
    }

    [Fact]
    public async Task A_median_of_the_former_perimeter_breaks_the_series_with_its_reason()
    {
        using var client = atlas.App.CreateClient();
        var body = await client.GetFromJsonAsync<JsonElement>("/api/series/mediane_niveau_vie/commune/93066");
        var saintDenis = body.GetProperty("series")[0];
        var points = saintDenis.GetProperty("points").EnumerateArray().ToList();
        Assert.NotEmpty(points);
        Assert.All(points, p =>
        {
            Assert.Equal("break", p.GetProperty("status").GetString());
            Assert.Equal(JsonValueKind.Null, p.GetProperty("value").ValueKind);
            Assert.Contains("pas additif", p.GetProperty("note").GetString(), StringComparison.Ordinal);
            Assert.True(p.GetProperty("publishedValue").GetDouble() > 0);
        });
        Assert.Equal(JsonValueKind.Null, saintDenis.GetProperty("evolution").ValueKind);
    }

    [Fact]
    public async Task Saint_Denis_portrait_shows_no_rank_and_the_evolution_on_its_current_perimeter()
    {
        using var client = atlas.App.CreateClient();
        // Decoded: text written by an expression (the page's language) comes HTML-encoded (é as &#xE9;).
        var html = System.Net.WebUtility.HtmlDecode(await client.GetStringAsync("/territoire/commune/93066"));
        var row = html[html.IndexOf("data-indicator=\"population_municipale\"", StringComparison.Ordinal)..];
        row = row[..row.IndexOf("</tr>", StringComparison.Ordinal)];
        Assert.Contains("149", row, StringComparison.Ordinal);
        Assert.Contains("périmètre modifié", row, StringComparison.Ordinal);
        Assert.DoesNotContain("20e", row, StringComparison.Ordinal);
        Assert.DoesNotContain("32,1", row, StringComparison.Ordinal);
        var text = System.Net.WebUtility.HtmlDecode(row).Replace('\u00a0', ' ').Replace('\u202f', ' ');
        Assert.True(text.Contains("+3,7 %", StringComparison.Ordinal), text);
    }

    [Fact]
    public async Task A_split_commune_is_refused_every_figure_breaks_with_the_reason()
    {
        await using var connection = await atlas.Db.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        // Sannerville (14666) was re-created in 2019 from the commune nouvelle Saline (14712): no sum of parts can
        // give the two communes' former figures, so they are refused.
        await connection.ExecuteAsync("""
            insert into perimeter_change (level, code, from_year, kind, parts, reason_fr, reason_en, source)
            values ('commune', '14712', 2019, 'split', '{14712,14666}', 'commune scindée (Sannerville rétablie)', 'split commune', 'test')
            on conflict do nothing
            """, transaction: transaction);
        await connection.ExecuteAsync(DerivedFigures.StepSql("Import.perimeter_observations.sql"), transaction: transaction);
        var rows = (await connection.QueryAsync<(string Status, double? Value, string Reason)>("""
            select po.status, po.value, po.reason_fr from perimeter_observation po join territory t on t.id = po.territory_id
            where t.level = 'commune' and t.code = '14712'
            """, transaction: transaction)).ToList();
        await transaction.RollbackAsync();
        Assert.NotEmpty(rows);
        Assert.All(rows, r =>
        {
            Assert.Equal("break", r.Status);
            Assert.Null(r.Value);
            Assert.Contains("scindée", r.Reason, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task A_commune_is_the_sum_of_its_iris_only_where_every_iris_is_published()
    {
        // Recomputed here from the CNAF file itself, independently of the importer.
        var csv = CsvFile.Read(Path.Combine(AtlasFixture.DataDirectory, "indicators/caf_iris/data_CAF_2020_IRIS.csv"), "caf 2020");
        int code = csv.Column("CODGEO"), rsa = csv.Column("ARSAS");
        var expected = csv.Records.GroupBy(r => IrisTerritories.CommuneOf(r[code]))
            .ToDictionary(g => g.Key, g => g.All(r => r[rsa].Length > 0)
                ? g.Sum(r => double.Parse(r[rsa], CultureInfo.InvariantCulture))
                : (double?)null);

        await using var connection = await atlas.Db.OpenConnectionAsync();
        var actual = (await connection.QueryAsync<(string Code, double? Value, string Status)>("""
            select t.code, o.value, o.status from published_observation o join territory t on t.id = o.territory_id
            where t.level = 'commune' and o.indicator_code = 'caf_rsa_allocataires' and o.year = 2020
            """)).ToDictionary(r => r.Code);
        var compared = 0;
        foreach (var (commune, sum) in expected.Where(e => actual.ContainsKey(e.Key)))
        {
            var figure = actual[commune];
            Assert.Equal(sum is null ? "suppressed" : "ok", figure.Status);
            Assert.Equal(sum, figure.Value);
            compared++;
        }

        // Paris, Lyon and Marseille count through their arrondissements' IRIS; about a thousand towns in all.
        Assert.True(compared > 950, $"{compared} communes compared");
        Assert.True(actual.Count(a => a.Value.Status == "ok") > 500);
        Assert.Contains("75056", actual.Keys);
        // Saint-Denis 2020: every IRIS published.
        Assert.Equal(expected["93066"], actual["93066"].Value);
    }

    [Fact]
    public async Task Secondary_secrecy_suppresses_the_next_smallest_iris_when_a_commune_total_would_reveal_one()
    {
        await using var connection = await atlas.Db.OpenConnectionAsync();
        // A commune of the CAF file whose RSA 2020 total is published from at least three IRIS, all published.
        var commune = await connection.QuerySingleAsync<int>("""
            select c.territory_id from observation c
            join territory_parent p on p.parent_id = c.territory_id and p.parent_level = 'commune'
            join territory i on i.id = p.territory_id and i.level = 'iris'
            join observation o on o.territory_id = i.id and o.indicator_code = c.indicator_code and o.year = c.year
            where c.indicator_code = 'caf_rsa_allocataires' and c.year = 2020 and c.status = 'ok' and c.flag = 'somme_iris'
            group by c.territory_id having count(*) >= 3 and bool_and(o.status = 'ok')
            order by c.territory_id limit 1
            """);
        var iris = (await connection.QueryAsync<(int Id, double Value)>("""
            select o.territory_id, o.value from observation o join territory_parent p on p.territory_id = o.territory_id
            where p.parent_id = @commune and p.parent_level = 'commune' and o.indicator_code = 'caf_rsa_allocataires' and o.year = 2020
            order by o.value, o.territory_id
            """, new { commune })).ToList();

        await using var transaction = await connection.BeginTransactionAsync();
        // The atlas's own rule suppresses the largest IRIS (value kept, as a threshold would): with the commune
        // total published, total − the other IRIS would give it away.
        await connection.ExecuteAsync("""
            update observation set status = 'suppressed'
            where territory_id = @id and indicator_code = 'caf_rsa_allocataires' and year = 2020
            """, new { id = iris[^1].Id }, transaction);
        await connection.ExecuteAsync(DerivedFigures.StepSql("Import.secondary_secrecy.sql"), transaction: transaction);
        var after = (await connection.QueryAsync<(int Id, double? Value, string Status, string? Flag)>("""
            select o.territory_id, o.value, o.status, o.flag from published_observation o join territory_parent p on p.territory_id = o.territory_id
            where p.parent_id = @commune and p.parent_level = 'commune' and o.indicator_code = 'caf_rsa_allocataires' and o.year = 2020
            """, new { commune }, transaction)).ToDictionary(r => r.Id);
        var total = await connection.QuerySingleAsync<double?>("""
            select value from published_observation where territory_id = @commune and indicator_code = 'caf_rsa_allocataires' and year = 2020
            """, new { commune }, transaction);
        await transaction.RollbackAsync();

        Assert.Equal(iris.Sum(i => i.Value), total);
        Assert.Equal("suppressed", after[iris[^1].Id].Status);
        // The next smallest part: the smallest IRIS, now secret too, flagged as secondary secrecy.
        Assert.Equal("suppressed", after[iris[0].Id].Status);
        Assert.Null(after[iris[0].Id].Value);
        Assert.Contains("secret_secondaire", after[iris[0].Id].Flag, StringComparison.Ordinal);
        Assert.Equal(2, after.Values.Count(a => a.Status == "suppressed"));
        // What anyone can still compute: the sum of the two secret IRIS, not either of them.
        var published = after.Values.Where(a => a.Status == "ok").Sum(a => a.Value!.Value);
        Assert.Equal(iris[0].Value + iris[^1].Value, total!.Value - published);
    }
}
