using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using TerritoryAtlas.Web.Accounts;
using static TerritoryAtlas.IntegrationTests.TestAccounts;

namespace TerritoryAtlas.IntegrationTests.Zonings;

/// <summary>
/// Study areas over HTTP with real bearer tokens on the real data: pasted codes and GeoJSON perimeters resolved to
/// communes, portraits whose sums and rates are recomputed from the communes, and who may read what.
/// </summary>
[Collection(nameof(AtlasCollection))]
public sealed class StudyAreaTests(AtlasFixture atlas)
{
    private async Task<(HttpStatusCode Status, JsonElement Body)> SendAsync(HttpMethod method, string url, string? token, object? body = null)
    {
        using var response = await atlas.App.CreateClient().SendAsync(Request(method, url, token, body is null ? null : JsonContent.Create(body)));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    /// <summary>The account's own areas: the browser tests save areas into the same database meanwhile.</summary>
    private async Task<long> CountAsync(string email)
    {
        await using var connection = await atlas.Db.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>(
            "select count(*) from study_area s join account a on a.id = s.owner_id where a.email = @email", new { email });
    }

    [Fact]
    public async Task A_study_area_portrait_sums_its_communes_and_recomputes_rates_beside_what_France_and_its_departements_publish()
    {
        await using var connection = await atlas.Db.OpenConnectionAsync();
        // Communes of two départements with open CAF counts in 2019, so the rate has a complete year.
        var codes = (await connection.QueryAsync<string>("""
            select code from (
                select c.code, left(c.code, 2) as departement, row_number() over (partition by left(c.code, 2) order by c.code) as n
                from territory c
                join observation n on n.territory_id = c.id and n.indicator_code = 'caf_rsa_allocataires' and n.status = 'ok' and n.year = 2019
                join observation d on d.territory_id = c.id and d.indicator_code = 'caf_allocataires' and d.status = 'ok' and d.year = 2019
                where c.level = 'commune' and left(c.code, 2) in ('92', '94')
            ) picked
            where n <= 6 order by code
            """)).ToList();
        var token = await atlas.TokenAsync(AtlasRoles.Member);
        var (status, created) = await SendAsync(HttpMethod.Post, "/api/study-areas", token,
            new { name = "Contrat de ville (test)", codes = string.Join("\n", codes) + "\n" });
        Assert.True(status == HttpStatusCode.Created, created.ToString());
        var id = created.GetProperty("id").GetInt64();
        Assert.Equal(codes.Order(StringComparer.Ordinal), created.GetProperty("communes").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("private", created.GetProperty("visibility").GetString());

        var (portraitStatus, portrait) = await SendAsync(HttpMethod.Get, $"/api/study-areas/{id}/portrait", token);
        Assert.Equal(HttpStatusCode.OK, portraitStatus);
        Assert.Equal(12, portrait.GetProperty("communes").GetInt32());
        Assert.Equal(["92", "94"], portrait.GetProperty("departements").EnumerateArray().Select(d => d.GetProperty("code").GetString()));
        var lines = portrait.GetProperty("lines").EnumerateArray().ToDictionary(l => l.GetProperty("indicator").GetString()!);

        // Every additive indicator and every rate with a numerator and a denominator has a line.
        var expectedIndicators = (await connection.QueryAsync<string>("""
            select code from indicator where visibility = 'public' and (additive or (kind = 'rate' and numerator is not null and denominator is not null))
            """)).ToList();
        Assert.Equal(expectedIndicators.Order(), lines.Keys.Order());

        // Counts: the sum of the communes' figures for the latest year all of them have.
        var population = lines["population_municipale"];
        var year = population.GetProperty("year").GetInt32();
        var sum = await connection.ExecuteScalarAsync<double>("""
            select sum(o.value) from published_observation o join territory c on c.id = o.territory_id
            where c.level = 'commune' and c.code = any(@codes) and o.indicator_code = 'population_municipale' and o.year = @year
            """, new { codes = codes.ToArray(), year });
        Assert.Equal(sum, population.GetProperty("value").GetDouble(), 6);
        Assert.Equal(2023, year);

        // Rates: multiplier × Σ numerators / Σ denominators of the same year, with both sums given.
        var rate = lines["caf_part_rsa_pct"];
        Assert.Equal("ok", rate.GetProperty("status").GetString());
        var rateYear = rate.GetProperty("year").GetInt32();
        var (numerator, denominator, multiplier) = await connection.QuerySingleAsync<(double, double, double)>("""
            select sum(n.value), sum(d.value), (select multiplier from indicator where code = 'caf_part_rsa_pct')
            from territory c
            join published_observation n on n.territory_id = c.id and n.indicator_code = 'caf_rsa_allocataires' and n.year = @rateYear
            join published_observation d on d.territory_id = c.id and d.indicator_code = 'caf_allocataires' and d.year = @rateYear
            where c.level = 'commune' and c.code = any(@codes)
            """, new { codes = codes.ToArray(), rateYear });
        Assert.Equal(numerator, rate.GetProperty("numerator").GetDouble(), 6);
        Assert.Equal(denominator, rate.GetProperty("denominator").GetDouble(), 6);
        Assert.Equal(multiplier * numerator / denominator, rate.GetProperty("value").GetDouble(), 9);

        // Compared with France and the two départements, for the same year: what they publish, nothing else.
        var dated = lines.Values.Where(l => l.GetProperty("year").ValueKind == JsonValueKind.Number).ToList();
        var published = (await connection.QueryAsync<(string Indicator, int Year, string Code, double? Value)>("""
            select o.indicator_code, o.year, t.code, o.value
            from published_observation o join territory t on t.id = o.territory_id
            where (t.level = 'france' or (t.level = 'departement' and t.code in ('92', '94')))
              and (o.indicator_code, o.year) in (select * from unnest(@indicators, @years))
            order by t.level = 'departement', t.code
            """, new
        {
            indicators = dated.Select(l => l.GetProperty("indicator").GetString()!).ToArray(),
            years = dated.Select(l => l.GetProperty("year").GetInt32()).ToArray(),
        })).ToLookup(p => (p.Indicator, p.Year));
        foreach (var line in dated)
        {
            var expected = published[(line.GetProperty("indicator").GetString()!, line.GetProperty("year").GetInt32())].ToList();
            var served = line.GetProperty("references").EnumerateArray().ToList();
            Assert.Equal(expected.Select(e => e.Code), served.Select(r => r.GetProperty("code").GetString()));
            Assert.Equal(expected.Select(e => e.Value), served.Select(r => r.GetProperty("value").ValueKind == JsonValueKind.Number ? r.GetProperty("value").GetDouble() : (double?)null));
        }

        // The portrait page shows the same figures (French formatting), and another account gets the not-found page.
        using (var page = await atlas.App.CreateClient().SendAsync(Request(HttpMethod.Get, $"/zone-etude/{id}", token)))
        {
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            var html = WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync());
            Assert.Contains("Contrat de ville (test)", html, StringComparison.Ordinal);
            Assert.Contains(TerritoryAtlas.Web.Indicators.FigureFormat.Number(sum, 0), html, StringComparison.Ordinal);
        }

        using (var page = await atlas.App.CreateClient().SendAsync(Request(HttpMethod.Get, $"/zone-etude/{id}", await atlas.TokenAsync(AtlasRoles.Member))))
        {
            var html = await page.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
            Assert.Contains("study-area-not-found", html, StringComparison.Ordinal);
            Assert.DoesNotContain("Contrat de ville (test)", html, StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(HttpMethod.Delete, $"/api/study-areas/{id}", token)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, $"/api/study-areas/{id}", token)).Status);
    }

