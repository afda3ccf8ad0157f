using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ClosedXML.Excel;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using TerritoryAtlas.Web.Accounts;
using TerritoryAtlas.Web.Data;
using TerritoryAtlas.Web.Datasets;
using TerritoryAtlas.Web.Import;
using static TerritoryAtlas.IntegrationTests.TestAccounts;

namespace TerritoryAtlas.IntegrationTests.Datasets;

/// <summary>
/// INSEE's commune correspondences uploaded by an admin through POST /api/datasets, in INSEE's own layouts, written
/// here from real communes: the table de passage annuelle (title rows, NIVGEO, CODGEO_20yy…, LIBGEO_20yy) and the COG's
/// mouvements des communes (v_mvt_commune_20yy.csv). Les Sables-d'Olonne (85194) absorbed Château-d'Olonne (85060)
/// and Olonne-sur-Mer (85166) on 1 January 2019, and Évry (91228) Courcouronnes (91182): three of the 67 communes
/// the data directory's 2018→2024 correspondence leaves "non-resolu" (geodata SOURCES.md, D).
/// </summary>
[Collection(nameof(AtlasCollection))]
public sealed class GeographyUploadTests(AtlasFixture atlas)
{
    private static readonly int[] Years = [2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024];

    /// <summary>The table's rows: a commune of 2017 and its code in every year to 2024, with its 2024 name.</summary>
    private static readonly (string[] Codes, string Name)[] Lineages =
    [
        (["85060", "85060", "85194", "85194", "85194", "85194", "85194", "85194"], "Les Sables-d'Olonne"),
        (["85166", "85166", "85194", "85194", "85194", "85194", "85194", "85194"], "Les Sables-d'Olonne"),
        (["85194", "85194", "85194", "85194", "85194", "85194", "85194", "85194"], "Les Sables-d'Olonne"),
        (["91182", "91182", "91228", "91228", "91228", "91228", "91228", "91228"], "Évry-Courcouronnes"),
        (["91228", "91228", "91228", "91228", "91228", "91228", "91228", "91228"], "Évry-Courcouronnes"),
        (["93066", "93066", "93066", "93066", "93066", "93066", "93066", "93066"], "Saint-Denis"),
        (["85191", "85191", "85191", "85191", "85191", "85191", "85191", "85191"], "La Roche-sur-Yon"),
    ];

    /// <summary>INSEE's workbook: the COM sheet first, five title rows, then the variable names and one row per lineage.</summary>
    private static byte[] TablePassageXlsx(IEnumerable<(string[] Codes, string Name)> rows)
    {
        using var workbook = new XLWorkbook();
        var sheet = workbook.AddWorksheet("COM");
        sheet.Cell(1, 1).Value = "Table de passage annuelle entre les codes des communes, de 2017 à 2024";
        sheet.Cell(2, 1).Value = "Source : Insee, Code officiel géographique";
        sheet.Cell(4, 1).Value = "Mise à jour : janvier 2024";
        var header = Years.Select(y => $"CODGEO_{y}").Prepend("NIVGEO").Append("LIBGEO_2024").ToArray();
        for (var c = 0; c < header.Length; c++)
        {
            sheet.Cell(6, c + 1).Value = header[c];
        }

        var line = 7;
        foreach (var (codes, name) in rows)
        {
            sheet.Cell(line, 1).Value = "COM";
            for (var c = 0; c < codes.Length; c++)
            {
                // INSEE writes codes as text (leading zeros, 2A/2B).
                sheet.Cell(line, c + 2).SetValue(codes[c]);
            }

            sheet.Cell(line, codes.Length + 2).Value = name;
            line++;
        }

        workbook.AddWorksheet("Documentation").Cell(1, 1).Value = "NIVGEO : niveau géographique";
        using var stream = new MemoryStream();
        workbook.SaveAs(stream);
        return stream.ToArray();
    }

