using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using Npgsql;
using TerritoryAtlas.Testing;
using TerritoryAtlas.Web.Data;
using TerritoryAtlas.Web.Import;

namespace TerritoryAtlas.IntegrationTests.Datasets;

/// <summary>
/// What a publication does to the whole table: it recomputes only the derived figures of the indicators it changes,
/// and that gives exactly what a full recompute gives; and a publication killed with SIGKILL half-way leaves the
/// previous version current and whole, and can be published again.
/// </summary>
[Collection(nameof(AtlasCollection))]
public sealed class PublicationTests(AtlasFixture atlas)
{
    /// <summary>Every figure (and its figure on the current perimeter) of the indicators in, or out of, <paramref name="scope"/>: one digest.</summary>
    private static Task<string> DigestAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string[] scope, bool inScope) =>
        connection.ExecuteScalarAsync<string>("""
            select (select count(*) || ':' || md5(coalesce(string_agg(concat_ws('|', o.indicator_code, o.territory_id, o.year, o.value, o.numerator,
                        o.denominator, o.status, o.flag, o.origin, o.computed_value, o.dataset, o.dataset_version_id), ';'
                        order by o.indicator_code, o.territory_id, o.year), ''))
                    from observation o where (o.indicator_code = any(@scope)) = @inScope)
                || ' ' ||
                   (select count(*) || ':' || md5(coalesce(string_agg(concat_ws('|', p.indicator_code, p.territory_id, p.year, p.on_perimeter, p.value,
                        p.numerator, p.denominator, p.status, p.reason_en), ';' order by p.indicator_code, p.territory_id, p.year), ''))
                    from perimeter_observation p where (p.indicator_code = any(@scope)) = @inScope)
            """, new { scope, inScope }, transaction)!;

    [Fact]
    public async Task A_publication_recomputes_only_what_its_indicators_touch_and_that_equals_a_full_recompute()
    {
        await using var connection = await atlas.Db.OpenConnectionAsync();
        // Never committed: the shared test database is left as it was.
        await using var transaction = await connection.BeginTransactionAsync();
        // A revision of real figures that feeds every derived step: AAH by département (sums to régions, zones and France,
        // their secondary secrecy, the AAH rate), the CAF's RSA by IRIS of the Rhône (sums to communes, IRIS secrecy,
        // zones, the CAF rate) and the population of merged communes' parts (figures on the current perimeter, rates).
        // Values move by 7 %, and one figure in 23 is declared secret so that secondary secrecy has work.
        var indicators = new[] { "aah_allocataires", "caf_rsa_allocataires", "population_municipale" };
        var name = $"contribution:test:{Guid.NewGuid():N}";
        var version = await connection.ExecuteScalarAsync<long>("""
            with d as (insert into dataset (name) values (@name) returning id)
            insert into dataset_version (dataset_id, file_name, format, report, status, uploaded_by)
            select id, 'revision.csv', 'csv', '{}', 'draft', 'test' from d
            returning id
            """, new { name }, transaction);
        var rows = await connection.ExecuteAsync("""
            insert into dataset_row (version_id, indicator_code, territory_id, year, value, status)
            select @version, o.indicator_code, o.territory_id, o.year, round(o.value * 1.07) + 1,
                   case when row_number() over (order by o.indicator_code, o.territory_id, o.year) % 23 = 0 then 'suppressed' else o.status end
            from observation o
            join territory t on t.id = o.territory_id
            where o.origin = 'source' and o.value is not null
              and ((o.indicator_code = 'aah_allocataires' and t.level = 'departement' and o.year >= 2015)
                or (o.indicator_code = 'caf_rsa_allocataires' and t.level = 'iris' and t.code like '69%')
                or (o.indicator_code = 'population_municipale' and t.level = 'commune'
                    and t.code in (select unnest(parts) from perimeter_change where level = 'commune' and kind = 'merged')))
            """, new { version }, transaction);
        Assert.True(rows > 2000, $"{rows} rows revised");

        // The scope: the three indicators and the rates made from them (what derived_scope holds during the publication).
        var scope = (await connection.QueryAsync<string>(
            "select code from indicator where @indicators && array[code, numerator, denominator] order by code", new { indicators }, transaction)).ToArray();
        Assert.Contains("aah_pour_100_20_64", scope);
        Assert.Contains("caf_part_rsa_pct", scope);
        var others = await DigestAsync(connection, transaction, scope, inScope: false);
        var before = await DigestAsync(connection, transaction, scope, inScope: true);
        var secondaryBefore = await connection.ExecuteScalarAsync<long>(
            "select count(*) from observation where indicator_code = any(@scope) and flag like '%secret_secondaire%'", new { scope }, transaction);

        // What PublishAsync runs: the version's figures in, then the derived figures of its indicators only.
        await connection.ExecuteScalarAsync<long>(AtlasDatabase.Sql("Datasets.publish.sql"),
            new { version_id = version, indicators, name, by = "test" }, transaction);
        var steps = new List<string>();
        await DerivedFigures.RecomputeAsync(connection, transaction, indicators, steps.Add, CancellationToken.None);
        Assert.Equal(DerivedFigures.DerivedSteps, steps);
        var scoped = await DigestAsync(connection, transaction, scope, inScope: true);
        Assert.NotEqual(before, scoped);
        Assert.Equal(others, await DigestAsync(connection, transaction, scope, inScope: false));
        var secondaryAfter = await connection.ExecuteScalarAsync<long>(
            "select count(*) from observation where indicator_code = any(@scope) and flag like '%secret_secondaire%'", new { scope }, transaction);
        Assert.True(secondaryAfter > secondaryBefore, $"secondary secrecy: {secondaryBefore} before, {secondaryAfter} after");

        // A full recompute of every indicator finds nothing to change in what the publication recomputed.
        await DerivedFigures.RecomputeAsync(connection, transaction, null, null, CancellationToken.None);
        Assert.Equal(scoped, await DigestAsync(connection, transaction, scope, inScope: true));
        await transaction.RollbackAsync();
    }

    [Fact]
    public async Task Kill_9_during_a_publication_leaves_the_previous_version_current_and_whole_and_the_next_one_publishes()
    {
        await using var scratch = await ScratchDatabase.CreateAsync(atlas.ConnectionString);
        await CopyCommunesAsync(scratch);
        var email = $"publie-{Guid.NewGuid():N}@example.org";
        await AppProcess.RunAsync(scratch.ConnectionString, "user", "add", email, "--role", "admin");
        var token = System.Text.RegularExpressions.Regex.Match(
            await AppProcess.RunAsync(scratch.ConnectionString, "token", "create", email, "--days", "1"), "ata_[A-Za-z0-9_-]+").Value;
        Assert.StartsWith("ata_", token);
        var baseAddress = new Uri($"http://127.0.0.1:{TerritoryAtlas.IntegrationTests.Workshops.RedisServer.FreePort()}/");
        var app = await AppProcess.StartAsync(scratch.ConnectionString, baseAddress);
        try
        {
            using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(5) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            var indicator = $"test_{Guid.NewGuid():N}"[..20];
            await using var connection = await scratch.Db.OpenConnectionAsync();
            var communes = (await connection.QueryAsync<string>("select code from territory where level = 'commune' order by code")).ToList();

            // Version 1: 2,000 communes, one year. Version 2: every commune, ten years (~350,000 rows), other values.
            var first = await ContributeAsync(http, indicator, communes.Take(2000).ToList(), [2019], 1);
            await PostAsync(http, $"/api/datasets/{first}/publish");
            // Statistics, as a database in use has them (this new one has none: the planner would take every table for
            // empty, and the secrecy step's self-join of 350,000 figures for a few).
            await connection.ExecuteAsync("analyze territory, observation, dataset_row");
            var dataVersion = await connection.ExecuteScalarAsync<long>("select version from data_version");
            var second = await ContributeAsync(http, indicator, communes, Enumerable.Range(2011, 10).ToArray(), 2);

            // The publication of version 2 runs in the app; the app dies once its figures are being written into observation
            // (publish.sql's insert, the statement that takes the time).
            var publishing = http.PostAsync($"/api/datasets/{second}/publish", null);
            int? backend = null;
            await Eventually.HoldsAsync(async () =>
            {
                backend = await connection.ExecuteScalarAsync<int?>("""
                    select pid from pg_stat_activity
                    where datname = current_database() and pid <> pg_backend_pid() and state = 'active'
                      and query like '%with inserted as (%insert into observation%'
                    """);
                return backend is not null || publishing.IsCompleted;
            }, "version 2's figures are being written", 120_000);
            if (publishing.IsCompleted)
            {
                var early = await publishing;
                Assert.Fail($"the publication ended before it could be killed: {(int)early.StatusCode} {await early.Content.ReadAsStringAsync()}");
            }

            await AppProcess.KillAsync(app);
            await Assert.ThrowsAnyAsync<Exception>(() => publishing);
            // PostgreSQL ends the dead client's session when its statement ends; nothing of it was committed.
            await Eventually.HoldsAsync(async () => !await connection.ExecuteScalarAsync<bool>(
                "select exists (select 1 from pg_stat_activity where pid = @backend)", new { backend }), "the killed app's session is gone", 300_000);

            var statuses = (await connection.QueryAsync<(long, string)>(
                "select id, status from dataset_version where id = any(@ids) order by id", new { ids = new[] { first, second } })).ToList();
            Assert.Equal(new[] { (first, "published"), (second, "draft") }, statuses);
            Assert.Equal(dataVersion, await connection.ExecuteScalarAsync<long>("select version from data_version"));
            // The figures are version 1's, exactly: each row of version 1 once, nothing else of the indicator.
            var (figures, notFirst, missing) = await connection.QuerySingleAsync<(long, long, long)>("""
                select (select count(*) from observation where indicator_code = @indicator),
                       (select count(*) from (select territory_id, year, value, status, dataset_version_id from observation where indicator_code = @indicator
                                              except all
                                              select territory_id, year, value, status, version_id from dataset_row where version_id = @first) x),
                       (select count(*) from (select territory_id, year, value, status, version_id from dataset_row where version_id = @first
                                              except all
                                              select territory_id, year, value, status, dataset_version_id from observation where indicator_code = @indicator) y)
                """, new { indicator, first });
            Assert.Equal(2000, figures);
            Assert.Equal((0L, 0L), (notFirst, missing));
            Assert.Equal(0, await connection.ExecuteScalarAsync<long>("select count(*) from dataset_displaced where version_id = @second", new { second }));

            // The app comes back and version 2 publishes.
            app = await AppProcess.StartAsync(scratch.ConnectionString, baseAddress);
            var published = await PostAsync(http, $"/api/datasets/{second}/publish");
            Assert.Equal("published", published.GetProperty("status").GetString());
            Assert.Equal("superseded", await connection.ExecuteScalarAsync<string>("select status from dataset_version where id = @first", new { first }));
            Assert.Equal((communes.Count * 10L, 1L), await connection.QuerySingleAsync<(long, long)>(
                "select count(*), count(distinct dataset_version_id) from observation where indicator_code = @indicator and dataset_version_id = @second",
                new { indicator, second }));
            Assert.Equal(communes.Count * 10L, await connection.ExecuteScalarAsync<long>(
                "select count(*) from observation where indicator_code = @indicator", new { indicator }));
            Assert.Equal(dataVersion + 1, await connection.ExecuteScalarAsync<long>("select version from data_version"));
        }
        finally
        {
            await AppProcess.KillAsync(app);
            app.Dispose();
        }
    }

    /// <summary>A new count indicator for the given communes and years, through POST /api/datasets: the draft's id.</summary>
    private static async Task<long> ContributeAsync(HttpClient http, string indicator, IReadOnlyList<string> communes, int[] years, int factor)
    {
        var csv = new StringBuilder("geo_level,geo_code,indicator,year,value\n");
        foreach (var code in communes)
        {
            foreach (var year in years)
            {
                csv.Append("commune,").Append(code).Append(',').Append(indicator).Append(',').Append(year).Append(',')
                    .Append(factor * (code.Sum(c => c) % 1000 + year)).Append('\n');
            }
        }

        var metadata = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["code"] = indicator,
            ["label_fr"] = "Allocataires (test d'interruption)",
            ["unit_fr"] = "allocataires",
            ["kind"] = "count",
            ["additive"] = true,
            ["source"] = "test",
            ["producer"] = "test",
            ["licence"] = "Licence Ouverte",
        });
        using var content = new MultipartFormDataContent
        {
            { new ByteArrayContent(Encoding.UTF8.GetBytes(csv.ToString())), "file", $"communes-{factor}.csv" },
            { new StringContent(metadata), "metadata" },
        };
        var response = await http.PostAsync("/api/datasets", content);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.Created, body.ToString());
        Assert.Equal(communes.Count * years.Length, body.GetProperty("report").GetProperty("accepted").GetInt64());
        return body.GetProperty("id").GetInt64();
    }

    private static async Task<JsonElement> PostAsync(HttpClient http, string path)
    {
        var response = await http.PostAsync(path, null);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {body}");
        return body;
    }

    /// <summary>The communes (codes and names, no geometry: a publication needs none) and the themes of the test database.</summary>
    private async Task CopyCommunesAsync(ScratchDatabase scratch)
    {
        await using var source = await atlas.Db.OpenConnectionAsync();
        var communes = (await source.QueryAsync<(string Code, string Name, string SearchName, string Vintage)>(
            "select code, name, search_name, vintage from territory where level = 'commune' order by code")).ToList();
        var themes = (await source.QueryAsync<(string Code, string LabelFr, string LabelEn, int SortOrder)>(
            "select code, label_fr, label_en, sort_order from theme")).ToList();
        await using var target = await scratch.Db.OpenConnectionAsync();
        await target.ExecuteAsync("insert into theme (code, label_fr, label_en, sort_order) values (@Code, @LabelFr, @LabelEn, @SortOrder)",
            themes.Select(t => new { t.Code, t.LabelFr, t.LabelEn, t.SortOrder }));
        await using var writer = await target.BeginBinaryImportAsync("copy territory (level, code, name, search_name, vintage, source) from stdin (format binary)");
        foreach (var c in communes)
        {
            await writer.WriteRowAsync(CancellationToken.None, "commune", c.Code, c.Name, c.SearchName, c.Vintage, "copied from the test database");
        }

        await writer.CompleteAsync();
    }
}
