using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ClosedXML.Excel;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using TerritoryAtlas.Testing;
using TerritoryAtlas.Web.Accounts;
using static TerritoryAtlas.IntegrationTests.TestAccounts;

namespace TerritoryAtlas.IntegrationTests.Datasets;

/// <summary>
/// Contributions end to end over HTTP with real bearer tokens, on the real database: real rows of the data
/// directory's files under a test indicator, published, rolled back, and bad files that change nothing.
/// </summary>
[Collection(nameof(AtlasCollection))]
public sealed class DatasetTests(AtlasFixture atlas)
{
    private static readonly string CommuneFile = Path.Combine(AtlasFixture.DataDirectory, "indicators", "tidy", "indicators_commune_long.csv");

    private static object NewIndicator(string code, object? mapping = null) => new Dictionary<string, object?>
    {
        ["code"] = code,
        ["label_fr"] = "<b>Test</b> =HYPERLINK(\"x\")",
        ["unit_fr"] = "euros",
        ["kind"] = "amount",
        ["source"] = "INSEE Filosofi (test)",
        ["producer"] = "INSEE",
        ["licence"] = "Licence Ouverte",
        ["mapping"] = mapping,
    };

    /// <summary>Real rows of the commune file (the median standard of living), renamed to a test indicator.</summary>
    private static byte[] RealRows(string indicator, int count, Func<string, string>? edit = null)
    {
        var lines = File.ReadLines(CommuneFile).Take(1).Concat(File.ReadLines(CommuneFile).Skip(1)
                .Where(l => l.Contains(",mediane_niveau_vie,", StringComparison.Ordinal)).Take(count)
                .Select(l => l.Replace(",mediane_niveau_vie,", $",{indicator},", StringComparison.Ordinal)))
            .Select(edit ?? (l => l));
        return Encoding.UTF8.GetBytes(string.Join('\n', lines) + "\n");
    }

    private async Task<(long Versions, long DataVersion, long Observations)> StateAsync()
    {
        await using var connection = await atlas.Db.OpenConnectionAsync();
        return await connection.QuerySingleAsync<(long, long, long)>(
            "select (select count(*) from dataset_version), (select version from data_version), (select count(*) from observation)");
    }

    /// <summary>
    /// What an account's uploads left: versions, their staged rows and their published figures. Scoped to the account
    /// because the browser tests publish into the same database at the same time (./atlas test runs the projects side
    /// by side), so the whole database's counts or data version can move during a test for reasons of their own.
    /// </summary>
    private async Task<(long Versions, long Staged, long Observations)> UploadsOfAsync(string email)
    {
        await using var connection = await atlas.Db.OpenConnectionAsync();
        return await connection.QuerySingleAsync<(long, long, long)>("""
            select (select count(*) from dataset_version where uploaded_by = @email),
                   (select count(*) from dataset_row r join dataset_version v on v.id = r.version_id where v.uploaded_by = @email),
                   (select count(*) from observation o join dataset_version v on v.id = o.dataset_version_id where v.uploaded_by = @email)
            """, new { email });
    }

    private static Task CleanUpAsync(string indicator) => TestDatabase.RemoveContributedIndicatorAsync(indicator);