    /// <summary>The same table saved as CSV by a spreadsheet (semicolons, empty cells after each title).</summary>
    private static byte[] TablePassageCsv(IEnumerable<(string[] Codes, string Name)> rows)
    {
        var width = Years.Length + 2;
        var lines = new List<string>
        {
            "Table de passage annuelle entre les codes des communes, de 2017 à 2024" + new string(';', width - 1),
            "Source : Insee, Code officiel géographique" + new string(';', width - 1),
            new(';', width - 1),
            string.Join(';', Years.Select(y => $"CODGEO_{y}").Prepend("NIVGEO").Append("LIBGEO_2024")),
        };
        lines.AddRange(rows.Select(r => string.Join(';', r.Codes.Prepend("COM").Append(r.Name))));
        return Encoding.UTF8.GetBytes(string.Join("\r\n", lines) + "\r\n");
    }

    private const string MovementHeader = "MOD,DATE_EFF,TYPECOM_AV,COM_AV,TNCC_AV,NCC_AV,NCCENR_AV,LIBELLE_AV,TYPECOM_AP,COM_AP,TNCC_AP,NCC_AP,NCCENR_AP,LIBELLE_AP";

    /// <summary>
    /// The perimeters in force and the figures on them for the communes these tables touch and the indicators the tests
    /// read: not the whole tables, which the browser tests' publications change in the same database meanwhile.
    /// </summary>
    private async Task<string> PerimetersDigestAsync()
    {
        var codes = Lineages.SelectMany(l => l.Codes).Distinct().ToArray();
        await using var connection = await atlas.Db.OpenConnectionAsync();
        return await connection.QuerySingleAsync<string>("""
            select concat_ws(' | ',
                (select string_agg(concat_ws(':', level, code, from_year, kind, array_to_string(parts, ','), known_by, source, dataset_version_id), ';'
                                   order by level, code, from_year)
                 from perimeter_change where level = 'commune' and (code = any(@codes) or parts && @codes)),
                (select count(*) || ' ' || coalesce(round(sum(p.value)::numeric, 3), 0) || ' ' || count(*) filter (where p.status = 'break')
                 from perimeter_observation p join territory t on t.id = p.territory_id
                 where t.level = 'commune' and t.code = any(@codes)
                   and p.indicator_code in ('caf_allocataires', 'mediane_niveau_vie', 'population_municipale')))
            """, new { codes });
    }

    /// <summary>
    /// The geography dataset's versions, the staged correspondence sources and the data version. Compare the first two
    /// for "nothing changed": the browser tests upload and publish other datasets into the same database meanwhile, so
    /// the data version (and every other dataset's versions) may move for reasons of their own.
    /// </summary>
    private async Task<(long Versions, long Sources, long DataVersion)> StateAsync()
    {
        await using var connection = await atlas.Db.OpenConnectionAsync();
        return await connection.QuerySingleAsync<(long, long, long)>("""
            select (select count(*) from dataset_version v join dataset d on d.id = v.dataset_id where d.name = @geography),
                   (select count(*) from perimeter_change_source), (select version from data_version)
            """, new { geography = GeographyChanges.DatasetName });
    }

    private async Task<JsonElement> PointAsync(HttpClient http, string token, string indicator, string code, int year)
    {
        var response = await http.SendAsync(Request(HttpMethod.Get, $"/api/series/{indicator}/commune/{code}", token));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        return body.GetProperty("series").EnumerateArray().Single(s => s.GetProperty("role").GetString() == "territory")
            .GetProperty("points").EnumerateArray().Single(p => p.GetProperty("year").GetInt32() == year);
    }

