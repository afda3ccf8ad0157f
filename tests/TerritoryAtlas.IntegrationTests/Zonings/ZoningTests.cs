using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ClosedXML.Excel;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using TerritoryAtlas.Web.Accounts;
using TerritoryAtlas.Web.Zonings;

namespace TerritoryAtlas.IntegrationTests.Zonings;

/// <summary>
/// Zonings from correspondence tables the tests write from the real communes of Seine-Saint-Denis and Val-de-Marne
/// (the data directory holds no official table), added over HTTP with real bearer tokens, checked against the
/// communes' own outlines and figures, then removed. Bad tables change nothing.
/// </summary>
[Collection(nameof(AtlasCollection))]
public sealed class ZoningTests(AtlasFixture atlas)
{
    private sealed record Commune(string Code, string Departement, string? RsaStatus, double? Rsa, double? Allocataires);

    private static HttpRequestMessage Post(string token, byte[] file, string fileName, string code, string name = "Zonage d'essai",
        string vintage = "2024", string? column = null)
    {
        var content = new MultipartFormDataContent
        {
            { new ByteArrayContent(file), "file", fileName },
            { new StringContent(code), "code" },
            { new StringContent(name), "name" },
            { new StringContent(vintage), "vintage" },
        };
        if (column is not null)
        {
            content.Add(new StringContent(column), "column");
        }

        var request = new HttpRequestMessage(HttpMethod.Post, "/api/zonings") { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    private async Task<List<Commune>> CommunesAsync()
    {
        await using var connection = await atlas.Db.OpenConnectionAsync();
        return (await connection.QueryAsync<Commune>("""
            select c.code, d.code as departement, n.status as rsastatus, n.value as rsa, a.value as allocataires
            from territory c
            join territory_parent p on p.territory_id = c.id and p.parent_level = 'departement'
            join territory d on d.id = p.parent_id and d.code in ('93', '94')
            left join observation n on n.territory_id = c.id and n.indicator_code = 'caf_rsa_allocataires' and n.year = 2019
            left join observation a on a.territory_id = c.id and a.indicator_code = 'caf_allocataires' and a.year = 2019 and a.status = 'ok'
            where c.level = 'commune'
            order by c.code
            """)).ToList();
    }

    /// <summary>
    /// Zone S holds a secret commune and an open one; zone R three communes with open RSA and CAF counts; zone X one
    /// commune of each département; every other commune in zones of eight by code.
    /// </summary>
    private static Dictionary<string, string> Plan(List<Commune> communes)
    {
        var zones = new Dictionary<string, string>();
        var secret = communes.First(c => c.RsaStatus == "suppressed");
        var open = communes.Where(c => c.RsaStatus == "ok" && c.Allocataires is not null).ToList();
        zones[secret.Code] = "S";
        zones[open[0].Code] = "S";
        foreach (var c in open.Skip(1).Take(3))
        {
            zones[c.Code] = "R";
        }

        zones[communes.First(c => c.Departement == "93" && !zones.ContainsKey(c.Code)).Code] = "X";
        zones[communes.First(c => c.Departement == "94" && !zones.ContainsKey(c.Code)).Code] = "X";
        var rest = communes.Where(c => !zones.ContainsKey(c.Code)).ToList();
        for (var i = 0; i < rest.Count; i++)
        {
            zones[rest[i].Code] = $"{rest[i].Departement}Z{i / 8:00}";
        }

        return zones;
    }

    private static byte[] Csv(IEnumerable<(string Commune, string Zone)> rows, string header = "codgeo;zone;nom_zone") =>
        Encoding.UTF8.GetBytes(header + "\n" + string.Join("\n", rows.Select(r => $"{r.Commune};{r.Zone};Zone {r.Zone}")) + "\n");

    /// <summary>
    /// Levels, territories and the figures of zoning levels: what a zoning adds. Not every figure nor the data version:
    /// the browser tests publish other datasets into the same database meanwhile.
    /// </summary>
    private async Task<(long Levels, long Territories, long ZoneFigures)> StateAsync()
    {
        await using var connection = await atlas.Db.OpenConnectionAsync();
        return await connection.QuerySingleAsync<(long, long, long)>("""
            select (select count(*) from level), (select count(*) from territory),
                   (select count(*) from observation o join territory t on t.id = o.territory_id join level l on l.code = t.level where l.zoning)
            """);
    }

    private async Task RemoveAsync(string code) =>
        await atlas.App.Services.GetRequiredService<ZoningService>().RemoveAsync(code, CancellationToken.None);

    [Fact]
    public async Task A_zoning_from_a_correspondence_table_becomes_a_level_with_unions_sums_recomputed_rates_and_secrecy()
    {
        const string code = "test_zonage";
        var communes = await CommunesAsync();
        var plan = Plan(communes);
        var http = atlas.App.CreateClient();
        var token = await atlas.TokenAsync(AtlasRoles.Admin);
        try
        {
            using var response = await http.SendAsync(Post(token, Csv(plan.Select(p => (p.Key, p.Value))), "zonage.csv", code));
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToString());
            Assert.Equal(plan.Values.Distinct().Count(), body.GetProperty("zones").GetInt32());
            Assert.Equal(plan.Count, body.GetProperty("communes").GetInt32());
            Assert.Equal(1, body.GetProperty("zonesAcrossDepartements").GetInt32());

            await using var connection = await atlas.Db.OpenConnectionAsync();
            // Outlines: valid, and as large as their communes together (no overlap lost, no sliver added).
            var outlines = (await connection.QueryAsync<(string Zone, bool Valid, double Area, double Parts, int Communes)>("""
                select z.code, ST_IsValid(z.geom), ST_Area(z.geom::geography), sum(ST_Area(c.geom::geography)), count(*)::int
                from territory z
                join territory_parent p on p.parent_id = z.id and p.parent_level = @code
                join territory c on c.id = p.territory_id
                where z.level = @code
                group by z.code, z.geom
                """, new { code })).ToList();
            Assert.Equal(plan.Values.Distinct().Order(), outlines.Select(o => o.Zone).Order());
            Assert.All(outlines, o => Assert.True(o.Valid, $"zone {o.Zone} is not valid"));
            Assert.All(outlines, o => Assert.True(Math.Abs(o.Area - o.Parts) <= 0.001 * o.Parts,
                $"zone {o.Zone}: {o.Area:0} m² for communes of {o.Parts:0} m²"));

            // Counts: the sum of the communes' figures wherever every commune has one.
            var population = (await connection.QueryAsync<(string Zone, double? Sum, long Communes, long WithFigure)>("""
                select z.code, sum(o.value), count(*), count(o.value)
                from territory z
                join territory_parent p on p.parent_id = z.id and p.parent_level = @code
                left join published_observation o on o.territory_id = p.territory_id and o.indicator_code = 'population_municipale' and o.year = 2021
                where z.level = @code
                group by z.code
                """, new { code })).ToDictionary(r => r.Zone);
            var zoneFigures = (await connection.QueryAsync<(string Zone, string Indicator, double? Value, double? Numerator, double? Denominator, string Status)>("""
                select z.code, o.indicator_code, o.value, o.numerator, o.denominator, o.status
                from territory z join published_observation o on o.territory_id = z.id
                where z.level = @code and o.year in (2019, 2021)
                  and o.indicator_code in ('population_municipale', 'caf_rsa_allocataires', 'caf_allocataires', 'caf_part_rsa_pct')
                  and (o.indicator_code = 'population_municipale') = (o.year = 2021)
                """, new { code })).ToDictionary(f => (f.Zone, f.Indicator));
            var complete = population.Values.Where(p => p.WithFigure == p.Communes).ToList();
            Assert.NotEmpty(complete);
            foreach (var p in population.Values)
            {
                if (p.WithFigure == p.Communes)
                {
                    Assert.Equal(p.Sum!.Value, zoneFigures[(p.Zone, "population_municipale")].Value!.Value, 6);
                }
                else
                {
                    Assert.False(zoneFigures.ContainsKey((p.Zone, "population_municipale")), $"zone {p.Zone} has a sum of incomplete communes");
                }
            }

            // Secrecy: a zone with a secret commune is secret, even though the other commune is open.
            Assert.Equal("suppressed", zoneFigures[("S", "caf_rsa_allocataires")].Status);
            Assert.Null(zoneFigures[("S", "caf_rsa_allocataires")].Value);
            // Its rate is secret too, or absent where the secret commune's count was never known (as for the commune).
            Assert.True(!zoneFigures.TryGetValue(("S", "caf_part_rsa_pct"), out var secretRate) || secretRate.Status == "suppressed");

            // Rates: recomputed from the summed numerator and denominator, not averaged.
            var r = communes.Where(c => plan[c.Code] == "R").ToList();
            var multiplier = await connection.ExecuteScalarAsync<double>("select multiplier from indicator where code = 'caf_part_rsa_pct'");
            var rate = zoneFigures[("R", "caf_part_rsa_pct")];
            Assert.Equal("ok", rate.Status);
            Assert.Equal(r.Sum(c => c.Rsa!.Value), rate.Numerator!.Value, 6);
            Assert.Equal(r.Sum(c => c.Allocataires!.Value), rate.Denominator!.Value, 6);
            Assert.Equal(multiplier * r.Sum(c => c.Rsa!.Value) / r.Sum(c => c.Allocataires!.Value), rate.Value!.Value, 9);
            var averaged = r.Average(c => multiplier * c.Rsa!.Value / c.Allocataires!.Value);
            Assert.NotEqual(averaged, rate.Value!.Value, 6);

            // A re-import or a dataset publication recomputes every derived figure (DerivedFigures.DerivedSteps): the zones'
            // figures come out the same (in a transaction rolled back, so the shared database is left as it was).
            await using (var transaction = await connection.BeginTransactionAsync())
            {
                const string figuresSql = """
                    select o.indicator_code || '|' || t.code || '|' || o.year || '|' || o.status || '|' || coalesce(o.value::text, '')
                    from observation o join territory t on t.id = o.territory_id where t.level = @code order by 1
                    """;
                var before = (await connection.QueryAsync<string>(figuresSql, new { code }, transaction)).ToList();
                foreach (var step in TerritoryAtlas.Web.Import.DerivedFigures.DerivedSteps)
                {
                    await connection.ExecuteAsync(TerritoryAtlas.Web.Import.DerivedFigures.StepSql(step), transaction: transaction, commandTimeout: 0);
                }

                Assert.Equal(before, await connection.QueryAsync<string>(figuresSql, new { code }, transaction));
                Assert.NotEmpty(before);
                await transaction.RollbackAsync();
            }

            // A level like the others: listed, mapped with the same figures, tiled, its zones listed with their flags.
            var levels = await http.GetFromJsonAsync<JsonElement>("/api/levels");
            var level = levels.EnumerateArray().Single(l => l.GetProperty("code").GetString() == code);
            Assert.True(level.GetProperty("zoning").GetBoolean());
            Assert.Equal("2024", level.GetProperty("vintage").GetString());
            Assert.Equal("departement", level.GetProperty("parent").GetString());

            var map = await http.GetFromJsonAsync<JsonElement>($"/api/maps/{code}/population_municipale/2021");
            var mapped = map.GetProperty("codes").EnumerateArray().Select(c => c.GetString()!)
                .Zip(map.GetProperty("values").EnumerateArray().Select(v => v.ValueKind == JsonValueKind.Number ? v.GetDouble() : (double?)null))
                .Where(p => p.Second is not null).ToDictionary(p => p.First, p => p.Second!.Value);
            Assert.Equal(complete.Select(p => p.Zone).Order(), mapped.Keys.Order());
            Assert.All(complete, p => Assert.Equal(p.Sum!.Value, mapped[p.Zone], 6));

            // Paris's tile at zoom 5 holds the petite couronne.
            using var tile = await http.GetAsync($"/tiles/{code}/5/16/11.mvt");
            Assert.Equal(HttpStatusCode.OK, tile.StatusCode);
            Assert.True((await tile.Content.ReadAsByteArrayAsync()).Length > 100);

            var zones = await http.GetFromJsonAsync<JsonElement>($"/api/zonings/{code}");
            var x = zones.EnumerateArray().Single(z => z.GetProperty("code").GetString() == "X");
            Assert.True(x.GetProperty("straddlesDepartement").GetBoolean());
            Assert.Equal(["93", "94"], x.GetProperty("departements").EnumerateArray().Select(d => d.GetString()));
            Assert.All(zones.EnumerateArray().Where(z => z.GetProperty("code").GetString() != "X"),
                z => Assert.False(z.GetProperty("straddlesDepartement").GetBoolean()));
        }
        finally
        {
            await RemoveAsync(code);
        }

        Assert.DoesNotContain(code, await http.GetStringAsync("/api/levels"));
    }

    [Fact]
    public async Task A_table_on_a_later_COG_carries_the_communes_a_commune_nouvelle_absorbed_into_its_zone()
    {
        // As INSEE's tables on COG 2025 list it: Saint-Denis (93066) with Pierrefitte-sur-Seine (93059) inside it.
        var communes = (await CommunesAsync()).Where(c => c.Departement == "93" && c.Code != "93059").ToList();
        var table = Csv(communes.Select(c => (c.Code, c.Code == "93066" ? "SD" : "Z" + c.Code)));
        var code = $"cog{Guid.NewGuid():N}"[..12];
        using var response = await atlas.App.CreateClient().SendAsync(Post(await atlas.TokenAsync(AtlasRoles.Admin), table, "cog2025.csv", code));
        var body = await response.Content.ReadAsStringAsync();
        try
        {
            Assert.True(response.StatusCode == HttpStatusCode.Created, body);
            var summary = JsonDocument.Parse(body).RootElement;
            Assert.Equal(1, summary.GetProperty("communesCarried").GetInt32());
            Assert.Equal(communes.Count + 1, summary.GetProperty("communes").GetInt32());
            await using var connection = await atlas.Db.OpenConnectionAsync();
            // Pierrefitte lies in Saint-Denis's zone, whose population is then the merged commune's published figure.
            var zoneOfPierrefitte = await connection.ExecuteScalarAsync<string>("""
                select z.code from territory c join territory_parent p on p.territory_id = c.id and p.parent_level = @code
                join territory z on z.id = p.parent_id where c.level = 'commune' and c.code = '93059'
                """, new { code });
            Assert.Equal("SD", zoneOfPierrefitte);
            var (zone, merged) = await connection.QuerySingleAsync<(double?, double?)>("""
                select (select o.value from published_observation o join territory z on z.id = o.territory_id
                        where z.level = @code and z.code = 'SD' and o.indicator_code = 'population_municipale' and o.year = 2023),
                       (select o.value from published_observation o join territory c on c.id = o.territory_id
                        where c.level = 'commune' and c.code = '93066' and o.indicator_code = 'population_municipale' and o.year = 2023)
                """, new { code });
            Assert.NotNull(merged);
            Assert.Equal(merged, zone);
        }
        finally
        {
            await RemoveAsync(code);
        }
    }

    [Fact]
    public async Task An_INSEE_workbook_with_title_rows_and_several_sheets_is_read_from_its_composition_sheet()
    {
        const string code = "test_bv";
        var communes = (await CommunesAsync()).Where(c => c.Departement == "93").ToList();
        using var workbook = new XLWorkbook();
        var list = workbook.AddWorksheet("BV2022");
        list.Cell(1, 1).Value = "Bassins de vie 2022 : liste des zones";
        var sheet = workbook.AddWorksheet("Composition_communale");
        sheet.Cell(1, 1).Value = "Bassins de vie 2022 (test) : composition communale";
        sheet.Cell(3, 1).Value = "Source : écrit par le test";
        string[] header = ["CODGEO", "LIBGEO", "BV2022", "LIBBV2022"];
        for (var i = 0; i < header.Length; i++)
        {
            sheet.Cell(5, i + 1).Value = header[i];
        }

        for (var i = 0; i < communes.Count; i++)
        {
            sheet.Cell(6 + i, 1).Value = communes[i].Code;
            sheet.Cell(6 + i, 2).Value = "commune";
            sheet.Cell(6 + i, 3).Value = i < 20 ? communes[0].Code : communes[20].Code;
            sheet.Cell(6 + i, 4).Value = i < 20 ? "Bassin A" : "Bassin B";
        }

        using var stream = new MemoryStream();
        workbook.SaveAs(stream);
        var http = atlas.App.CreateClient();
        try
        {
            using var response = await http.SendAsync(Post(await atlas.TokenAsync(AtlasRoles.Admin), stream.ToArray(), "BV2022.xlsx", code, "Bassins de vie 2022", "2022"));
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToString());
            Assert.Equal("BV2022", body.GetProperty("zoneColumn").GetString());
            Assert.Equal(2, body.GetProperty("zones").GetInt32());
            var zones = await http.GetFromJsonAsync<JsonElement>($"/api/zonings/{code}");
            Assert.Equal(["Bassin A", "Bassin B"], zones.EnumerateArray().Select(z => z.GetProperty("name").GetString()).Order());
            Assert.Equal([20, communes.Count - 20], zones.EnumerateArray().Select(z => z.GetProperty("communes").GetInt32()));
        }
        finally
        {
            await RemoveAsync(code);
        }
    }