    [Fact]
    public async Task The_contributions_page_sends_visitors_to_sign_in_refuses_members_and_opens_for_producers()
    {
        using var anonymous = atlas.App.CreateClient(new() { AllowAutoRedirect = false });
        var signIn = await anonymous.GetAsync("/contributions");
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.StartsWith("/compte/connexion", signIn.Headers.Location?.PathAndQuery, StringComparison.Ordinal);

        var (memberToken, _, _) = await atlas.AccountAsync(AtlasRoles.Member, "CAF page test");
        using var asMember = atlas.App.CreateClient(new() { AllowAutoRedirect = false });
        asMember.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", memberToken);
        Assert.Equal(HttpStatusCode.Forbidden, (await asMember.GetAsync("/contributions")).StatusCode);

        var (producerToken, _, _) = await atlas.AccountAsync(AtlasRoles.Producer, "CAF page test");
        using var asProducer = atlas.App.CreateClient(new() { AllowAutoRedirect = false });
        asProducer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", producerToken);
        var page = await asProducer.GetAsync("/contributions");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("data-testid=\"contributions\"", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_producer_contributes_real_rows_an_admin_publishes_then_rolls_back_and_provenance_follows()
    {
        var indicator = $"test_{Guid.NewGuid():N}"[..20];
        var (producer, _, organisation) = await atlas.AccountAsync(AtlasRoles.Producer, $"Partenaire {Guid.NewGuid():N}");
        var (admin, _, _) = await atlas.AccountAsync(AtlasRoles.Admin, null);
        var http = atlas.App.CreateClient();
        try
        {
            var before = await StateAsync();
            // Anonymous callers are turned away before anything is read.
            var anonymous = await http.PostAsync("/api/datasets", Upload(RealRows(indicator, 10), "f.csv", NewIndicator(indicator)));
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);

            var created = await http.SendAsync(Request(HttpMethod.Post, "/api/datasets", producer,
                Upload(RealRows(indicator, 2000), "filosofi-communes.csv", NewIndicator(indicator))));
            var body = await created.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(created.StatusCode == HttpStatusCode.Created, body.ToString());
            Assert.Equal("draft", body.GetProperty("status").GetString());
            var report = body.GetProperty("report");
            Assert.Equal(2000, report.GetProperty("read").GetInt64());
            Assert.Equal(report.GetProperty("read").GetInt64(), report.GetProperty("accepted").GetInt64() + report.GetProperty("rejectedCount").GetInt64());
            Assert.True(report.GetProperty("accepted").GetInt64() > 1900);
            var id = body.GetProperty("id").GetInt64();

            // A draft changes no observation and is not published data.
            Assert.Equal(0, await ObservationsOfAsync(indicator));
            var preview = await http.SendAsync(Request(HttpMethod.Get, $"/api/datasets/{id}", producer));
            var previewBody = await preview.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(previewBody.GetProperty("preview").EnumerateArray().All(p => p.GetProperty("new").GetInt64() > 0));

            // Another producer's organisation does not see the draft; the producer may not publish (admin only by default).
            var (stranger, _, _) = await atlas.AccountAsync(AtlasRoles.Producer, $"Autre {Guid.NewGuid():N}");
            Assert.Equal(HttpStatusCode.NotFound, (await http.SendAsync(Request(HttpMethod.Get, $"/api/datasets/{id}", stranger))).StatusCode);
            var refused = await http.SendAsync(Request(HttpMethod.Post, $"/api/datasets/{id}/publish", producer));
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);

            var published = await http.SendAsync(Request(HttpMethod.Post, $"/api/datasets/{id}/publish", admin));
            Assert.Equal(HttpStatusCode.OK, published.StatusCode);
            var afterPublish = await StateAsync();
            Assert.True(afterPublish.DataVersion > before.DataVersion);
            await using (var connection = await atlas.Db.OpenConnectionAsync())
            {
                var (rows, versions, label) = await connection.QuerySingleAsync<(long, long, string)>("""
                    select count(*), count(distinct o.dataset_version_id), max(i.label_fr)
                    from observation o join indicator i on i.code = o.indicator_code where o.indicator_code = @indicator
                    """, new { indicator });
                Assert.Equal(report.GetProperty("accepted").GetInt64(), rows);
                Assert.Equal(1, versions);
                // Metadata is stored as text, as given (encoded on output by the pages).
                Assert.Equal("<b>Test</b> =HYPERLINK(\"x\")", label);
                // Figure by figure, the published value is the file's: L'Abergement-Clémenciat 2014.
                Assert.Equal(21576.7, await connection.ExecuteScalarAsync<double>("""
                    select o.value from observation o join territory t on t.id = o.territory_id
                    where o.indicator_code = @indicator and t.level = 'commune' and t.code = '01001' and o.year = 2014
                    """, new { indicator }));
            }

            // Next year's file (one figure revised) is a second version; rolling it back brings the first back.
            var revised = RealRows(indicator, 2000, l => l.StartsWith("commune,01001,", StringComparison.Ordinal) && l.Contains(",2014,", StringComparison.Ordinal)
                ? l.Replace("21576.7", "22000", StringComparison.Ordinal) : l);
            var second = await (await http.SendAsync(Request(HttpMethod.Post, "/api/datasets", producer, Upload(revised, "filosofi-2.csv", NewIndicator(indicator)))))
                .Content.ReadFromJsonAsync<JsonElement>();
            var secondId = second.GetProperty("id").GetInt64();
            var revisedYear = second.GetProperty("version").GetProperty("preview").EnumerateArray().Single(p => p.GetProperty("year").GetInt32() == 2014);
            Assert.Equal(1, revisedYear.GetProperty("revised").GetInt64());
            var publishedSecond = await http.SendAsync(Request(HttpMethod.Post, $"/api/datasets/{secondId}/publish", admin));
            Assert.Equal(HttpStatusCode.OK, publishedSecond.StatusCode);
            Assert.Equal(22000, await ValueAsync(indicator));
            // The answer is the version's state without the comparison (read after the commit, it could fail a
            // publication that happened); GET compares: the version is now what is in force, nothing new or revised.
            var answer = await publishedSecond.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("published", answer.GetProperty("status").GetString());
            Assert.Empty(answer.GetProperty("preview").EnumerateArray());
            var inForce = await (await http.SendAsync(Request(HttpMethod.Get, $"/api/datasets/{secondId}", admin))).Content.ReadFromJsonAsync<JsonElement>();
            Assert.All(inForce.GetProperty("preview").EnumerateArray(), p => Assert.Equal(0, p.GetProperty("new").GetInt64() + p.GetProperty("revised").GetInt64()));
            Assert.Contains(inForce.GetProperty("preview").EnumerateArray(), p => p.GetProperty("unchanged").GetInt64() > 0);
            var first = await (await http.SendAsync(Request(HttpMethod.Get, $"/api/datasets/{id}", admin))).Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("superseded", first.GetProperty("status").GetString());

            var rolledBack = await http.SendAsync(Request(HttpMethod.Post, $"/api/datasets/{secondId}/rollback", admin));
            Assert.Equal(HttpStatusCode.OK, rolledBack.StatusCode);
            Assert.Equal("rejected", (await rolledBack.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetString());
            Assert.Equal(21576.7, await ValueAsync(indicator));
            first = await (await http.SendAsync(Request(HttpMethod.Get, $"/api/datasets/{id}", admin))).Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("published", first.GetProperty("status").GetString());

            // Rolling back the only version takes the dataset off the map.
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(Request(HttpMethod.Post, $"/api/datasets/{id}/rollback", admin))).StatusCode);
            await using var check = await atlas.Db.OpenConnectionAsync();
            Assert.Equal(0, await check.ExecuteScalarAsync<long>("select count(*) from observation where indicator_code = @indicator", new { indicator }));
            Assert.Equal(0, await ObservationsOfAsync(indicator));
        }
        finally
        {
            await CleanUpAsync(indicator);
        }
    }

    // This indicator's figures and any derived from it: what a draft must not add and a roll back must take away. (The
    // whole table's count is not a measure here: other tests publish into the same database at the same time.)
    private async Task<long> ObservationsOfAsync(string indicator)
    {
        await using var connection = await atlas.Db.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>("""
            select count(*) from observation o join indicator i on i.code = o.indicator_code
            where @indicator in (i.code, i.numerator, i.denominator)
            """, new { indicator });
    }

    private async Task<double> ValueAsync(string indicator)
    {
        await using var connection = await atlas.Db.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<double>("""
            select o.value from observation o join territory t on t.id = o.territory_id
            where o.indicator_code = @indicator and t.level = 'commune' and t.code = '01001' and o.year = 2014
            """, new { indicator });
    }

    public static TheoryData<string, string, string> BadFiles => new()
    {
        { "truncated.csv", "geo_level,geo_code,geo_name,indicator,year,value\ncommune,01001,\"L'Abergement,mediane_niveau_vie,2014,1\n", "line 2" },
        { "short-row.csv", "geo_level,geo_code,geo_name,indicator,year,value\ncommune,01001,X,mediane_niveau_vie,2014\n", "line 2" },
        { "utf16.csv", "UTF16", "NUL bytes" },
        { "no-mapping.csv", "CODGEO;LIBGEO;P21_POP\n01001;L'Abergement;832\n", "no mapping" },
        { "bomb.xlsx", "BOMB", "parts" },
        { "broken.xlsx", "BROKEN", "XLSX" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task A_bad_file_gets_a_report_naming_the_file_and_the_place_and_changes_nothing(string name, string content, string expected)
    {
        var (admin, email, _) = await atlas.AccountAsync(AtlasRoles.Admin, null);
        var bytes = content switch
        {
            "UTF16" => Encoding.Unicode.GetBytes("geo_level,geo_code,geo_name,indicator,year,value\ncommune,01001,X,mediane_niveau_vie,2014,1\n"),
            "BOMB" => ManyEntriesZip(),
            "BROKEN" => [.. Xlsx(ws => ws.Cell(2, 1).Value = "commune").Take(400)],
            _ => Encoding.UTF8.GetBytes(content),
        };
        var before = await UploadsOfAsync(email);
        var response = await atlas.App.CreateClient().SendAsync(Request(HttpMethod.Post, "/api/datasets", admin, Upload(bytes, name, null)));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.StartsWith(name, detail, StringComparison.Ordinal);
        Assert.Contains(expected, detail, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", detail, StringComparison.Ordinal);
        Assert.Equal(before, await UploadsOfAsync(email));
    }

    [Fact]
    public async Task An_xlsx_with_a_formula_is_refused_at_its_line_and_a_clean_one_is_read()
    {
        var indicator = $"test_{Guid.NewGuid():N}"[..20];
        var (admin, _, _) = await atlas.AccountAsync(AtlasRoles.Admin, null);
        var http = atlas.App.CreateClient();
        try
        {
            var withFormula = Xlsx(ws =>
            {
                ws.Cell(3, 1).Value = "commune";
                ws.Cell(3, 2).Value = "01002";
                ws.Cell(3, 3).Value = "X";
                ws.Cell(3, 4).Value = indicator;
                ws.Cell(3, 5).Value = 2019;
                ws.Cell(3, 6).FormulaA1 = "=F2*2";
            }, indicator);
            var refused = await http.SendAsync(Request(HttpMethod.Post, "/api/datasets", admin, Upload(withFormula, "formula.xlsx", NewIndicator(indicator))));
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
            Assert.Contains("line 3: cell F3 holds a formula", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);

            var clean = await http.SendAsync(Request(HttpMethod.Post, "/api/datasets", admin, Upload(Xlsx(_ => { }, indicator), "clean.xlsx", NewIndicator(indicator))));
            var body = await clean.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(clean.StatusCode == HttpStatusCode.Created, body.ToString());
            Assert.Equal(1, body.GetProperty("report").GetProperty("accepted").GetInt64());
            Assert.Equal("xlsx", body.GetProperty("version").GetProperty("format").GetString());
        }
        finally
        {
            await CleanUpAsync(indicator);
        }
    }

    [Fact]
    public async Task A_windows_1252_semicolon_file_with_a_mapping_is_read_and_next_years_file_needs_no_mapping()
    {
        var indicator = $"test_{Guid.NewGuid():N}"[..20];
        var (producer, _, _) = await atlas.AccountAsync(AtlasRoles.Producer, $"Département {Guid.NewGuid():N}");
        var http = atlas.App.CreateClient();
        try
        {
            // INSEE's populations légales 2021 by commune, as a partner's spreadsheet would export it: semicolons,
            // Windows-1252 accents, a year column added, decimal commas.
            var source = File.ReadLines(Path.Combine(AtlasFixture.DataDirectory, "indicators", "population", "insee_populations_legales_2021_communes.csv"))
                .Skip(1).Take(300).Select(l => l.Split(',')).Select(f => $"{f[6]};{f[7]};2021;{f[10]},0").ToList();
            var text = "Code commune;Libellé;Année;Population totale\r\n" + string.Join("\r\n", source) + "\r\n";
            System.Text.Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
            var bytes = Encoding.GetEncoding(1252).GetBytes(text);
            var mapping = new Dictionary<string, object?> { ["code"] = "Code commune", ["year"] = "Année", ["value"] = "Population totale", ["level"] = "commune", ["name"] = "Libellé" };
            var metadata = NewIndicator(indicator, mapping);
            var first = await http.SendAsync(Request(HttpMethod.Post, "/api/datasets", producer, Upload(bytes, "pop.csv", metadata)));
            var body = await first.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(first.StatusCode == HttpStatusCode.Created, body.ToString());
            Assert.Equal(300, body.GetProperty("report").GetProperty("read").GetInt64());
            Assert.True(body.GetProperty("report").GetProperty("accepted").GetInt64() >= 290);

            // Same shape, no mapping given: the remembered one is used.
            var again = await http.SendAsync(Request(HttpMethod.Post, "/api/datasets", producer,
                Upload(bytes, "pop-2022.csv", new Dictionary<string, object?> { ["code"] = indicator })));
            var againBody = await again.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(again.StatusCode == HttpStatusCode.Created, againBody.ToString());
            Assert.Equal(body.GetProperty("report").GetProperty("accepted").GetInt64(), againBody.GetProperty("report").GetProperty("accepted").GetInt64());
        }
        finally
        {
            await CleanUpAsync(indicator);
        }
    }

    private static byte[] Xlsx(Action<IXLWorksheet> edit, string indicator = "mediane_niveau_vie")
    {
        using var workbook = new XLWorkbook();
        var ws = workbook.AddWorksheet("data");
        string[] header = ["geo_level", "geo_code", "geo_name", "indicator", "year", "value"];
        for (var i = 0; i < header.Length; i++)
        {
            ws.Cell(1, i + 1).Value = header[i];
        }

        ws.Cell(2, 1).Value = "commune";
        ws.Cell(2, 2).Value = "01001";
        ws.Cell(2, 3).Value = "L'Abergement-Clémenciat";
        ws.Cell(2, 4).Value = indicator;
        ws.Cell(2, 5).Value = 2019;
        ws.Cell(2, 6).Value = 22500.5;
        edit(ws);
        using var stream = new MemoryStream();
        workbook.SaveAs(stream);
        return stream.ToArray();
    }

    /// <summary>A zip posing as a workbook with more parts than any spreadsheet has.</summary>
    private static byte[] ManyEntriesZip()
    {
        using var stream = new MemoryStream();
        using (var zip = new System.IO.Compression.ZipArchive(stream, System.IO.Compression.ZipArchiveMode.Create, true))
        {
            for (var i = 0; i < 1500; i++)
            {
                zip.CreateEntry($"xl/worksheets/sheet{i}.xml");
            }
        }

        return stream.ToArray();
    }
}
