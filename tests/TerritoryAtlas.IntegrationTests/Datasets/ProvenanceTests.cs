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

namespace TerritoryAtlas.IntegrationTests.Datasets;

/// <summary>
/// Contributions published over HTTP with real bearer tokens on the real database: the secondary secrecy a version
/// causes on other datasets' figures goes away with it, and every figure says where it comes from.
/// </summary>
[Collection(nameof(AtlasCollection))]
public sealed class ProvenanceTests(AtlasFixture atlas)
{
    private async Task<(string Token, string Email, int? Organisation)> AccountAsync(string role, string? organisation)
    {
        var email = $"p{Guid.NewGuid():N}@example.org";
        await using var scope = atlas.App.Services.CreateAsyncScope();
        var (account, _) = await scope.ServiceProvider.GetRequiredService<AccountService>().CreateAsync(email, role, organisation, CancellationToken.None);
        var token = await atlas.App.Services.GetRequiredService<AccessTokens>().CreateAsync(account.Id, "test", 1, CancellationToken.None);
        return (token.Token, email, account.OrganisationId);
    }

    private static HttpRequestMessage Request(HttpMethod method, string url, string? token, HttpContent? content = null)
    {
        var request = new HttpRequestMessage(method, url) { Content = content };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return request;
    }

    /// <summary>A tidy CSV through POST /api/datasets, then published by <paramref name="admin"/>: the version's id.</summary>
    private async Task<long> PublishAsync(HttpClient http, string contributor, string admin, string fileName, string csv, object metadata)
    {
        var content = new MultipartFormDataContent
        {
            { new ByteArrayContent(Encoding.UTF8.GetBytes(csv)), "file", fileName },
            { new StringContent(JsonSerializer.Serialize(metadata)), "metadata" },
        };
        var created = await http.SendAsync(Request(HttpMethod.Post, "/api/datasets", contributor, content));
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

    [Fact]
    public async Task Rolling_back_a_version_lifts_the_secondary_secrecy_it_put_on_another_datasets_figures_in_the_scoped_and_the_full_recompute()
    {
        var indicator = $"test_{Guid.NewGuid():N}"[..20];
        var (producer, _, _) = await AccountAsync(AtlasRoles.Producer, $"Observatoire {Guid.NewGuid():N}");
        var (admin, _, _) = await AccountAsync(AtlasRoles.Admin, null);
        var http = atlas.App.CreateClient();
        try
        {
            await using var connection = await atlas.Db.OpenConnectionAsync();
            // The real AAH recipients of 2019 by département, as a partner's dataset of a new indicator: their région,
            // zone and France sums are computed, nothing is secret.
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
            var csv = new StringBuilder("geo_level,geo_code,indicator,year,value\n");
            foreach (var d in departements)
            {
                csv.Append(CultureInfo.InvariantCulture, $"departement,{d.Code},{indicator},2019,{d.Value}\n");
            }

            await PublishAsync(http, producer, admin, "aah-2019.csv", csv.ToString(), NewCount(indicator));
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
            await connection.ExecuteAsync("select pg_advisory_xact_lock(@l)", new { l = TerritoryAtlas.Web.Datasets.DatasetService.PublicationLock }, transaction);
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
