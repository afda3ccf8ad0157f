using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using TerritoryAtlas.Web.Accounts;
using static TerritoryAtlas.IntegrationTests.TestAccounts;

namespace TerritoryAtlas.IntegrationTests.Datasets;

/// <summary>
/// Producers' files uploaded as downloaded (the real files of the data directory) through POST /api/datasets with no
/// mapping: the layout is recognised by the header, and every draft figure is compared with the file's own cell,
/// read here independently of the atlas's readers.
/// </summary>
[Collection(nameof(AtlasCollection))]
public sealed class OfficialLayoutTests(AtlasFixture atlas)
{
    /// <summary>Uploads a file of the data directory under <paramref name="uploadName"/> (its own name by default).</summary>
    private async Task<(HttpStatusCode Status, JsonElement Body)> UploadAsync(string token, string relativePath, object? metadata = null, string? uploadName = null)
    {
        var content = Upload(await File.ReadAllBytesAsync(SourceFiles.InData(relativePath)), uploadName ?? Path.GetFileName(relativePath), metadata);
        var response = await atlas.App.CreateClient().SendAsync(Request(HttpMethod.Post, "/api/datasets", token, content));
        return (response.StatusCode, await response.Content.ReadFromJsonAsync<JsonElement>());
    }

    /// <summary>
    /// A file of the data directory uploaded as a draft (asserted created), deleted with its dataset when disposed
    /// unless a version of that dataset is published.
    /// </summary>
    private async Task<Upload> DraftOfAsync(string token, string relativePath, object? metadata = null, string? uploadName = null)
    {
        var (status, body) = await UploadAsync(token, relativePath, metadata, uploadName);
        Assert.True(status == HttpStatusCode.Created, body.ToString());
        return new Upload(this, body);
    }

    private sealed class Upload(OfficialLayoutTests tests, JsonElement body) : IAsyncDisposable
    {
        public JsonElement Body => body;

        public long Id { get; } = body.GetProperty("id").GetInt64();

        public ValueTask DisposeAsync() => new(tests.DeleteDatasetAsync(Id));
    }

    private sealed record DraftRow(string Level, string Code, string Indicator, short Year, double? Value, string Status, string? Flag);

    private async Task<Dictionary<(string Level, string Code, string Indicator, int Year), DraftRow>> DraftAsync(long version)
    {
        await using var connection = await atlas.Db.OpenConnectionAsync();
        return (await connection.QueryAsync<DraftRow>("""
                select t.level, t.code, r.indicator_code as indicator, r.year, r.value, r.status, r.flag
                from dataset_row r join territory t on t.id = r.territory_id where r.version_id = @version
                """, new { version }))
            .ToDictionary(r => (r.Level, r.Code, r.Indicator, (int)r.Year));
    }

    private async Task DeleteDatasetAsync(long version)
    {
        await using var connection = await atlas.Db.OpenConnectionAsync();
        await connection.ExecuteAsync("""
            delete from dataset where id = (select dataset_id from dataset_version where id = @version)
                and not exists (select 1 from dataset_version v join dataset_version w on w.dataset_id = v.dataset_id
                                where v.id = @version and w.status = 'published')
            """, new { version });
    }

    private static long Count(JsonElement report, string property) => report.GetProperty(property).GetInt64();

    private static void AssertCell(string cell, DraftRow row, string where)
    {
        switch (cell.Trim())
        {
            case "" or "s":
                // INSEE's secret (an empty cell, or « s »): a status, never a zero.
                Assert.True(row.Status == "suppressed" && row.Value is null, $"{where}: secret cell read as {row.Status} {row.Value}");
                break;
            case "nd" or "NA":
                Assert.True(row.Status == "missing" && row.Value is null, $"{where}: « {cell} » read as {row.Status} {row.Value}");
                break;
            default:
                Assert.True(row.Status == "ok" && row.Value == double.Parse(cell, CultureInfo.InvariantCulture),
                    $"{where}: cell {cell} read as {row.Status} {row.Value}");
                break;
        }
    }

    // The Filosofi columns a reader must take, file by file, as INSEE names them (the test's own reading of SOURCES.md).
    private static readonly (string Column, string Indicator)[] Disp2019 =
    [
        ("NBMEN19", "nb_menages_fiscaux"), ("NBPERS19", "nb_personnes_menages_fiscaux"), ("Q219", "mediane_niveau_vie"),
        ("D119", "d1_niveau_vie"), ("D919", "d9_niveau_vie"), ("RD", "rapport_interdecile_d9_d1"), ("GI19", "indice_gini"),
        ("PCHO19", "part_indemnites_chomage_revenu_pct"), ("PPSOC19", "part_prestations_sociales_revenu_pct"),
        ("PPFAM19", "part_prestations_familiales_revenu_pct"), ("PPMINI19", "part_minima_sociaux_revenu_pct"),
        ("PPLOGT19", "part_prestations_logement_revenu_pct"),
    ];