    public static TheoryData<string, string, string, int?> BadTables => new()
    {
        { "unknown commune", "codgeo;zone\n93001;A\n99999;A\n", "99999", 3 },
        { "commune in two zones", "codgeo;zone\n93001;A\n93005;B\n93001;B\n", "two zones", 4 },
        { "empty zone", "codgeo;zone\n93001;A\n93005;\n", "no zone", 3 },
        { "zone code not a code", "codgeo;zone\n93001;A\n93005;B-2\n", "letters or digits", 3 },
        { "not a commune code", "codgeo;zone\n93001;A\nParis;B\n", "not a commune code", 3 },
        { "no rows", "codgeo;zone\n", "no commune", null },
        { "several zone columns", "codgeo;dep;bv;ze\n93001;93;A;B\n", "several columns", null },
        { "empty file", "", "empty", null },
    };

    [Theory]
    [MemberData(nameof(BadTables))]
    public async Task A_bad_table_is_refused_with_its_lines_and_changes_nothing(string what, string table, string expected, int? line)
    {
        var before = await StateAsync();
        using var response = await atlas.App.CreateClient().SendAsync(Post(await atlas.TokenAsync(AtlasRoles.Admin), Encoding.UTF8.GetBytes(table), "bad.csv", "test_bad"));
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, $"{what}: {problem}");
        var text = problem.ToString();
        Assert.Contains(expected, text, StringComparison.Ordinal);
        if (line is { } n)
        {
            Assert.Contains(problem.GetProperty("problems").EnumerateArray(), p => p.GetProperty("line").GetInt32() == n);
        }

        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.Equal(before, await StateAsync());
    }

    [Fact]
    public async Task Only_admins_add_zonings_and_a_taken_code_is_refused()
    {
        var before = await StateAsync();
        var file = Encoding.UTF8.GetBytes("codgeo;zone\n93001;A\n");
        var http = atlas.App.CreateClient();
        var anonymous = new HttpRequestMessage(HttpMethod.Post, "/api/zonings") { Content = new MultipartFormDataContent { { new ByteArrayContent(file), "file", "z.csv" } } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(anonymous)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(Post(await atlas.TokenAsync(AtlasRoles.Producer), file, "z.csv", "test_forbidden"))).StatusCode);
        var admin = await atlas.TokenAsync(AtlasRoles.Admin);
        Assert.Equal(HttpStatusCode.Conflict, (await http.SendAsync(Post(admin, file, "z.csv", "commune"))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.SendAsync(Post(admin, file, "z.csv", "Bad Code!"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.DeleteAsync("/api/zonings/test_none")).StatusCode);
        var delete = new HttpRequestMessage(HttpMethod.Delete, "/api/zonings/test_none");
        delete.Headers.Authorization = new AuthenticationHeaderValue("Bearer", admin);
        Assert.Equal(HttpStatusCode.NotFound, (await http.SendAsync(delete)).StatusCode);
        Assert.Equal(before, await StateAsync());
    }

    [Fact]
    public async Task The_command_line_adds_lists_and_removes_a_zoning_and_prints_the_lines_of_a_bad_table()
    {
        var directory = Directory.CreateTempSubdirectory("atlas-zoning-test");
        try
        {
            var good = Path.Combine(directory.FullName, "zones.csv");
            await File.WriteAllTextAsync(good, "CODGEO,ZE_TEST\n93001,A\n93005,A\n93006,B\n");
            var bad = Path.Combine(directory.FullName, "bad.csv");
            await File.WriteAllTextAsync(bad, "CODGEO,ZE_TEST\n93001,A\n98765,B\n");
            var output = new StringWriter();
            var error = new StringWriter();
            Assert.Equal(1, await ZoningCommand.RunAsync(atlas.App.Services,
                ["zoning", "add", "--name", "Essai", "--code", "test_cli", "--vintage", "2020", bad], output, error));
            Assert.Contains("line 3: commune 98765", error.ToString(), StringComparison.Ordinal);

            Assert.Equal(0, await ZoningCommand.RunAsync(atlas.App.Services,
                ["zoning", "add", "--name", "Essai", "--code", "test_cli", "--vintage", "2020", good], output, error));
            Assert.Contains("2 zones, 3 communes", output.ToString(), StringComparison.Ordinal);
            Assert.Equal(0, await ZoningCommand.RunAsync(atlas.App.Services, ["zoning", "list"], output, error));
            Assert.Contains("test_cli\tEssai", output.ToString(), StringComparison.Ordinal);
            Assert.Equal(0, await ZoningCommand.RunAsync(atlas.App.Services, ["zoning", "remove", "test_cli"], output, error));
        }
        finally
        {
            await RemoveAsync("test_cli");
            directory.Delete(recursive: true);
        }
    }
}