    [Fact]
    public async Task A_perimeter_takes_the_communes_whose_point_on_surface_is_inside()
    {
        // A rectangle over the north of Paris's petite couronne.
        double[][] ring = [[2.30, 48.88], [2.50, 48.88], [2.50, 48.96], [2.30, 48.96], [2.30, 48.88]];
        await using var connection = await atlas.Db.OpenConnectionAsync();
        var expected = (await connection.QueryAsync<string>("""
            select code from territory where level = 'commune'
              and ST_Intersects(label_point, ST_MakeEnvelope(2.30, 48.88, 2.50, 48.96, 4326)) order by code
            """)).ToList();
        Assert.InRange(expected.Count, 5, 100);
        var token = await atlas.TokenAsync(AtlasRoles.Member);
        var (status, created) = await SendAsync(HttpMethod.Post, "/api/study-areas", token, new
        {
            name = "Périmètre dessiné",
            perimeter = new { type = "Feature", properties = new { }, geometry = new { type = "Polygon", coordinates = new[] { ring } } },
        });
        Assert.True(status == HttpStatusCode.Created, created.ToString());
        Assert.Equal(expected, created.GetProperty("communes").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("perimeter", created.GetProperty("method").GetString());

        // Changing the list recomputes everything: the portrait reads the new communes.
        var id = created.GetProperty("id").GetInt64();
        var (updated, area) = await SendAsync(HttpMethod.Put, $"/api/study-areas/{id}", token, new { codes = new[] { expected[0] } });
        Assert.Equal(HttpStatusCode.OK, updated);
        Assert.Equal([expected[0]], area.GetProperty("communes").EnumerateArray().Select(c => c.GetString()));
        var (_, portrait) = await SendAsync(HttpMethod.Get, $"/api/study-areas/{id}/portrait", token);
        Assert.Equal(1, portrait.GetProperty("communes").GetInt32());
        await SendAsync(HttpMethod.Delete, $"/api/study-areas/{id}", token);
    }

    [Fact]
    public async Task Ten_thousand_communes_are_fine()
    {
        await using var connection = await atlas.Db.OpenConnectionAsync();
        var codes = (await connection.QueryAsync<string>("select code from territory where level = 'commune' order by code limit 10000")).ToArray();
        var token = await atlas.TokenAsync(AtlasRoles.Member);
        var (status, created) = await SendAsync(HttpMethod.Post, "/api/study-areas", token, new { name = "Grand territoire", codes });
        Assert.True(status == HttpStatusCode.Created, created.ToString());
        var id = created.GetProperty("id").GetInt64();
        var (portraitStatus, portrait) = await SendAsync(HttpMethod.Get, $"/api/study-areas/{id}/portrait", token);
        Assert.Equal(HttpStatusCode.OK, portraitStatus);
        Assert.Equal(10_000, portrait.GetProperty("communes").GetInt32());
        await SendAsync(HttpMethod.Delete, $"/api/study-areas/{id}", token);
    }

    public static TheoryData<string, object, string> BadAreas => new()
    {
        { "no commune", new { name = "Vide", codes = Array.Empty<string>() }, "at least one commune" },
        { "unknown code", new { name = "Inconnue", codes = new[] { "93001", "99999" } }, "99999" },
        { "not a code", new { name = "Texte", codes = "93001, Paris" }, "Paris" },
        { "nothing given", new { name = "Rien" }, "codes" },
        { "no name", new { codes = new[] { "93001" } }, "name" },
        {
            "outside France",
            new { name = "Atlantique", perimeter = new { type = "Polygon", coordinates = new[] { new[] { new[] { -40.0, 10.0 }, new[] { -39.0, 10.0 }, new[] { -39.0, 11.0 }, new[] { -40.0, 10.0 } } } } },
            "outside France"
        },
        {
            "self-intersecting ring",
            new { name = "Nœud papillon", perimeter = new { type = "Polygon", coordinates = new[] { new[] { new[] { 2.3, 48.8 }, new[] { 2.5, 48.9 }, new[] { 2.5, 48.8 }, new[] { 2.3, 48.9 }, new[] { 2.3, 48.8 } } } } },
            "self-intersection"
        },
        { "a point", new { name = "Point", perimeter = new { type = "Point", coordinates = new[] { 2.3, 48.8 } } }, "Polygon" },
        { "public by a member", new { name = "Publique", visibility = "public", codes = new[] { "93001" } }, "admins" },
        { "organisation without one", new { name = "Partagée", visibility = "organisation", codes = new[] { "93001" } }, "no organisation" },
    };

    [Theory]
    [MemberData(nameof(BadAreas))]
    public async Task A_bad_study_area_is_refused_with_a_reason_and_nothing_is_kept(string what, object body, string reason)
    {
        var member = await atlas.AccountAsync(AtlasRoles.Member);
        var before = await CountAsync(member.Email);
        using var response = await atlas.App.CreateClient().SendAsync(Request(HttpMethod.Post, "/api/study-areas", member.Token, JsonContent.Create(body)));
        Assert.True(response.StatusCode is HttpStatusCode.UnprocessableEntity or HttpStatusCode.Forbidden, $"{what}: {response.StatusCode}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains(reason, text, StringComparison.Ordinal);
        Assert.Equal(before, await CountAsync(member.Email));
    }

    [Fact]
    public async Task A_private_area_is_not_found_for_another_account_an_organisation_area_is_shared_and_a_public_one_is_read_by_all()
    {
        var organisation = $"Observatoire {Guid.NewGuid():N}";
        var owner = await atlas.TokenAsync(AtlasRoles.Member, organisation);
        var colleague = await atlas.TokenAsync(AtlasRoles.Member, organisation);
        var stranger = await atlas.TokenAsync(AtlasRoles.Member, $"Autre {Guid.NewGuid():N}");
        var admin = await atlas.TokenAsync(AtlasRoles.Admin);
        var (_, area) = await SendAsync(HttpMethod.Post, "/api/study-areas", owner, new { name = "Privée", codes = new[] { "93001", "93005" } });
        var id = area.GetProperty("id").GetInt64();
        try
        {
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, $"/api/study-areas/{id}", owner)).Status);
            foreach (var other in new[] { colleague, stranger, null })
            {
                Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, $"/api/study-areas/{id}", other)).Status);
                Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, $"/api/study-areas/{id}/portrait", other)).Status);
            }

            Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Put, $"/api/study-areas/{id}", stranger, new { name = "Volée" })).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Delete, $"/api/study-areas/{id}", stranger)).Status);
            Assert.DoesNotContain(id, (await SendAsync(HttpMethod.Get, "/api/study-areas", stranger)).Body.EnumerateArray().Select(a => a.GetProperty("id").GetInt64()));
            Assert.Equal(HttpStatusCode.Unauthorized, (await SendAsync(HttpMethod.Post, "/api/study-areas", null, new { name = "Anonyme", codes = new[] { "93001" } })).Status);

            // Shared with the organisation: the colleague reads it (and may not change it), the stranger still not.
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Put, $"/api/study-areas/{id}", owner, new { visibility = "organisation" })).Status);
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, $"/api/study-areas/{id}/portrait", colleague)).Status);
            Assert.Contains(id, (await SendAsync(HttpMethod.Get, "/api/study-areas", colleague)).Body.EnumerateArray().Select(a => a.GetProperty("id").GetInt64()));
            Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Put, $"/api/study-areas/{id}", colleague, new { name = "Changée" })).Status);
            Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, $"/api/study-areas/{id}", stranger)).Status);

            // Public (admins only): read anonymously.
            Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(HttpMethod.Put, $"/api/study-areas/{id}", owner, new { visibility = "public" })).Status);
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Put, $"/api/study-areas/{id}", admin, new { visibility = "public" })).Status);
            Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Get, $"/api/study-areas/{id}/portrait", null)).Status);
            Assert.Equal("Privée", (await SendAsync(HttpMethod.Get, $"/api/study-areas/{id}", stranger)).Body.GetProperty("name").GetString());
        }
        finally
        {
            await SendAsync(HttpMethod.Delete, $"/api/study-areas/{id}", owner);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, $"/api/study-areas/{id}", admin)).Status);
    }
}