    private static (string Column, string Indicator)[] Comparateur(string yy) =>
    [
        ($"NBMENFISC{yy}", "nb_menages_fiscaux"), ($"NBPERSMENFISC{yy}", "nb_personnes_menages_fiscaux"), ($"MED{yy}", "mediane_niveau_vie"),
        ($"TP60{yy}", "taux_pauvrete_60"), ($"PCHO{yy}", "part_indemnites_chomage_revenu_pct"), ($"PPSOC{yy}", "part_prestations_sociales_revenu_pct"),
        ($"PPFAM{yy}", "part_prestations_familiales_revenu_pct"), ($"PPMINI{yy}", "part_minima_sociaux_revenu_pct"),
        ($"PPLOGT{yy}", "part_prestations_logement_revenu_pct"), ($"D1{yy}", "d1_niveau_vie"), ($"D9{yy}", "d9_niveau_vie"),
        ($"RD{yy}", "rapport_interdecile_d9_d1"),
    ];

    public static TheoryData<string, string, string, int, string, string> FilosofiFiles => new()
    {
        // file, layout, level, year, a territory to look at, its expected kind of figure
        { "indicators/filosofi/commune/FILO2019_DISP_COM.csv", "insee-filosofi-disp", "commune", 2019, "93066", "disp" },
        { "indicators/filosofi/departement/FILO2019_DISP_DEP.csv", "insee-filosofi-disp", "departement", 2019, "93", "disp" },
        { "indicators/filosofi/region/FILO2019_DISP_REG.csv", "insee-filosofi-disp", "region", 2019, "11", "disp" },
        { "indicators/filosofi/france/FILO2019_DISP_METROPOLE.csv", "insee-filosofi-disp", "zone", 2019, "FRM", "disp" },
        { "indicators/filosofi/commune/cc_filosofi_2019_COM.csv", "insee-filosofi-comparateur", "commune", 2019, "93066", "cc19" },
        { "indicators/filosofi/departement/cc_filosofi_2019_DEP.csv", "insee-filosofi-comparateur", "departement", 2019, "93", "cc19" },
        { "indicators/filosofi/commune/filosofi_com_2015.csv", "insee-filosofi-comparateur", "commune", 2015, "93066", "cc15" },
        { "indicators/filosofi/departement/FILO2020_DISP_PAUVRES_DEP.csv", "insee-filosofi-pauvres", "departement", 2020, "93", "pauvres" },
    };

    [Theory]
    [MemberData(nameof(FilosofiFiles))]
    public async Task A_Filosofi_file_as_downloaded_becomes_a_draft_whose_figures_are_the_files_cells(
        string file, string layout, string level, int year, string sample, string kind)
    {
        var admin = await atlas.TokenAsync(AtlasRoles.Admin);
        await using var uploaded = await DraftOfAsync(admin, file);
        var (body, version) = (uploaded.Body, uploaded.Id);
        var report = body.GetProperty("report");
        Assert.Equal(layout, report.GetProperty("layout").GetString());
        var rows = SourceFiles.Rows(file).ToList();
        var columns = kind switch
        {
            "disp" => Disp2019,
            "cc19" => Comparateur("19"),
            "cc15" => Comparateur("15"),
            _ => [("TP6020", "taux_pauvrete_60"), ("TP60IP20", "intensite_pauvrete")],
        };
        Assert.Equal(rows.Count * columns.Length, Count(report, "read"));
        Assert.Equal(Count(report, "read"), Count(report, "accepted") + Count(report, "rejectedCount"));

        var draft = await DraftAsync(version);
        Assert.Equal(Count(report, "accepted"), draft.Count);
        Assert.Equal(Count(report, "secretMarkers"), draft.Values.Count(r => r.Status == "suppressed"));
        Assert.Equal(Count(report, "missingMarkers"), draft.Values.Count(r => r.Status == "missing"));

        // Every figure of every territory the file names by a code of the atlas is the file's own cell.
        var compared = 0;
        var secret = 0;
        foreach (var row in rows)
        {
            var code = level == "zone" ? "FRM" : row["CODGEO"];
            foreach (var (column, indicator) in columns)
            {
                if (draft.TryGetValue((level, code, indicator, year), out var figure))
                {
                    AssertCell(row[column], figure, $"{file} {code} {column}");
                    compared++;
                    secret += row[column] is "" or "s" ? 1 : 0;
                }
            }
        }

        Assert.True(compared >= Count(report, "accepted") - Count(report, "codesCarried"), $"{compared} figures compared of {Count(report, "accepted")}");
        Assert.True(draft.ContainsKey((level, sample, "mediane_niveau_vie", year)) || kind == "pauvres");
        if (level == "commune")
        {
            // Small communes' deciles and poverty rates are secret in every commune file.
            Assert.True(secret > 1000, $"only {secret} secret cells compared");
        }

        var saintDenis = rows.Single(r => r["CODGEO"] == (level == "zone" ? "1" : sample));
        var (column0, indicator0) = columns.First(c => c.Indicator is "mediane_niveau_vie" or "taux_pauvrete_60");
        Assert.Equal(double.Parse(saintDenis[column0], CultureInfo.InvariantCulture), draft[(level, sample, indicator0, year)].Value);
    }