    [Fact]
    public async Task An_admin_publishes_INSEE_table_de_passage_and_a_merger_left_unresolved_is_harmonised_until_rolled_back()
    {
        var admin = await atlas.TokenAsync(AtlasRoles.Admin, null);
        var producer = await atlas.TokenAsync(AtlasRoles.Producer, $"Partenaire {Guid.NewGuid():N}");
        using var http = atlas.PatientClient();
        long? published = null;
        try
        {
            // Before: the data directory's correspondence does not know the merger, so Les Sables-d'Olonne's 2016 CAF
            // figure is the old commune's alone, read as if it were today's commune.
            var perimetersBefore = await PerimetersDigestAsync();
            var before = await PointAsync(http, admin, "caf_allocataires", "85194", 2016);
            Assert.Equal(2484, before.GetProperty("value").GetDouble());
            Assert.False(before.TryGetProperty("perimeter", out var perimeter) && perimeter.ValueKind != JsonValueKind.Null, before.ToString());
            var medianBefore = await PointAsync(http, admin, "mediane_niveau_vie", "91228", 2016);
            Assert.Equal("ok", medianBefore.GetProperty("status").GetString());

            // A producer (not an admin) is refused before anything is stored: geography is the observatory's.
            var state = await StateAsync();
            var refused = await http.SendAsync(Request(HttpMethod.Post, "/api/datasets", producer, Upload(TablePassageXlsx(Lineages), "table_passage_annuelle_2024.xlsx")));
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            var unchanged = await StateAsync();
            Assert.Equal((state.Versions, state.Sources), (unchanged.Versions, unchanged.Sources));

            var created = await http.SendAsync(Request(HttpMethod.Post, "/api/datasets", admin, Upload(TablePassageXlsx(Lineages), "table_passage_annuelle_2024.xlsx")));
            var body = await created.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(created.StatusCode == HttpStatusCode.Created, body.ToString());
            Assert.Equal("draft", body.GetProperty("status").GetString());
            var id = body.GetProperty("id").GetInt64();
            var report = body.GetProperty("report");
            Assert.Equal("insee-table-passage", report.GetProperty("layout").GetString());
            Assert.Equal(Lineages.Length, report.GetProperty("read").GetInt64());
            Assert.Equal(0, report.GetProperty("rejectedCount").GetInt64());
            var geography = report.GetProperty("geography");
            Assert.Equal(2018, geography.GetProperty("boundaryVintage").GetInt32());
            Assert.Equal(2024, geography.GetProperty("lastVintage").GetInt32());
            Assert.Equal(2, geography.GetProperty("merges").GetInt32());
            Assert.Equal(2, geography.GetProperty("new").GetInt32());
            var sables = geography.GetProperty("changes").EnumerateArray().Single(c => c.GetProperty("code").GetString() == "85194");
            Assert.Equal(["85194", "85060", "85166"], sables.GetProperty("parts").EnumerateArray().Select(p => p.GetString()));
            Assert.Equal(2019, sables.GetProperty("fromYear").GetInt32());
            Assert.Equal(2019, sables.GetProperty("knownBy").GetInt32());
            Assert.Equal("new", sables.GetProperty("status").GetString());
            Assert.Equal(["85060", "85166", "91182"], geography.GetProperty("resolved").EnumerateArray().Select(r => r.GetProperty("code").GetString()).Order());
            Assert.True(geography.GetProperty("kept").GetInt32() >= 214, geography.ToString());

            // The draft changes nothing in force; a producer neither sees nor publishes it.
            Assert.Equal(perimetersBefore, await PerimetersDigestAsync());
            Assert.Equal(HttpStatusCode.NotFound, (await http.SendAsync(Request(HttpMethod.Get, $"/api/datasets/{id}", producer))).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await http.SendAsync(Request(HttpMethod.Post, $"/api/datasets/{id}/publish", producer))).StatusCode);
            var draft = await http.SendAsync(Request(HttpMethod.Get, $"/api/datasets/{id}", admin));
            Assert.Equal(HttpStatusCode.OK, draft.StatusCode);

            var dataVersion = (await StateAsync()).DataVersion;
            var publish = await http.SendAsync(Request(HttpMethod.Post, $"/api/datasets/{id}/publish", admin));
            Assert.True(publish.StatusCode == HttpStatusCode.OK, await publish.Content.ReadAsStringAsync());
            published = id;
            Assert.True((await StateAsync()).DataVersion > dataVersion);

            await using (var connection = await atlas.Db.OpenConnectionAsync())
            {
                var change = await connection.QuerySingleAsync<(string[] Parts, string Source, long? Version, short FromYear)>(
                    "select parts, source, dataset_version_id, from_year from perimeter_change where level = 'commune' and code = '85194'");
                Assert.Equal(["85194", "85060", "85166"], change.Parts);
                Assert.Equal(id, change.Version);
                Assert.Contains("table_passage_annuelle_2024.xlsx", change.Source, StringComparison.Ordinal);
                Assert.Equal(2019, change.FromYear);
            }

            // After: 2016 on today's perimeter is the sum of the three former communes, each figure read from the
            // database; Évry-Courcouronnes's 2016 median cannot be summed, so its series breaks there with the reason.
            await AssertHarmonisedAsync(http, admin);

            // A later `./atlas import` rewrites the import's perimeter changes, not the admin's published table.
            var geodata = ManifestFiles.Load<GeodataManifest>(Path.Combine(AtlasFixture.RepositoryRoot, "geodata", "manifest.json"));
            await Perimeters.ImportAsync(atlas.Db, geodata, AtlasFixture.DataDirectory, CancellationToken.None);
            await using (var connection = await atlas.Db.OpenConnectionAsync())
            await using (var transaction = await connection.BeginTransactionAsync())
            {
                await connection.ExecuteAsync(new CommandDefinition(DerivedFigures.StepSql("Import.perimeter_observations.sql"), transaction: transaction, commandTimeout: 0));
                await transaction.CommitAsync();
                Assert.Equal(id, await connection.ExecuteScalarAsync<long?>(
                    "select dataset_version_id from perimeter_change where level = 'commune' and code = '85194'"));
                Assert.True(await connection.ExecuteScalarAsync<long>("select count(*) from perimeter_change where dataset_version_id is null") >= 214);
            }

            await AssertHarmonisedAsync(http, admin);

            // Roll back: the perimeters and figures in force before, and the data version moves again.
            dataVersion = (await StateAsync()).DataVersion;
            var rollback = await http.SendAsync(Request(HttpMethod.Post, $"/api/datasets/{id}/rollback", admin));
            Assert.True(rollback.StatusCode == HttpStatusCode.OK, await rollback.Content.ReadAsStringAsync());
            published = null;
            Assert.True((await StateAsync()).DataVersion > dataVersion);
            Assert.Equal(perimetersBefore, await PerimetersDigestAsync());
            var after = await PointAsync(http, admin, "caf_allocataires", "85194", 2016);
            Assert.Equal(2484, after.GetProperty("value").GetDouble());
            Assert.Equal("ok", (await PointAsync(http, admin, "mediane_niveau_vie", "91228", 2016)).GetProperty("status").GetString());
        }
        finally
        {
            if (published is { } p)
            {
                await http.SendAsync(Request(HttpMethod.Post, $"/api/datasets/{p}/rollback", admin));
            }
        }
    }

    private async Task AssertHarmonisedAsync(HttpClient http, string admin)
    {
        await using var connection = await atlas.Db.OpenConnectionAsync();
        var parts = await connection.QuerySingleAsync<double>("""
            select sum(o.value) from observation o join territory t on t.id = o.territory_id
            where o.indicator_code = 'caf_allocataires' and o.year = 2016 and t.level = 'commune' and t.code in ('85194', '85060', '85166') and o.status = 'ok'
            having count(*) = 3
            """);
        var harmonised = await PointAsync(http, admin, "caf_allocataires", "85194", 2016);
        Assert.Equal(parts, harmonised.GetProperty("value").GetDouble());
        Assert.Equal(2484 + 1965 + 2323, parts);
        Assert.Equal("former", harmonised.GetProperty("perimeter").GetString());
        Assert.Equal(2484, harmonised.GetProperty("publishedValue").GetDouble());
        var median = await PointAsync(http, admin, "mediane_niveau_vie", "91228", 2016);
        Assert.Equal("break", median.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, median.GetProperty("value").ValueKind);
        Assert.Contains("Évry-Courcouronnes", median.GetProperty("note").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task INSEE_mouvements_des_communes_give_mergers_and_splits_since_the_layer_and_ignore_what_came_before()
    {
        var admin = await atlas.TokenAsync(AtlasRoles.Admin, null);
        using var http = atlas.PatientClient();
        string[] rows =
        [
            MovementHeader,
            // 2017: Saline (14712) made of Troarn and Sannerville: already in the 2018 layer, not a change since.
            "32,2017-01-01,COM,14666,0,SANNERVILLE,Sannerville,Sannerville,COM,14712,0,SALINE,Saline,Saline",
            "32,2017-01-01,COM,14712,0,TROARN,Troarn,Troarn,COM,14712,0,SALINE,Saline,Saline",
            // 2019: Les Sables-d'Olonne absorbs Château-d'Olonne and Olonne-sur-Mer; Sannerville is restored (a split).
            "32,2019-01-01,COM,85060,0,CHATEAU D OLONNE,Château-d'Olonne,Château-d'Olonne,COM,85194,3,SABLES D OLONNE,Sables-d'Olonne,Les Sables-d'Olonne",
            "32,2019-01-01,COM,85166,0,OLONNE SUR MER,Olonne-sur-Mer,Olonne-sur-Mer,COM,85194,3,SABLES D OLONNE,Sables-d'Olonne,Les Sables-d'Olonne",
            "32,2019-01-01,COM,85194,3,SABLES D OLONNE,Sables-d'Olonne,Les Sables-d'Olonne,COM,85194,3,SABLES D OLONNE,Sables-d'Olonne,Les Sables-d'Olonne",
            "21,2019-01-01,COM,14712,0,SALINE,Saline,Saline,COM,14712,0,TROARN,Troarn,Troarn",
            "21,2019-01-01,COM,14712,0,SALINE,Saline,Saline,COM,14666,0,SANNERVILLE,Sannerville,Sannerville",
            // 2023: Culoz-Béon; Béon becomes a commune déléguée (a COMD row: part of a commune, not a perimeter).
            "32,2023-01-01,COM,01039,0,BEON,Béon,Béon,COM,01138,0,CULOZ BEON,Culoz-Béon,Culoz-Béon",
            "32,2023-01-01,COM,01039,0,BEON,Béon,Béon,COMD,01039,0,BEON,Béon,Béon",
            "32,2023-01-01,COM,01138,0,CULOZ,Culoz,Culoz,COM,01138,0,CULOZ BEON,Culoz-Béon,Culoz-Béon",
        ];
        var state = await StateAsync();
        var created = await http.SendAsync(Request(HttpMethod.Post, "/api/datasets", admin,
            Upload(Encoding.UTF8.GetBytes(string.Join('\n', rows) + "\n"), "v_mvt_commune_2024.csv")));
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(created.StatusCode == HttpStatusCode.Created, body.ToString());
        var report = body.GetProperty("report");
        Assert.Equal("insee-mouvements-communes", report.GetProperty("layout").GetString());
        Assert.Equal(rows.Length - 1, report.GetProperty("read").GetInt64());
        var geography = report.GetProperty("geography");
        var changes = geography.GetProperty("changes").EnumerateArray().ToDictionary(c => c.GetProperty("code").GetString()!);
        Assert.Equal(["01138", "14712", "85194"], changes.Keys.Order());
        Assert.Equal("merged", changes["85194"].GetProperty("kind").GetString());
        Assert.Equal("new", changes["85194"].GetProperty("status").GetString());
        Assert.Equal("split", changes["14712"].GetProperty("kind").GetString());
        Assert.Equal(["14712", "14666"], changes["14712"].GetProperty("parts").EnumerateArray().Select(p => p.GetString()));
        // The data directory knew Culoz-Béon's parts but not when: the movement dates it to COG 2023.
        Assert.Equal("dated", changes["01138"].GetProperty("status").GetString());
        Assert.Equal(2023, changes["01138"].GetProperty("fromYear").GetInt32());
        Assert.Equal(1, geography.GetProperty("splits").GetInt32());
        // Sannerville has no polygon in the 2018 layer (merged in 2017): listed, not placed.
        Assert.Contains(geography.GetProperty("notPlaced").EnumerateArray(), n => n.GetProperty("code").GetString() == "14666");

        // A draft: staged, nothing in force changed, the data version unmoved.
        var after = await StateAsync();
        Assert.Equal(state.Versions + 1, after.Versions);
        Assert.Equal(state.Sources + 3, after.Sources);
    }

    /// <summary>A partner's figure under <paramref name="code"/>, validated as a draft: its report.</summary>
    private async Task<JsonElement> ContributeFigureAsync(HttpClient http, string producer, string indicator, string code)
    {
        var body = await ContributeFigureVersionAsync(http, producer, indicator, code);
        return body.TryGetProperty("report", out var report) ? report : body;
    }

    /// <summary>A partner's figure under <paramref name="code"/>, validated as a draft: the answer (id, status, report).</summary>
    private async Task<JsonElement> ContributeFigureVersionAsync(HttpClient http, string producer, string indicator, string code)
    {
        var content = Upload(Encoding.UTF8.GetBytes($"geo_level,geo_code,geo_name,indicator,year,value\ncommune,{code},La Roche-sur-Yon,{indicator},2024,1234\n"), "partenaire.csv");
        content.Add(new StringContent(JsonSerializer.Serialize(new Dictionary<string, object?>
        {
            ["code"] = indicator,
            ["label_fr"] = "Test de report de code",
            ["unit_fr"] = "personnes",
            ["kind"] = "count",
            ["source"] = "Partenaire (test)",
            ["producer"] = "Partenaire",
            ["licence"] = "Licence Ouverte",
        })), "metadata");
        var response = await http.SendAsync(Request(HttpMethod.Post, "/api/datasets", producer, content));
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    [Fact]
    public async Task A_code_change_in_a_published_correspondence_carries_partners_figures_to_the_layers_commune_until_rolled_back()
    {
        var admin = await atlas.TokenAsync(AtlasRoles.Admin, null);
        var producer = await atlas.TokenAsync(AtlasRoles.Producer, $"Partenaire {Guid.NewGuid():N}");
        var indicator = $"test_{Guid.NewGuid():N}"[..20];
        using var http = atlas.PatientClient();
        long? published = null;
        try
        {
            // La Roche-sur-Yon (85191) under a code of COG 2024 (a change of code alone, MOD 41: written for the test).
            var created = await http.SendAsync(Request(HttpMethod.Post, "/api/datasets", admin, Upload(Encoding.UTF8.GetBytes(
                $"{MovementHeader}\n41,2024-01-01,COM,85191,0,ROCHE SUR YON,Roche-sur-Yon,La Roche-sur-Yon,COM,85999,0,ROCHE SUR YON,Roche-sur-Yon,La Roche-sur-Yon\n"),
                "v_mvt_commune_2024.csv")));
            var body = await created.Content.ReadFromJsonAsync<JsonElement>();
            Assert.True(created.StatusCode == HttpStatusCode.Created, body.ToString());
            var id = body.GetProperty("id").GetInt64();
            var geography = body.GetProperty("report").GetProperty("geography");
            Assert.Equal(1, geography.GetProperty("codeChanges").GetInt32());
            var recoded = Assert.Single(geography.GetProperty("recoded").EnumerateArray());
            Assert.Equal(("85999", "85191"), (recoded.GetProperty("code").GetString(), recoded.GetProperty("boundaryCode").GetString()));

            // A draft carries nothing: the partner's figure under the new code is an unknown code.
            var draft = await ContributeFigureAsync(http, producer, indicator, "85999");
            Assert.Equal(0, draft.GetProperty("codesCarried").GetInt64());
            Assert.Contains(draft.GetProperty("unknownCodes").EnumerateArray(), u => u.GetProperty("code").GetString() == "85999");

            var publish = await http.SendAsync(Request(HttpMethod.Post, $"/api/datasets/{id}/publish", admin));
            Assert.True(publish.StatusCode == HttpStatusCode.OK, await publish.Content.ReadAsStringAsync());
            published = id;
            var carried = await ContributeFigureAsync(http, producer, indicator, "85999");
            Assert.True(carried.GetProperty("codesCarried").GetInt64() == 1, carried.ToString());
            Assert.Equal(1, carried.GetProperty("accepted").GetInt64());
            Assert.Empty(carried.GetProperty("unknownCodes").EnumerateArray());

            var rollback = await http.SendAsync(Request(HttpMethod.Post, $"/api/datasets/{id}/rollback", admin));
            Assert.True(rollback.StatusCode == HttpStatusCode.OK, await rollback.Content.ReadAsStringAsync());
            published = null;
            Assert.Equal(0, (await ContributeFigureAsync(http, producer, indicator, "85999")).GetProperty("codesCarried").GetInt64());
        }
        finally
        {
            if (published is { } p)
            {
                await http.SendAsync(Request(HttpMethod.Post, $"/api/datasets/{p}/rollback", admin));
            }
        }
    }

    [Fact]
    public async Task A_correspondence_is_not_rolled_back_from_under_published_figures_its_code_links_carried()
    {
        var admin = await atlas.TokenAsync(AtlasRoles.Admin, null);
        var producer = await atlas.TokenAsync(AtlasRoles.Producer, $"Partenaire {Guid.NewGuid():N}");
        var indicator = $"test_{Guid.NewGuid():N}"[..20];
        using var http = atlas.PatientClient();
        var published = new List<long>();
        async Task<HttpResponseMessage> ActAsync(string action, long version)
        {
            var response = await http.SendAsync(Request(HttpMethod.Post, $"/api/datasets/{version}/{action}", admin));
            if (response.IsSuccessStatusCode && action == "publish")
            {
                published.Add(version);
            }
            else if (response.IsSuccessStatusCode)
            {
                published.Remove(version);
            }

            return response;
        }

        try
        {
            // La Roche-sur-Yon (85191) under a code of COG 2024 (a change of code alone, written for the test), published.
            var created = await http.SendAsync(Request(HttpMethod.Post, "/api/datasets", admin, Upload(Encoding.UTF8.GetBytes(
                $"{MovementHeader}\n41,2024-01-01,COM,85191,0,ROCHE SUR YON,Roche-sur-Yon,La Roche-sur-Yon,COM,85999,0,ROCHE SUR YON,Roche-sur-Yon,La Roche-sur-Yon\n"),
                "v_mvt_commune_2024.csv")));
            var correspondence = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
            var publish = await ActAsync("publish", correspondence);
            Assert.True(publish.StatusCode == HttpStatusCode.OK, await publish.Content.ReadAsStringAsync());

            // The partner's figure under the new code, carried to La Roche-sur-Yon and published; a second draft waits.
            var partner = await ContributeFigureVersionAsync(http, producer, indicator, "85999");
            Assert.True(partner.GetProperty("report").GetProperty("codesCarried").GetInt64() == 1, partner.ToString());
            var figures = partner.GetProperty("id").GetInt64();
            publish = await ActAsync("publish", figures);
            Assert.True(publish.StatusCode == HttpStatusCode.OK, await publish.Content.ReadAsStringAsync());
            var waiting = (await ContributeFigureVersionAsync(http, producer, indicator, "85999")).GetProperty("id").GetInt64();
            Assert.Equal(1234, (await PointAsync(http, admin, indicator, "85191", 2024)).GetProperty("value").GetDouble());

            // Rolling the correspondence back would leave that figure on a code link no longer in force: refused, naming
            // the dataset version and the code, and nothing changed.
            var state = await StateAsync();
            var perimeters = await PerimetersDigestAsync();
            var refused = await ActAsync("rollback", correspondence);
            var problem = await refused.Content.ReadAsStringAsync();
            Assert.True(refused.StatusCode == HttpStatusCode.Conflict, problem);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Contains($"{indicator}, version {figures}: 85999", problem, StringComparison.Ordinal);
            var after = await StateAsync();
            Assert.Equal((state.Versions, state.Sources), (after.Versions, after.Sources));
            Assert.Equal(perimeters, await PerimetersDigestAsync());
            Assert.Equal("published", await StatusAsync(http, admin, correspondence));
            Assert.Equal(1234, (await PointAsync(http, admin, indicator, "85191", 2024)).GetProperty("value").GetDouble());

            // Once the partner's version is rolled back, the correspondence can be; the draft validated on its links
            // can no longer be published (its figure would rest on them), and says why.
            var rollback = await ActAsync("rollback", figures);
            Assert.True(rollback.StatusCode == HttpStatusCode.OK, await rollback.Content.ReadAsStringAsync());
            rollback = await ActAsync("rollback", correspondence);
            Assert.True(rollback.StatusCode == HttpStatusCode.OK, await rollback.Content.ReadAsStringAsync());
            var stale = await ActAsync("publish", waiting);
            var staleProblem = await stale.Content.ReadAsStringAsync();
            Assert.True(stale.StatusCode == HttpStatusCode.Conflict, staleProblem);
            Assert.Contains("no longer in force", staleProblem, StringComparison.Ordinal);
            Assert.Equal("draft", await StatusAsync(http, admin, waiting));
        }
        finally
        {
            foreach (var version in Enumerable.Reverse(published))
            {
                await http.SendAsync(Request(HttpMethod.Post, $"/api/datasets/{version}/rollback", admin));
            }
        }
    }

    private static async Task<string?> StatusAsync(HttpClient http, string token, long version) =>
        (await (await http.SendAsync(Request(HttpMethod.Get, $"/api/datasets/{version}", token))).Content.ReadFromJsonAsync<JsonElement>())
        .GetProperty("status").GetString();

    public static TheoryData<string, string, string> BadFiles => new()
    {
        // The table starts after the layer's vintage: it cannot say what became of 2018's communes.
        { "table_passage_annuelle_2024.csv", "CODGEO_2019;CODGEO_2024;LIBGEO_2024\n91182;91228;Évry-Courcouronnes\n", "after the commune layer's vintage (COG 2018)" },
        // A code that is not a commune's.
        { "table_passage_annuelle_2024.csv", "CODGEO_2018;CODGEO_2019;LIBGEO_2019\n91182;91228;Évry-Courcouronnes\n9118X;91228;Évry-Courcouronnes\n", "line 3" },
        { "v_mvt_commune_2024.csv", $"{MovementHeader}\n32,2019-01-01,COM,913,0,X,X,X,COM,91228,0,Y,Y,Y\n", "'913' is not a commune code" },
        // Two codes becoming each other on the same day.
        { "v_mvt_commune_2024.csv", $"{MovementHeader}\n41,2019-01-01,COM,91182,0,A,A,A,COM,91228,0,B,B,B\n41,2019-01-01,COM,91228,0,B,B,B,COM,91182,0,A,A,A\n", "cycle" },
        { "v_mvt_commune_2024.csv", $"{MovementHeader}\n32,le 1er janvier,COM,91182,0,A,A,A,COM,91228,0,B,B,B\n", "is not a date" },
        // Nothing merged or split since the layer.
        { "table_passage_annuelle_2024.csv", "CODGEO_2018;CODGEO_2024\n93066;93066\n", "no commune of the layer" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public async Task A_bad_correspondence_is_refused_with_its_reason_and_changes_nothing(string fileName, string content, string reason)
    {
        var admin = await atlas.TokenAsync(AtlasRoles.Admin, null);
        using var http = atlas.PatientClient();
        var state = await StateAsync();
        var perimeters = await PerimetersDigestAsync();
        var response = await http.SendAsync(Request(HttpMethod.Post, "/api/datasets", admin, Upload(Encoding.UTF8.GetBytes(content), fileName)));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.UnprocessableEntity, body);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(reason, body, StringComparison.Ordinal);
        var after = await StateAsync();
        Assert.Equal((state.Versions, state.Sources), (after.Versions, after.Sources));
        Assert.Equal(perimeters, await PerimetersDigestAsync());
    }

    [Fact]
    public async Task A_table_de_passage_saved_as_CSV_by_a_spreadsheet_reads_as_the_workbook_does()
    {
        var admin = await atlas.TokenAsync(AtlasRoles.Admin, null);
        using var http = atlas.PatientClient();
        var created = await http.SendAsync(Request(HttpMethod.Post, "/api/datasets", admin, Upload(TablePassageCsv(Lineages), "table_passage_annuelle_2024.csv")));
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(created.StatusCode == HttpStatusCode.Created, body.ToString());
        var geography = body.GetProperty("report").GetProperty("geography");
        Assert.Equal(["85194", "91228"], geography.GetProperty("changes").EnumerateArray().Select(c => c.GetProperty("code").GetString()).Order());
        Assert.Equal(Lineages.Length, body.GetProperty("report").GetProperty("read").GetInt64());
    }
}
