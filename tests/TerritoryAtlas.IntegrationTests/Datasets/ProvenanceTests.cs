using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using TerritoryAtlas.Testing;
using TerritoryAtlas.Web.Accounts;
using TerritoryAtlas.Web.Import;
using static TerritoryAtlas.IntegrationTests.TestAccounts;

namespace TerritoryAtlas.IntegrationTests.Datasets;

/// <summary>
/// Contributions published over HTTP with real bearer tokens on the real database: the secondary secrecy a version
/// causes on other datasets' figures goes away with it, and every figure says where it comes from.
/// </summary>
[Collection(nameof(AtlasCollection))]
public sealed class ProvenanceTests(AtlasFixture atlas)
{
    /// <summary>A tidy CSV through POST /api/datasets, then published by <paramref name="admin"/>: the version's id.</summary>
    private async Task<long> PublishAsync(HttpClient http, string contributor, string admin, string fileName, string csv, object metadata)
    {
        var created = await http.SendAsync(Request(HttpMethod.Post, "/api/datasets", contributor, Upload(Encoding.UTF8.GetBytes(csv), fileName, metadata)));
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(created.StatusCode == HttpStatusCode.Created, body.ToString());
        var id = body.GetProperty("id").GetInt64();
        var published = await http.SendAsync(Request(HttpMethod.Post, $"/api/datasets/{id}/publish", admin));
        Assert.True(published.StatusCode == HttpStatusCode.OK, await published.Content.ReadAsStringAsync());
        return id;
    }

    /// <summary>A new additive count whose figures under 11 are secret (the usual threshold).</summary>
    private static Dictionary<string, object?> NewCount(string code) => new()
    {
        ["code"] = code,
        ["label_fr"] = "Allocataires (test de provenance)",
        ["unit_fr"] = "allocataires",
        ["kind"] = "count",
        ["additive"] = true,
        ["source"] = "DREES (test)",
        ["producer"] = "DREES",
        ["licence"] = "Licence Ouverte",
        ["secrecy"] = new Dictionary<string, object> { ["threshold"] = 11, ["applies_to"] = "value" },
    };

    /// <summary>Every figure of the indicator, as stored (and on current perimeters): one digest to compare states with.</summary>
    private static Task<string> DigestAsync(NpgsqlConnection connection, string indicator, NpgsqlTransaction? transaction = null) =>
        connection.ExecuteScalarAsync<string>("""
            select count(*) || ':' || md5(coalesce(string_agg(concat_ws('|', o.territory_id, o.year, o.value, o.numerator, o.denominator, o.status,
                o.flag, o.origin, o.computed_value, o.dataset, o.dataset_version_id, o.secondary_secret), ';' order by o.territory_id, o.year), ''))
            from observation o where o.indicator_code = @indicator
            """, new { indicator }, transaction)!;

    private static async Task<JsonElement> PointAsync(HttpClient http, string indicator, string level, string code, int year, string? token = null)
    {
        var response = await http.SendAsync(Request(HttpMethod.Get, $"/api/series/{indicator}/{level}/{code}", token));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        return body.GetProperty("series")[0].GetProperty("points").EnumerateArray().Single(p => p.GetProperty("year").GetInt32() == year);
    }

    /// <summary>
    /// A point's provenance in full: its short reference (the point's provenance) with the fields of the response's
    /// sources it refers to (for a figure carried to a current perimeter, the method's and the published figure's).
    /// </summary>
    private static Dictionary<string, JsonElement> Resolve(JsonElement body, JsonElement point)
    {
        var reference = point.GetProperty("provenance");
        var fields = reference.EnumerateObject().ToDictionary(f => f.Name, f => f.Value);
        var sources = body.GetProperty("sources").EnumerateArray().ToList();
        bool Is(JsonElement s, string origin, string field) =>
            s.GetProperty("origin").GetString() == origin && s.TryGetProperty(field, out var v) && fields.TryGetValue(field, out var w) && v.ToString() == w.ToString();
        var matches = sources.Where(s => Is(s, "derived", "method") || Is(s, "import", "dataset") || Is(s, "contribution", "datasetVersionId")).ToList();
        Assert.NotEmpty(matches);
        foreach (var match in matches)
        {
            foreach (var f in match.EnumerateObject().Where(f => f.Name != "origin"))
            {
                fields[f.Name] = f.Value;
            }
        }

        return fields;
    }