    [Fact]
    public async Task A_Filosofi_file_as_INSEE_serves_it_with_semicolons_decimal_commas_and_Windows_1252_reads_the_same()
    {
        const string file = "indicators/filosofi/departement/FILO2019_DISP_DEP.csv";
        // The data directory's copy was cleaned (SOURCES.md: « ; » → « , », decimal comma → point): put INSEE's form back.
        var lines = File.ReadAllLines(SourceFiles.InData(file)).Select(l => string.Join(';', l.Split(',').Select(f => f.Replace('.', ','))));
        System.Text.Encoding.RegisterProvider(System.Text.CodePagesEncodingProvider.Instance);
        var bytes = System.Text.Encoding.GetEncoding(1252).GetBytes(string.Join("\r\n", lines) + "\r\n");
        var admin = await atlas.TokenAsync(AtlasRoles.Admin);
        var content = new MultipartFormDataContent { { new ByteArrayContent(bytes), "file", "FILO2019_DISP_DEP.csv" } };
        var response = await atlas.App.CreateClient().SendAsync(Request(HttpMethod.Post, "/api/datasets", admin, content));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToString());
        var version = body.GetProperty("id").GetInt64();
        try
        {
            Assert.Equal("insee-filosofi-disp", body.GetProperty("report").GetProperty("layout").GetString());
            var draft = await DraftAsync(version);
            var seineSaintDenis = SourceFiles.Rows(file).Single(r => r["CODGEO"] == "93");
            Assert.Equal(double.Parse(seineSaintDenis["GI19"], CultureInfo.InvariantCulture), draft[("departement", "93", "indice_gini", 2019)].Value);
            Assert.Equal("Seine-Saint-Denis", seineSaintDenis["LIBGEO"]);
            Assert.Equal(double.Parse(seineSaintDenis["Q219"], CultureInfo.InvariantCulture), draft[("departement", "93", "mediane_niveau_vie", 2019)].Value);
        }
        finally
        {
            await DeleteDatasetAsync(version);
        }
    }

    [Fact]
    public async Task A_renamed_Filosofi_file_with_two_character_codes_must_say_its_level_and_then_reads_as_regions()
    {
        var admin = await atlas.TokenAsync(AtlasRoles.Admin);
        // Without INSEE's name, 11 could be the Aude or Île-de-France: every row is refused rather than guessed.
        var (status, body) = await UploadAsync(admin, "indicators/filosofi/region/FILO2019_DISP_REG.csv", uploadName: "revenus.csv");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Contains("may be a département or a région", body.GetProperty("report").GetProperty("rejected")[0].GetProperty("reason").GetString(), StringComparison.Ordinal);

        await using var uploaded = await DraftOfAsync(admin, "indicators/filosofi/region/FILO2019_DISP_REG.csv", new { level = "region" }, "revenus.csv");
        var version = uploaded.Id;
        var idf = SourceFiles.Rows("indicators/filosofi/region/FILO2019_DISP_REG.csv").Single(r => r["CODGEO"] == "11");
        Assert.Equal(double.Parse(idf["Q219"], CultureInfo.InvariantCulture), (await DraftAsync(version))[("region", "11", "mediane_niveau_vie", 2019)].Value);
    }

    [Fact]
    public async Task The_DREES_minima_sociaux_long_file_feeds_the_catalogues_indicators_and_counts_what_it_cannot_place()
    {
        const string file = "indicators/drees/drees_minima_sociaux_dep_1995_2019_long.csv";
        var admin = await atlas.TokenAsync(AtlasRoles.Admin);
        await using var uploaded = await DraftOfAsync(admin, file);
        var (body, version) = (uploaded.Body, uploaded.Id);
        var report = body.GetProperty("report");
        Assert.Equal("drees-minima-sociaux", report.GetProperty("layout").GetString());
        var rows = SourceFiles.Rows(file).ToList();
        Assert.Equal(rows.Count, Count(report, "read"));

        // Table 18's proportion has no indicator in the catalogue: its rows are refused and counted, not dropped silently.
        const string unmappedMesure = "beneficiaires adultes (allocataires+conjoints) - proportion (%)";
        var unmappedRows = rows.Count(r => r["dispositif"] == "RSA total (socle+activite)" && r["mesure"] == unmappedMesure);
        var unmapped = report.GetProperty("unmapped").EnumerateArray().Single();
        Assert.Equal($"RSA total (socle+activite) — {unmappedMesure}", unmapped.GetProperty("series").GetString());
        Assert.Equal(unmappedRows, unmapped.GetProperty("rows").GetInt64());

        // 2016 is given twice in some tables (old and new CNAF series): the footnoted new series is the figure.
        var draft = await DraftAsync(version);
        var ain2016 = rows.Single(r => r["dispositif"] == "AAH" && r["geo_code"] == "01" && r["year_label"] == "2016 (1)");
        Assert.Equal(double.Parse(ain2016["value"], CultureInfo.InvariantCulture), draft[("departement", "01", "aah_allocataires", 2016)].Value);
        Assert.Equal("rupture_2016_nouvelle_serie", draft[("departement", "01", "aah_allocataires", 2016)].Flag);
        var oldSeries = rows.GroupBy(r => (r["tableau"], r["mesure"], r["geo_code"], r["year"])).Where(g => g.Count() > 1).Sum(g => g.Count() - 1);
        Assert.True(oldSeries > 500);
        Assert.Equal(Count(report, "rejectedCount"), unmappedRows + oldSeries);
        Assert.Equal(Count(report, "read") - unmappedRows - oldSeries, Count(report, "accepted"));

        // DREES's « ns » (not significant) is a status, never a zero; nd, -, vide are missing.
        var mapped = rows.Where(r => r["mesure"] != unmappedMesure || r["dispositif"] != "RSA total (socle+activite)").ToList();
        Assert.Equal(mapped.Count(r => r["status"] == "ns"), Count(report, "secretMarkers"));
        Assert.True(Count(report, "secretMarkers") > 0);
        Assert.Equal(mapped.Count(r => r["status"] is "nd" or "-" or "vide" or "texte:n"), Count(report, "missingMarkers"));
        var rsaFrance = rows.Single(r => r["dispositif"] == "RSA (socle jusqu a 2015)" && r["mesure"] == "allocataires" && r["geo_code"] == "FR" && r["year_label"] == "2019");
        Assert.Equal(double.Parse(rsaFrance["value"], CultureInfo.InvariantCulture), draft[("france", "FR", "rsa_allocataires", 2019)].Value);
        var share = rows.Single(r => r["dispositif"] == "RSA (socle jusqu a 2015)" && r["mesure"] == "allocataires - proportion (%)" && r["geo_code"] == "93");
        Assert.Equal(double.Parse(share["value"], CultureInfo.InvariantCulture), draft[("departement", "93", "rsa_allocataires_pct_pop_15_69", 2019)].Value);
    }

    [Fact]
    public async Task Populations_legales_take_their_year_from_the_file_name_or_the_metadata_and_are_refused_without_one()
    {
        const string file = "indicators/population/insee_populations_legales_2021_communes.csv";
        var account = await atlas.AccountAsync(AtlasRoles.Admin);
        var admin = account.Token;
        var before = await CountVersionsAsync(account);
        var (status, body) = await UploadAsync(admin, file, uploadName: "donnees_communes.csv");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        Assert.Contains("does not say its year", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, await CountVersionsAsync(account));

        var rows = SourceFiles.Rows(file).ToList();
        foreach (var (upload, metadata) in new[] { ((string?)null, (object?)null), ("donnees_communes.csv", new { year = 2021 }) })
        {
            await using var uploaded = await DraftOfAsync(admin, file, metadata, upload);
            var version = uploaded.Id;
            var report = uploaded.Body.GetProperty("report");
            Assert.Equal("insee-populations-legales", report.GetProperty("layout").GetString());
            Assert.Equal(rows.Count * 2, Count(report, "read"));
            var draft = await DraftAsync(version);
            var saintDenis = rows.Single(r => r["COM"] == "93066");
            Assert.Equal(double.Parse(saintDenis["PMUN"], CultureInfo.InvariantCulture), draft[("commune", "93066", "population_municipale", 2021)].Value);
            Assert.Equal(double.Parse(saintDenis["PTOT"], CultureInfo.InvariantCulture), draft[("commune", "93066", "population_totale", 2021)].Value);
            var direct = rows.Where(r => draft.ContainsKey(("commune", r["COM"], "population_municipale", 2021))).ToList();
            Assert.True(direct.Count > 34_000, $"{direct.Count} communes");
            Assert.All(direct, r => Assert.Equal(double.Parse(r["PMUN"], CultureInfo.InvariantCulture), draft[("commune", r["COM"], "population_municipale", 2021)].Value));
        }
    }

    [Fact]
    public async Task The_2019_populations_legales_file_names_its_communes_by_departement_and_CODCOM()
    {
        const string file = "indicators/population/insee_populations_legales_2019_communes.csv";
        var admin = await atlas.TokenAsync(AtlasRoles.Admin);
        await using var uploaded = await DraftOfAsync(admin, file);
        var (body, version) = (uploaded.Body, uploaded.Id);
        var draft = await DraftAsync(version);
        // Les Abymes: département 971, CODCOM 101 → INSEE code 97101.
        var abymes = SourceFiles.Rows(file).Single(r => r["CODDEP"] == "971" && r["CODCOM"] == "101");
        Assert.Equal(double.Parse(abymes["PMUN"], CultureInfo.InvariantCulture), draft[("commune", "97101", "population_municipale", 2019)].Value);
        var ain = SourceFiles.Rows(file).First();
        Assert.Equal(double.Parse(ain["PTOT"], CultureInfo.InvariantCulture), draft[("commune", ain["CODGEO_derive"], "population_totale", 2019)].Value);
    }

    [Fact]
    public async Task A_CAF_file_by_IRIS_published_through_the_contribution_path_gives_commune_sums_only_where_every_IRIS_is_published()
    {
        const string file = "indicators/caf_iris/data_CAF_2019_IRIS.csv";
        var admin = await atlas.TokenAsync(AtlasRoles.Admin);
        var producer = await atlas.TokenAsync(AtlasRoles.Producer, $"CAF {Guid.NewGuid():N}");
        var (status, body) = await UploadAsync(producer, file);
        Assert.True(status == HttpStatusCode.Created, body.ToString());
        var version = body.GetProperty("id").GetInt64();
        var http = atlas.App.CreateClient();
        try
        {
            var report = body.GetProperty("report");
            Assert.Equal("caf-iris", report.GetProperty("layout").GetString());
            var rows = SourceFiles.Rows(file).ToList();
            string[] columns = ["A", "ARSAS", "AAAH", "AAL", "APPA"];
            Assert.Equal(rows.Count * columns.Length, Count(report, "read"));
            Assert.Equal(Count(report, "read"), Count(report, "accepted"));
            Assert.Equal(rows.Sum(r => columns.Count(c => r[c] == "")), Count(report, "secretMarkers"));
            var draft = await DraftAsync(version);
            var first = rows[0];
            Assert.Equal(double.Parse(first["ARSAS"], CultureInfo.InvariantCulture), draft[("iris", first["CODGEO"], "caf_rsa_allocataires", 2019)].Value);

            // Published: communes are summed from their IRIS where every IRIS is published, else secret.
            var published = await http.SendAsync(Request(HttpMethod.Post, $"/api/datasets/{version}/publish", admin));
            Assert.Equal(HttpStatusCode.OK, published.StatusCode);
            var byCommune = rows.GroupBy(r => r["CODGEO"][..5]).Where(g => g.Key is not ("75056" or "69123" or "13055") && !g.Key.StartsWith("751", StringComparison.Ordinal)
                                                                          && !g.Key.StartsWith("6938", StringComparison.Ordinal) && !g.Key.StartsWith("132", StringComparison.Ordinal)).ToList();
            Dictionary<string, long> irisInDatabase;
            await using (var connection = await atlas.Db.OpenConnectionAsync())
            {
                // A commune whose IRIS are exactly the file's (a file commune carried to another 2018 commune would not be).
                irisInDatabase = (await connection.QueryAsync<(string Code, long Iris)>("""
                    select c.code, count(*) from observation o join territory t on t.id = o.territory_id and t.level = 'iris'
                    join territory_parent p on p.territory_id = t.id and p.parent_level = 'commune' join territory c on c.id = p.parent_id
                    where o.indicator_code = 'caf_rsa_allocataires' and o.year = 2019 group by c.code
                    """)).ToDictionary(r => r.Code, r => r.Iris);
            }

            byCommune = byCommune.Where(g => irisInDatabase.GetValueOrDefault(g.Key) == g.Count()).ToList();
            var whole = byCommune.First(g => g.Count() > 3 && g.All(r => r["ARSAS"] != ""));
            var series = await (await http.GetAsync($"/api/series/caf_rsa_allocataires/commune/{whole.Key}")).Content.ReadFromJsonAsync<JsonElement>();
            var point = series.GetProperty("series").EnumerateArray().First(s => s.GetProperty("code").GetString() == whole.Key)
                .GetProperty("points").EnumerateArray().Single(p => p.GetProperty("year").GetInt32() == 2019);
            Assert.Equal(whole.Sum(r => double.Parse(r["ARSAS"], CultureInfo.InvariantCulture)), point.GetProperty("value").GetDouble());

            var partial = byCommune.First(g => g.Count() > 3 && g.Any(r => r["ARSAS"] == "") && g.Any(r => r["ARSAS"] != ""));
            series = await (await http.GetAsync($"/api/series/caf_rsa_allocataires/commune/{partial.Key}")).Content.ReadFromJsonAsync<JsonElement>();
            point = series.GetProperty("series").EnumerateArray().First(s => s.GetProperty("code").GetString() == partial.Key)
                .GetProperty("points").EnumerateArray().Single(p => p.GetProperty("year").GetInt32() == 2019);
            Assert.Equal("suppressed", point.GetProperty("status").GetString());

            // Provenance: the IRIS figure now comes from this version.
            await using (var connection = await atlas.Db.OpenConnectionAsync())
            {
                Assert.Equal(version, await connection.ExecuteScalarAsync<long>("""
                    select o.dataset_version_id from observation o join territory t on t.id = o.territory_id
                    where t.level = 'iris' and t.code = @code and o.indicator_code = 'caf_rsa_allocataires' and o.year = 2019
                    """, new { code = first["CODGEO"] }));
            }

            // Rolled back, the import's figures are current again.
            Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(Request(HttpMethod.Post, $"/api/datasets/{version}/rollback", admin))).StatusCode);
            await using (var connection = await atlas.Db.OpenConnectionAsync())
            {
                Assert.Equal("caf-iris-2019", await connection.ExecuteScalarAsync<string>("""
                    select o.dataset from observation o join territory t on t.id = o.territory_id
                    where t.level = 'iris' and t.code = @code and o.indicator_code = 'caf_rsa_allocataires' and o.year = 2019
                    """, new { code = first["CODGEO"] }));
            }
        }
        finally
        {
            var current = await (await http.SendAsync(Request(HttpMethod.Get, $"/api/datasets/{version}", admin))).Content.ReadFromJsonAsync<JsonElement>();
            if (current.TryGetProperty("status", out var s) && s.GetString() == "published")
            {
                await http.SendAsync(Request(HttpMethod.Post, $"/api/datasets/{version}/rollback", admin));
            }

            await DeleteDatasetAsync(version);
        }
    }

    [Fact]
    public async Task A_file_of_a_shape_the_atlas_does_not_know_still_asks_for_a_mapping()
    {
        var account = await atlas.AccountAsync(AtlasRoles.Admin);
        var admin = account.Token;
        var before = await CountVersionsAsync(account);
        var (status, body) = await UploadAsync(admin, "indicators/mortalite/insee_rp_evol_1968_departement_2018.csv");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, status);
        var detail = body.GetProperty("detail").GetString()!;
        Assert.Contains("no mapping is given", detail, StringComparison.Ordinal);
        Assert.Contains("insee-filosofi-disp", detail, StringComparison.Ordinal);
        Assert.Equal(before, await CountVersionsAsync(account));
    }

    /// <summary>The versions the account uploaded: the browser tests upload into the same database meanwhile.</summary>
    private async Task<long> CountVersionsAsync(TestAccount account)
    {
        await using var connection = await atlas.Db.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>("select count(*) from dataset_version where uploaded_by = @Email", new { account.Email });
    }
}