    private static async Task<Dictionary<string, JsonElement>> ProvenanceAsync(HttpClient http, string indicator, string level, string code, int year,
        string? token = null)
    {
        var response = await http.SendAsync(Request(HttpMethod.Get, $"/api/series/{indicator}/{level}/{code}", token));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body.ToString());
        return Resolve(body, body.GetProperty("series")[0].GetProperty("points").EnumerateArray().Single(p => p.GetProperty("year").GetInt32() == year));
    }

    private static string? Text(Dictionary<string, JsonElement> fields, string name) =>
        fields.TryGetValue(name, out var value) && value.ValueKind != JsonValueKind.Null ? value.GetString() : null;

    /// <summary>The real AAH recipients of 2019 by département (code, value, région).</summary>
    private async Task<List<(string Code, double Value, string Region)>> DepartementsAsync()
    {
        await using var connection = await atlas.Db.OpenConnectionAsync();
        var departements = (await connection.QueryAsync<(string Code, double Value, string Region)>("""
            select t.code, o.value, r.code
            from published_observation o
            join territory t on t.id = o.territory_id and t.level = 'departement'
            join territory_parent tp on tp.territory_id = t.id and tp.parent_level = 'region'
            join territory r on r.id = tp.parent_id
            where o.indicator_code = 'aah_allocataires' and o.year = 2019 and o.status = 'ok'
            order by t.code
            """)).ToList();
        Assert.True(departements.Count > 90, $"{departements.Count} départements");
        return departements;
    }

    private static string TidyCsv(string indicator, IEnumerable<(string Code, double Value, string Region)> departements)
    {
        var csv = new StringBuilder("geo_level,geo_code,indicator,year,value\n");
        foreach (var d in departements)
        {
            csv.Append(CultureInfo.InvariantCulture, $"departement,{d.Code},{indicator},2019,{d.Value}\n");
        }

        return csv.ToString();
    }

    [Fact]
    public async Task Series_points_carry_their_provenance_and_only_admins_and_the_organisations_members_see_the_names()
    {
        var indicator = $"test_{Guid.NewGuid():N}"[..20];
        var organisation = $"Observatoire {Guid.NewGuid():N}";
        var (producer, producerEmail, organisationId) = await atlas.AccountAsync(AtlasRoles.Producer, organisation);
        var (member, _, _) = await atlas.AccountAsync(AtlasRoles.Member, organisation);
        var (stranger, _, _) = await atlas.AccountAsync(AtlasRoles.Member, $"Autre {Guid.NewGuid():N}");
        var (admin, adminEmail, _) = await atlas.AccountAsync(AtlasRoles.Admin, null);
        var http = atlas.App.CreateClient();
        try
        {
            var started = DateTime.UtcNow.AddMinutes(-1);
            var version = await PublishAsync(http, producer, admin, "aah-dep-2019.csv", TidyCsv(indicator, await DepartementsAsync()), NewCount(indicator));

            // A contributed figure: its version, file, organisation and dates for everyone; the names for admins and the
            // organisation's members only.
            foreach (var (token, names) in new[] { ((string?)null, false), (stranger, false), (producer, true), (member, true), (admin, true) })
            {
                var p = await ProvenanceAsync(http, indicator, "departement", "69", 2019, token);
                Assert.Equal("contribution", p["origin"].GetString());
                Assert.Equal(version, p["datasetVersionId"].GetInt64());
                Assert.Equal("aah-dep-2019.csv", p["file"].GetString());
                Assert.Equal(organisation, p["organisation"].GetString());
                Assert.InRange(p["uploadedAt"].GetDateTime(), started, DateTime.UtcNow.AddMinutes(1));
                Assert.InRange(p["publishedAt"].GetDateTime(), p["uploadedAt"].GetDateTime(), DateTime.UtcNow.AddMinutes(1));
                // Absent for whoever may not see them (a field that does not apply is left out).
                Assert.Equal(names ? producerEmail : null, Text(p, "uploadedBy"));
                Assert.Equal(names ? adminEmail : null, Text(p, "publishedBy"));
            }

            // Its région's figure is the atlas's sum of the départements.
            var response = await http.GetFromJsonAsync<JsonElement>($"/api/series/{indicator}/departement/69");
            var region = Resolve(response, response.GetProperty("series").EnumerateArray().Single(s => s.GetProperty("level").GetString() == "region")
                .GetProperty("points")[0]);
            Assert.Equal("derived", region["origin"].GetString());
            Assert.Equal("sum_of_departements", region["method"].GetString());
            Assert.Equal([indicator], region["inputs"].EnumerateArray().Select(i => i.GetString()));
            Assert.Equal("departement", region["partsLevel"].GetString());
            Assert.Null(Text(region, "file"));

            // A point carries only the key of its source; the response's sources describe it once.
            var raw = await PointAsync(http, indicator, "departement", "69", 2019);
            Assert.Equal(["origin", "datasetVersionId"], raw.GetProperty("provenance").EnumerateObject().Select(f => f.Name));

            // The portrait's CSV: each figure shown with its provenance, names under the same rule.
            foreach (var (token, names) in new[] { ((string?)null, false), (member, true) })
            {
                var response2 = await http.SendAsync(Request(HttpMethod.Get, "/api/portraits/departement/69.csv", token));
                Assert.Equal(HttpStatusCode.OK, response2.StatusCode);
                var portrait = CsvFile.Read(new StringReader(await response2.Content.ReadAsStringAsync()), "portrait");
                var row = portrait.Records.Single(r => r[portrait.Column("indicateur")] == indicator);
                Assert.Equal(("contribution", "aah-dep-2019.csv", version.ToString(CultureInfo.InvariantCulture), organisation),
                    (row[portrait.Column("provenance")], row[portrait.Column("fichier")], row[portrait.Column("version")], row[portrait.Column("organisation")]));
                Assert.Equal(names ? producerEmail : "", row[portrait.Column("deposee_par")]);
                Assert.Equal(names ? adminEmail : "", row[portrait.Column("publiee_par")]);
                var aah = portrait.Records.Single(r => r[portrait.Column("indicateur")] == "aah_allocataires");
                Assert.Equal(("import", "indicators/tidy/indicators_departement_long.csv"), (aah[portrait.Column("provenance")], aah[portrait.Column("fichier")]));
            }

            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync("/api/portraits/departement/999.csv")).StatusCode);

            // The CSV carries the same, in columns; names only for whoever may see them.
            foreach (var (token, names) in new[] { ((string?)null, false), (member, true) })
            {
                var csv = await (await http.SendAsync(Request(HttpMethod.Get, $"/api/series/{indicator}/departement/69?format=csv", token))).Content.ReadAsStringAsync();
                var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries);
                var header = lines[0].Split(',');
                Assert.Equal(["provenance", "methode", "fichier", "version", "organisation", "deposee_le", "deposee_par", "publiee_le", "publiee_par"], header[^9..]);
                var row = lines.Single(l => l.StartsWith($"{indicator},departement,69,", StringComparison.Ordinal)).Split(',');
                var field = (string name) => row[Array.IndexOf(header, name)];
                Assert.Equal("contribution", field("provenance"));
                Assert.Equal("aah-dep-2019.csv", field("fichier"));
                Assert.Equal(version.ToString(CultureInfo.InvariantCulture), field("version"));
                Assert.Equal(organisation, field("organisation"));
                Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", field("publiee_le"));
                Assert.Equal(names ? producerEmail : "", field("deposee_par"));
                Assert.Equal(names ? adminEmail : "", field("publiee_par"));
                var regionRow = lines.Single(l => l.StartsWith($"{indicator},region,84,", StringComparison.Ordinal)).Split(',');
                Assert.Equal(("derived", "sum_of_departements", ""), (regionRow[Array.IndexOf(header, "provenance")], regionRow[Array.IndexOf(header, "methode")],
                    regionRow[Array.IndexOf(header, "fichier")]));
            }

            // The portrait shows each figure's provenance: the contribution's file, organisation and date to everyone,
            // the names to the organisation's members; an imported figure its data directory file.
            foreach (var (token, names) in new[] { ((string?)null, false), (stranger, false), (member, true) })
            {
                var page = await http.SendAsync(Request(HttpMethod.Get, "/territoire/departement/69", token));
                var html = WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync());
                Assert.Contains("href=\"/api/portraits/departement/69.csv\"", html, StringComparison.Ordinal);
                var row = Row(html, indicator);
                Assert.Contains("data-origin=\"contribution\"", row, StringComparison.Ordinal);
                Assert.Contains($"version n° {version}", row, StringComparison.Ordinal);
                Assert.Contains("aah-dep-2019.csv", row, StringComparison.Ordinal);
                Assert.Contains(organisation, row, StringComparison.Ordinal);
                Assert.Equal(names, html.Contains(producerEmail, StringComparison.Ordinal));
                Assert.Equal(names, row.Contains($"{producerEmail} / {adminEmail}", StringComparison.Ordinal));
                var imported = Row(html, "aah_allocataires");
                Assert.Contains("data-origin=\"import\"", imported, StringComparison.Ordinal);
                Assert.Contains("indicators/tidy/indicators_departement_long.csv", imported, StringComparison.Ordinal);
                Assert.Contains("data-origin=\"derived\"", Row(html, "aah_pour_100_20_64"), StringComparison.Ordinal);
            }
        }
        finally
        {
            await TestDatabase.RemoveContributedIndicatorAsync(indicator);
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null ? value.GetString() : null;

    /// <summary>The provenance table's row of one indicator on a portrait page.</summary>
    private static string Row(string html, string indicator)
    {
        var table = html[html.IndexOf("data-testid=\"portrait-provenance\"", StringComparison.Ordinal)..];
        table = table[..table.IndexOf("</table>", StringComparison.Ordinal)];
        var start = table.IndexOf($"data-provenance-of=\"{indicator}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"no provenance row for {indicator}");
        var row = table[start..];
        return row[..row.IndexOf("</tr>", StringComparison.Ordinal)];
    }

    [Fact]
    public async Task Imported_and_derived_figures_say_so_with_the_data_directorys_file_or_the_method_and_its_inputs()
    {
        var http = atlas.App.CreateClient();
        // An imported figure names the data directory's file it was read from, which exists there.
        var imported = await ProvenanceAsync(http, "aah_allocataires", "departement", "69", 2019);
        Assert.Equal("import", imported["origin"].GetString());
        Assert.Equal("tidy-departement", imported["dataset"].GetString());
        var file = imported["file"].GetString()!;
        Assert.True(File.Exists(Path.Combine(AtlasFixture.DataDirectory, file)), file);
        Assert.Contains(",aah_allocataires,2019,", File.ReadLines(Path.Combine(AtlasFixture.DataDirectory, file)).First(l => l.StartsWith("departement,69,", StringComparison.Ordinal) && l.Contains(",aah_allocataires,2019,", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.False(imported.ContainsKey("datasetVersionId"));
        Assert.Equal(JsonValueKind.String, imported["publishedAt"].ValueKind);

        // A rate is computed from its numerator and denominator, as the catalogue defines it.
        var catalogue = await http.GetFromJsonAsync<JsonElement>("/api/indicators");
        var rate = catalogue.EnumerateArray().Single(i => i.GetProperty("code").GetString() == "aah_pour_100_20_64");
        var ratePoint = await ProvenanceAsync(http, "aah_pour_100_20_64", "departement", "69", 2019);
        Assert.Equal(("derived", "rate"), (ratePoint["origin"].GetString(), ratePoint["method"].GetString()));
        Assert.Equal([rate.GetProperty("numerator").GetString(), rate.GetProperty("denominator").GetString()],
            ratePoint["inputs"].EnumerateArray().Select(i => i.GetString()));

        // The CAF's commune figures are sums of their IRIS; Lyon's is.
        var iris = await ProvenanceAsync(http, "caf_rsa_allocataires", "commune", "69123", 2019);
        Assert.Equal(("derived", "sum_of_iris", "iris"), (iris["origin"].GetString(), iris["method"].GetString(),
            iris["partsLevel"].GetString()));

        // Saint-Denis's 2019 population is carried to its 2025 perimeter (its former communes summed): derived, while the
        // figure as published (publishedValue) keeps its file.
        var carried = await PointAsync(http, "population_municipale", "commune", "93066", 2019);
        var provenance = await ProvenanceAsync(http, "population_municipale", "commune", "93066", 2019);
        // The point names both: the method, and the dataset of the figure as published.
        Assert.Equal("tidy-commune", carried.GetProperty("provenance").GetProperty("dataset").GetString());
        Assert.Equal(("derived", "current_perimeter", "commune"), (provenance["origin"].GetString(), provenance["method"].GetString(),
            provenance["partsLevel"].GetString()));
        Assert.NotEqual(carried.GetProperty("value").GetDouble(), carried.GetProperty("publishedValue").GetDouble());
        Assert.True(File.Exists(Path.Combine(AtlasFixture.DataDirectory, provenance["file"].GetString()!)));
    }

    [Fact]
    public async Task Rolling_back_a_version_lifts_the_secondary_secrecy_it_put_on_another_datasets_figures_in_the_scoped_and_the_full_recompute()
    {
        var indicator = $"test_{Guid.NewGuid():N}"[..20];
        var (producer, _, _) = await atlas.AccountAsync(AtlasRoles.Producer, $"Observatoire {Guid.NewGuid():N}");
        var (admin, _, _) = await atlas.AccountAsync(AtlasRoles.Admin, null);
        var http = atlas.App.CreateClient();
        try
        {
            await using var connection = await atlas.Db.OpenConnectionAsync();
            // The real AAH recipients of 2019 by département, as a partner's dataset of a new indicator: their région,
            // zone and France sums are computed, nothing is secret.
            var departements = await DepartementsAsync();
            await PublishAsync(http, producer, admin, "aah-2019.csv", TidyCsv(indicator, departements), NewCount(indicator));
            Assert.Equal(0, await connection.ExecuteScalarAsync<long>(
                "select count(*) from observation where indicator_code = @indicator and status <> 'ok'", new { indicator }));
            var before = await DigestAsync(connection, indicator);

            // Another dataset (the observatory's own) revises one département of Auvergne-Rhône-Alpes to 5 recipients:
            // under the threshold, secret. With the région's total published, the atlas must then suppress the next
            // smallest département of the région too (secondary secrecy), a figure of the partner's dataset.
            var region = departements.Where(d => d.Region == "84").OrderByDescending(d => d.Value).ToList();
            var revised = region[0];
            var smallest = region[^1];
            var revision = await PublishAsync(http, admin, admin, "revision.csv",
                $"geo_level,geo_code,indicator,year,value\ndepartement,{revised.Code},{indicator},2019,5\n", new Dictionary<string, object?> { ["code"] = indicator });
            var victim = await PointAsync(http, indicator, "departement", smallest.Code, 2019);
            Assert.Equal("suppressed", victim.GetProperty("status").GetString());
            Assert.Equal(JsonValueKind.Null, victim.GetProperty("value").ValueKind);
            Assert.Contains("secret_secondaire", victim.GetProperty("flag").GetString(), StringComparison.Ordinal);
            Assert.Equal("suppressed", (await PointAsync(http, indicator, "departement", revised.Code, 2019)).GetProperty("status").GetString());

            // Rolled back: every figure of the indicator is exactly what it was before the revision, the victim visible again.
            var rolledBack = await http.SendAsync(Request(HttpMethod.Post, $"/api/datasets/{revision}/rollback", admin));
            Assert.True(rolledBack.StatusCode == HttpStatusCode.OK, await rolledBack.Content.ReadAsStringAsync());
            Assert.Equal(before, await DigestAsync(connection, indicator));
            victim = await PointAsync(http, indicator, "departement", smallest.Code, 2019);
            Assert.Equal("ok", victim.GetProperty("status").GetString());
            Assert.Equal(smallest.Value, victim.GetProperty("value").GetDouble());
            Assert.Equal(JsonValueKind.Null, victim.GetProperty("flag").ValueKind);

            // A full recompute of every indicator agrees with the roll back's scoped one (not committed).
            await using var transaction = await connection.BeginTransactionAsync();
            await connection.ExecuteAsync("select pg_advisory_xact_lock(@l)", new { l = TerritoryAtlas.Web.Datasets.DatasetPublication.PublicationLock }, transaction);
            await DerivedFigures.RecomputeAsync(connection, transaction, null, null, CancellationToken.None);
            Assert.Equal(before, await DigestAsync(connection, indicator, transaction));
            await transaction.RollbackAsync();
        }
        finally
        {
            await TestDatabase.RemoveContributedIndicatorAsync(indicator);
        }
    }
}
